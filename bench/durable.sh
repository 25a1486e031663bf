#!/usr/bin/env bash
# What the durability promise costs: the real site and a 10k-article site built with and
# without the flushes to disk (SITEGEN_DURABLE=0), alternating, in one run.
#   bash bench/durable.sh              median of 5 runs each
#   bash bench/durable.sh --repeat 9
# See README, "Commit order, temporary files and durability".
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time: apt-get install time" >&2; exit 2; }
cargo build --release --quiet
exec python3 bench/durable.py "$@"
