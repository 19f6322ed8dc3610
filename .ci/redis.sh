# Redis for CI, from the distribution's package, on 127.0.0.1 only.
# Usage: source .ci/redis.sh && redis_start   (exports AEGIS_TEST_REDIS_URL; redis_stop on exit)

redis_start() {
  if ! command -v redis-server >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
  REDIS_DIR=$(mktemp -d /tmp/aegis-redis.XXXXXX)
  REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" --save '' \
    --appendonly no --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log"
  for _ in $(seq 50); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  export AEGIS_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
  # Chained after whatever exit trap is set already (pg_stop), not instead of it.
  trap "redis_stop; $(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")" EXIT
}

redis_stop() {
  [ -n "${REDIS_DIR:-}" ] || return 0
  local pid; pid=$(cat "$REDIS_DIR/redis.pid" 2>/dev/null || true)
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$REDIS_DIR"
  REDIS_DIR=
}
