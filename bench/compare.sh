#!/usr/bin/env bash
# Times this checkout's sitegen against the one at REV on the same generated sites, in one
# run, the two binaries taking turns (full, no-op, first edit, one city, serve rebuild).
#   bash bench/compare.sh REV                       10k and 100k, three turns each
#   bash bench/compare.sh REV --scales 10000 --repeat 5
# REV is built in a worktree under target/bench/ with its own target folder (seeded from
# this one's, so only sitegen itself is compiled again). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: bash bench/compare.sh REV [--scales N,M] [--repeat K]" >&2; exit 2; }
rev=$(git rev-parse --short "$1"); shift
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time: apt-get install time" >&2; exit 2; }
cargo build --release --quiet
mkdir -p target/bench
cp target/release/sitegen target/bench/sitegen-new
tree=target/bench/rev-$rev
if [ ! -x "target/bench/sitegen-$rev" ]; then
  git worktree remove --force "$tree" 2>/dev/null || true
  git worktree add --detach "$tree" "$rev" >/dev/null
  mkdir -p "target/bench/target-$rev"
  [ -d "target/bench/target-$rev/release" ] || cp -r target/release "target/bench/target-$rev/"
  cargo build --release --quiet --manifest-path "$tree/Cargo.toml" --target-dir "target/bench/target-$rev"
  cp "target/bench/target-$rev/release/sitegen" "target/bench/sitegen-$rev"
  git worktree remove --force "$tree"
  rm -rf "target/bench/target-$rev"
fi
cd bench
exec python3 compare.py "../target/bench/sitegen-$rev" ../target/bench/sitegen-new \
  --labels "$rev,$(git rev-parse --short HEAD)" "$@"
