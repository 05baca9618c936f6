#!/bin/sh
# Builds and runs the ESP engine benchmark on one core with hugepages, and writes
# bench/results/esp_engine.json and bench/results/esp_engine.md. Extra arguments go to
# espgw-esp-bench (e.g. --suites aes128gcm --sizes 64 --reps 9). A full run takes ~2-4 min.
#   bench/run_esp_bench.sh [espgw-esp-bench options...]
set -eu
cd "$(dirname "$0")/.."
dir="${ESPGW_BENCH_BUILD:-build-bench}"
scripts/hugepages.sh
if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" -Dbench=true -Dtests=false >/dev/null
fi
ninja -C "$dir" bench/espgw-esp-bench
mkdir -p bench/results
# Which engine was measured: the commit, and whether engine sources had uncommitted changes.
rev="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git status --porcelain -- crypto sadb dataplane 2>/dev/null)" ]; then
    rev="$rev + uncommitted engine changes"
fi
"$dir/bench/espgw-esp-bench" --invoked-as "bench/run_esp_bench.sh $*" --engine-rev "$rev" \
    --json bench/results/esp_engine.json --md bench/results/esp_engine.md "$@"
# The profile analysis is written by hand after a perf/callgrind session; keep it with the table.
if [ -f bench/results/esp_engine_profile.md ]; then
    printf '\n' >> bench/results/esp_engine.md
    cat bench/results/esp_engine_profile.md >> bench/results/esp_engine.md
fi
