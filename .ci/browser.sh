# Headless Chromium for the browser tests, from the distribution's packages: Playwright
# (a dev dependency) drives it; no browser is ever downloaded.
# Usage: source .ci/browser.sh && browser_install   (exports AEGIS_TEST_CHROMIUM)

browser_install() {
  if ! command -v chromium >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium >/dev/null
  fi
  AEGIS_TEST_CHROMIUM=$(command -v chromium)
  export AEGIS_TEST_CHROMIUM
}
