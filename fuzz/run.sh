#!/usr/bin/env bash
# Runs each fuzz target for a while (default 60 s) and prints executions and crashes.
# Not part of `cargo test`. Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable
# toolchain RUSTC_BOOTSTRAP=1 lets it use the unstable flags libFuzzer needs.
#
#   fuzz/run.sh            # 60 s per target
#   fuzz/run.sh 300 city   # 300 s, one target
#
# Crashes are written to fuzz/artifacts/<target>/; turn each into a corpus case under
# tests/corpus/ (see tests/integration/hostile.rs) before fixing it.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(city topic_body site request)
export RUSTC_BOOTSTRAP=1
cargo fuzz build -s none >/dev/null
total_execs=0
total_crashes=0
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    before=$(ls "artifacts/$t" | wc -l)
    log="$(mktemp)"
    # -s none: no sanitizer (stable toolchain); Rust code is memory-safe, we hunt panics,
    # hangs (-timeout) and memory blow-ups (-rss_limit_mb).
    cargo fuzz run -s none "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -close_fd_mask=3 >"$log" 2>&1 || true
    execs=$(grep -a 'stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1)
    execs="${execs:-0}"
    after=$(ls "artifacts/$t" | wc -l)
    crashes=$((after - before))
    echo "$t: ${execs} executions in ${seconds} s, ${crashes} new crash(es)"
    if [ "$crashes" -gt 0 ]; then
        grep -a -m5 -E 'panicked|ERROR|deadly|Test unit written' "$log" || true
    fi
    total_execs=$((total_execs + execs))
    total_crashes=$((total_crashes + crashes))
    rm -f "$log"
done
echo "total: ${total_execs} executions, ${total_crashes} crash(es)"
