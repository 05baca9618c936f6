#!/bin/bash
# A/B of two builds of the ESP engine benchmark (espgw-esp-bench), for a change of a few cycles
# per packet: runs A and B alternately (order flipped every round) on the same cases, then prints
# espgw's cycles per packet by round, the medians, and the crypto-only floor measured in the
# same runs.
#
#   bench/esp_ab.sh A_BENCH B_BENCH [ROUNDS] [espgw-esp-bench case options]
#   e.g. bench/esp_ab.sh /tmp/old/build-bench/bench/espgw-esp-bench \
#            build-bench/bench/espgw-esp-bench 9 --suites aes128gcm --sizes 64 --sas 1
# ESP_AB_IMPL names the espgw contender compared (default espgw-ipsecmb; e.g.
# espgw-ipsecmb-replay1024 with --dirs roundtrip).
set -euo pipefail
cd "$(dirname "$0")/.."
a=$1 b=$2 rounds=${3:-9}
impl=${ESP_AB_IMPL:-espgw-ipsecmb}
shift $(( $# < 3 ? $# : 3 ))
case_args=("$@")
[ ${#case_args[@]} -eq 0 ] && case_args=(--suites aes128gcm,aes128cbc-sha1 --sizes 64 --sas 1)
scripts/hugepages.sh >/dev/null
work=$(mktemp -d)
for r in $(seq 1 "$rounds"); do
    order="A B"
    [ $((r % 2)) -eq 0 ] && order="B A"
    for w in $order; do
        bin=$a
        [ "$w" = B ] && bin=$b
        "$bin" --impls "$impl",floor-ipsecmb-job --reps 5 --json "$work/$w-$r.json" \
            --md "$work/$w-$r.md" "${case_args[@]}" >/dev/null 2>&1 ||
            echo "esp_ab: run $w round $r failed" >&2
    done
done
/usr/bin/python3 - "$work" "$impl" <<'PY'
import glob, json, re, statistics, sys
impl = sys.argv[2]
rows = {}
for f in glob.glob(sys.argv[1] + "/*.json"):
    w, r = re.search(r"/([AB])-(\d+)\.json$", f).groups()
    for rec in json.load(open(f))["records"]:
        key = (rec["suite"], str(rec["size"]), rec["n_sa"], rec["direction"])
        rows.setdefault(key, {}).setdefault((rec["impl"], w), {})[int(r)] = rec["cycles_per_packet"]
print("| suite | size | SAs | dir | A espgw by round | B espgw by round | A median | B median "
      "| B - A | floor A / B |")
print("|---|---|---:|---|---|---|---:|---:|---:|---|")
med = lambda d: statistics.median(d.values()) if d else float("nan")
fmt = lambda d: " ".join(str(round(d[k])) for k in sorted(d))
for (s, z, n, d), v in sorted(rows.items()):
    ea, eb = v.get((impl, "A"), {}), v.get((impl, "B"), {})
    fa, fb = v.get(("floor-ipsecmb-job", "A"), {}), v.get(("floor-ipsecmb-job", "B"), {})
    print(f"| {s} | {z} | {n} | {d} | {fmt(ea)} | {fmt(eb)} | {med(ea):.0f} | {med(eb):.0f} "
          f"| {med(eb) - med(ea):+.0f} | {med(fa):.0f} / {med(fb):.0f} |")
PY
rm -rf "$work"
