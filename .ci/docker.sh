# Docker and debootstrap for tests/test_container.py, from the distribution's packages.
# Usage: source .ci/docker.sh && docker_install
# The test itself starts dockerd (and stops it) and builds its base image with debootstrap,
# cached in ~/.cache/aegis; AEGIS_TEST_DOCKER makes it fail, not skip, without them.

docker_install() {
  if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap >/dev/null
  fi
  export AEGIS_TEST_DOCKER=1
}
