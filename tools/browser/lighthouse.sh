#!/usr/bin/env bash
# Lighthouse on one article of the real site (built with --future, like the browser checks),
# with Debian's Chromium. Prints the four category scores and the audits that did not pass;
# reports go to ci-artifacts/lighthouse/.
#   bash tools/browser/lighthouse.sh [PAGE_PATH] [--min N] [--desktop]
# e.g. bash tools/browser/lighthouse.sh /jinhua/canbaodi-biangeng/ --min 100
set -euo pipefail
cd "$(dirname "$0")/../.."
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
[ -x "$CHROME_PATH" ] || { echo "lighthouse.sh: no Chromium at $CHROME_PATH (apt-get install chromium)" >&2; exit 1; }
SITE=${SITE_DIR:-target/browser-site}
PAGE=/yueyang/canbaodi-biangeng/
if [ $# -gt 0 ] && [ "${1#/}" != "$1" ]; then PAGE=$1; shift; fi

# Lighthouse is a dev dependency: the CI stage installs without it.
if [ ! -f tools/browser/node_modules/lighthouse/cli/index.js ]; then
  (cd tools/browser && npm ci --ignore-scripts --no-audit --no-fund) \
    || { echo "lighthouse.sh: npm ci failed" >&2; exit 1; }
fi
cargo run --locked --release --quiet -- build --future --locked -o "$SITE"
node tools/browser/lighthouse.mjs "$SITE" "$PAGE" ci-artifacts/lighthouse "$@"
