#!/usr/bin/env bash
# Browser tests: Debian's Chromium (/usr/bin/chromium) driven by playwright-core,
# accessibility checked with axe-core. Exits non-zero when a test fails.
#   WB_BIN    the weerbaar binary (default: target/debug/weerbaar)
#   SCREENSHOT_DIR  keep screenshots there instead of a removed temp folder
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
    echo "run.sh: ${CHROMIUM_PATH:-/usr/bin/chromium} not found; install it: apt-get install -y chromium" >&2
    exit 1
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    npm ci --no-audit --no-fund
fi

# node 20's --test does not expand globs itself: the shell does.
shopt -s nullglob
tests=(./*.test.mjs)
if [ "${#tests[@]}" -eq 0 ]; then
    echo "run.sh: no *.test.mjs in $(pwd)" >&2
    exit 1
fi
exec node --test --test-concurrency=1 --test-reporter=spec "${tests[@]}"
