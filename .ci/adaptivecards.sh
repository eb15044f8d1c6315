#!/usr/bin/env bash
# Installs Microsoft's `adaptivecards` library (pinned in tests/PolicyBot.Teams.Tests/AdaptiveCards/package-lock.json)
# for the Teams card tests, with npm from the npm registry. Node 20+ must be installed.
# Idempotent and safe to run from several test processes at once (flock).
set -euo pipefail
cd "$(dirname "$0")/../tests/PolicyBot.Teams.Tests/AdaptiveCards"
# A fresh machine may have neither: install Debian's packages when root and apt are there.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update && apt-get install -y nodejs npm; } >&2
  fi
fi
command -v node >/dev/null || { echo "node is not installed (needed for the Adaptive Card checks)" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm is not installed (needed for the Adaptive Card checks)" >&2; exit 1; }
exec 9>"${TMPDIR:-/tmp}/policybot-adaptivecards.lock"
flock 9
if [ ! -f node_modules/adaptivecards/dist/adaptivecards.js ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
