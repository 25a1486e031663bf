#!/usr/bin/env bash
# Times `sitegen serve`'s incremental rebuild after one city is edited (issue: ≤ 50 ms at
# 10,000 articles). Usage: bash bench/serve_rebuild.sh [--cities N] [--edits K] [--keep]
# Generates N cities × 20 topics (default 500 = 10,000 articles) under target/bench/,
# starts serve on a free port, edits one city's values K times (default 9), reads each
# "rebuilt in X ms" line and prints every figure, the median and the range.
set -euo pipefail
cd "$(dirname "$0")/.."
cities=500 edits=9 keep=no
while [ $# -gt 0 ]; do
  case "$1" in
    --cities) cities=$2; shift 2 ;;
    --edits) edits=$2; shift 2 ;;
    --keep) keep=yes; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
cargo build --release --quiet
site=target/bench/serve-$cities
python3 bench/gen_site.py --cities "$cities" --out "$site"
now=$(python3 -c 'import sys; sys.path.insert(0, "bench"); from gen_site import NOW; print(NOW)')
log=$(mktemp)
target/release/sitegen serve --root "$site" --port 0 --open-browser no --now "$now" \
  >/dev/null 2>"$log" &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$log"
  [ "$keep" = yes ] || rm -rf "$site"
}
trap cleanup EXIT
# Waits until the log holds $1 lines matching $2 (60 s at most).
wait_for() {
  for _ in $(seq 600); do
    [ "$(grep -c "$2" "$log" || true)" -ge "$1" ] && return 0
    grep -q "rebuild failed" "$log" && { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "serve did not report in time:" >&2; cat "$log" >&2; exit 1
}
wait_for 1 "sitegen: built in"
grep "sitegen: built in" "$log"
city=$site/cities/c$(printf %05d $((cities / 2))).yaml
for round in $(seq "$edits"); do
  # A new hotline and bank: every article of the city and its city page change.
  sed -i -e "s/service_hotline: \"[^\"]*\"/service_hotline: \"0731-$(printf %05d "$round")\"/" \
    -e "s/^  bank_example: [^{].*$/  bank_example: 第${round}银行/" "$city"
  wait_for "$round" "sitegen: rebuilt in"
  sleep 0.3 # lets the watcher settle so each edit is one rebuild
done
# With SITEGEN_TIMINGS set, serve logs each rebuild's stage times too.
grep -E "sitegen: (timing|rebuilt in)" "$log"
grep -o "rebuilt in [0-9.]* ms" "$log" | awk '{print $3}' | sort -n | awk -v n="$cities" '
  { v[NR] = $1 }
  END { printf "serve, one city edited, %d articles: median %.1f ms, range %.1f – %.1f ms over %d rebuilds\n",
        n * 20, v[int((NR + 1) / 2)], v[1], v[NR], NR }'
