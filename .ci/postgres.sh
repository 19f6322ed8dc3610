# PostgreSQL for CI, from the distribution's packages, on 127.0.0.1 only.
# Usage: source .ci/postgres.sh && pg_start   (exports AEGIS_TEST_POSTGRES_URL; pg_stop on exit)

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

as_pg() {  # initdb refuses to run as root
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

pg_start() {
  if [ -z "$(pg_bin)" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local bin; bin=$(pg_bin)
  PG_DIR=$(mktemp -d /tmp/aegis-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
  PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_pg "$bin/initdb -D $PG_DIR/data -A trust -U postgres >/dev/null"
  as_pg "$bin/pg_ctl -D $PG_DIR/data -l $PG_DIR/server.log -w \
    -o '-k $PG_DIR -c listen_addresses=127.0.0.1 -p $PG_PORT -c fsync=off' start >/dev/null"
  as_pg "$bin/createdb -h 127.0.0.1 -p $PG_PORT -U postgres aegis_test"
  export AEGIS_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/aegis_test"
  trap pg_stop EXIT
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] || return 0
  as_pg "$(pg_bin)/pg_ctl -D $PG_DIR/data -m fast -w stop >/dev/null" || true
  rm -rf "$PG_DIR"
  PG_DIR=
}
