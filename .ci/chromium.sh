#!/usr/bin/env bash
# Makes Debian's Chromium available for the admin dashboard's browser tests (Playwright drives it through
# ExecutablePath; Playwright never downloads a browser here).
#
# From .ci/run (the tests skip loudly, never pass, when Chromium is missing):
#   bash .ci/chromium.sh || echo "WARNING: Chromium could not be installed; the admin browser tests are SKIPPED (reported as skipped, not passed)." >&2
#
# Installs the `chromium` package with apt when /usr/bin/chromium (or $POLICYBOT_CHROMIUM) is missing,
# then prints the browser's version on stderr. Exits non-zero when it still cannot run.
set -euo pipefail

chromium="${POLICYBOT_CHROMIUM:-/usr/bin/chromium}"
log() { printf 'chromium.sh: %s\n' "$*" >&2; }

if [ ! -x "$chromium" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    log "ERROR: $chromium is missing and apt-get is not available to install it"
    exit 1
  fi
  log "installing chromium with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2 && apt-get install -y chromium >&2
fi

if ! version="$("$chromium" --headless --no-sandbox --version 2>/dev/null)"; then
  log "ERROR: $chromium does not run"
  exit 1
fi
log "$version at $chromium"
