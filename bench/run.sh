#!/usr/bin/env bash
# The benchmark: builds the release binary, then times builds of generated sites.
#   bash bench/run.sh                 1k and 10k articles
#   bash bench/run.sh --with-100k     also 100k (about a minute more, ~2.8 GB of disk)
#   bash bench/run.sh --repeat 3      median of three runs per figure
#   bash bench/run.sh --scales "" --with-1m   one run at 1,000,000 articles (~75 GB of disk)
# See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time: apt-get install time" >&2; exit 2; }
cargo build --release --quiet
exec python3 bench/run.py "$@"
