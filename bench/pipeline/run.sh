#!/bin/bash
# Full-pipeline benchmark: the espgw gateway (espgw-dataplane + espgw-control) against DPDK's
# ipsec-secgw on one forwarding core, net_pcap replay in, net_null out. Builds what it needs,
# reserves hugepages, waits for a quiet machine, runs every case and writes
# bench/results/pipeline.json and bench/results/pipeline.md. A full run takes ~15 min (plus
# ~3 min the first time, to generate the ESP pcaps with scapy).
#
#   bench/pipeline/run.sh [run.py options, e.g. --sizes 64 --tunnels 1 --reps 1]
#
# Environment: ESPGW_PBENCH_BUILD (default build-pbench), ESPGW_PBENCH_MAX_LOAD (default 1.2:
# wait up to ESPGW_PBENCH_LOAD_WAIT seconds, default 1200, for the 1-minute load average to drop
# below it; the run starts anyway after that and the report states the load),
# ESPGW_PBENCH_OUT (default bench/results/pipeline).
set -euo pipefail
cd "$(dirname "$0")/../.."
build="${ESPGW_PBENCH_BUILD:-build-pbench}"
out="${ESPGW_PBENCH_OUT:-bench/results/pipeline}"
max_load="${ESPGW_PBENCH_MAX_LOAD:-1.2}"
load_wait="${ESPGW_PBENCH_LOAD_WAIT:-1200}"

scripts/hugepages.sh
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
if [ "${free:-0}" -lt 128 ]; then
    echo "pipeline bench: only ${free:-0} free 2 MiB hugepages; it needs 128 (scripts/hugepages.sh)" >&2
    exit 1
fi

# espgw: a release build of its own (meson's default buildtype here is release).
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" -Dbench=true -Dtests=false >/dev/null
fi
ninja -C "$build" dataplane/espgw-dataplane espgw-control mgmt/espgw >/dev/null
# The revision the binaries are built from (taken now: the sources may change during the run).
rev="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git status --porcelain -- crypto sadb dataplane control 2>/dev/null)" ]; then
    rev="$rev + uncommitted changes"
fi

# ipsec-secgw: Debian's dpdk-doc example, built as shipped (make, pkg-config libdpdk) in the
# build directory, never committed. One change: its port configuration asks every port for Rx
# checksum offload, which no virtual PMD has (net_pcap, net_null: "required RX offloads: 0xe,
# available 0x0"), so it refuses to start. ipsec-secgw never reads the Rx checksum flags, so
# dropping the request changes no work it does.
secgw_src=/usr/share/dpdk/examples/ipsec-secgw
secgw_dir="$build/ipsec-secgw"
secgw="$secgw_dir/build/ipsec-secgw"
if [ ! -x "$secgw" ]; then
    [ -d "$secgw_src" ] || { echo "pipeline bench: install dpdk-doc ($secgw_src)" >&2; exit 1; }
    rm -rf "$secgw_dir"
    cp -r "$secgw_src" "$secgw_dir"
    sed -i 's/^\t\t\.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM,$/\t\t.offloads = 0,/' \
        "$secgw_dir/ipsec-secgw.c"
    grep -q '^		.offloads = 0,$' "$secgw_dir/ipsec-secgw.c" ||
        { echo "pipeline bench: ipsec-secgw.c changed; update the Rx offload edit" >&2; exit 1; }
    make -C "$secgw_dir" -j2 >"$secgw_dir/make.log" 2>&1 ||
        { tail -20 "$secgw_dir/make.log" >&2; exit 1; }
fi

# A shared two-core machine: wait for the others to calm down (the worker needs core 1).
waited=0
while awk -v m="$max_load" '{exit !($1 >= m)}' /proc/loadavg && [ "$waited" -lt "$load_wait" ]; do
    echo "pipeline bench: load average $(cut -d' ' -f1 /proc/loadavg) >= $max_load, waiting" >&2
    sleep 30
    waited=$((waited + 30))
done

mkdir -p "$(dirname "$out")"
/usr/bin/python3 bench/pipeline/run.py --build "$build" --secgw "$secgw" \
    --cache "$build/pipeline-cache" --logdir "$build/pipeline-logs" \
    --invoked-as "bench/pipeline/run.sh $*" --espgw-rev "$rev" --waited-s "$waited" \
    --json "$out.json" --md "$out.md" "$@"
