#!/bin/bash
# A/B of two espgw builds on the full pipeline, for a change too small for the whole benchmark
# to see: one case at a time, A and B alternating (order flipped every round) in one session so
# both see the same machine, then the per-round cycles and the medians. Both builds must hold
# espgw-dataplane, espgw-control and mgmt/espgw (bench/pipeline/run.sh makes them); the
# configs and pcaps come from B's pipeline cache (run.sh generates it).
#
#   bench/pipeline/ab.sh A_BUILD B_BUILD [ROUNDS] [run.py case options]
#   e.g. bench/pipeline/ab.sh /tmp/old/build-pbench build-pbench 5 --suites aes128gcm --sizes 64
set -euo pipefail
cd "$(dirname "$0")/../.."
a=$1 b=$2 rounds=${3:-5}
shift $(( $# < 3 ? $# : 3 ))
case_args=("$@")
[ ${#case_args[@]} -eq 0 ] && case_args=(--suites aes128gcm --sizes 64 --tunnels 1)
secgw="$b/ipsec-secgw/build/ipsec-secgw"
work=$(mktemp -d)
for r in $(seq 1 "$rounds"); do
    for dir in encap decap; do
        order="A B"
        [ $((r % 2)) -eq 0 ] && order="B A"
        for w in $order; do
            build=$a
            [ "$w" = B ] && build=$b
            /usr/bin/python3 bench/pipeline/run.py --build "$build" --secgw "$secgw" \
                --cache "$b/pipeline-cache" --logdir "$work/logs" --dirs "$dir" \
                --impls espgw --reps 1 --windows 3 --io-floor 0 --no-verify \
                --json "$work/$w-$dir-$r.json" --md "$work/$w-$dir-$r.md" "${case_args[@]}" \
                >/dev/null 2>&1 || echo "ab: run $w $dir round $r failed" >&2
        done
    done
done
/usr/bin/python3 - "$work" <<'PY'
import glob, json, re, statistics, sys
rows = {}
for f in glob.glob(sys.argv[1] + "/*.json"):
    w, d, r = re.search(r"/([AB])-(encap|decap)-(\d+)\.json$", f).groups()
    for rec in json.load(open(f))["records"]:
        key = (rec["suite"], rec["size"], rec["tunnels"], d)
        rows.setdefault(key, {}).setdefault(w, {})[int(r)] = rec["cycles_per_packet"]
print("| suite | size | tunnels | dir | A cycles/packet by round | B cycles/packet by round "
      "| A median | B median | B - A |")
print("|---|---|---:|---|---|---|---:|---:|---:|")
for (s, z, t, d), v in sorted(rows.items()):
    a, b = v.get("A", {}), v.get("B", {})
    ma, mb = statistics.median(a.values()), statistics.median(b.values())
    fmt = lambda x: " ".join(str(round(x[k])) for k in sorted(x))
    print(f"| {s} | {z} | {t} | {d} | {fmt(a)} | {fmt(b)} | {ma:.0f} | {mb:.0f} | {mb - ma:+.0f} |")
PY
rm -rf "$work"
