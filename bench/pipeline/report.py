"""Markdown report of the full-pipeline benchmark (tables from pipeline.json's records)."""
import os

GOAL_RATIO = 2.0  # espgw >= 2x ipsec-secgw's packets/s per core
GOAL_SCALING = 0.10  # <= 10% throughput loss from 1 SA to 10,000 SAs
SIZES = ("64", "512", "1420", "imix")
IO = "testpmd-io"


def _key(r):
    return (r["suite"], r["dir"], r["tunnels"], r["size"])


def _cell(r):
    return "–" if r is None else f"{r['mpps']:.2f} ({r['cycles_per_packet']:.0f})"


def _index(records):
    return {(r["impl"],) + _key(r): r for r in records}


def _order(records):
    seen = []
    for r in records:
        k = _key(r)
        if k not in seen:
            seen.append(k)
    return sorted(seen, key=lambda k: (k[0], k[1] != "encap", k[2],
                                       SIZES.index(k[3]) if k[3] in SIZES else 9))


def floor_of(meta, idx, k, bound=False):
    """(I/O floor, crypto floor) cycles for a case, or None: testpmd io forwarding of the same
    pcap (that of the lowest tunnel count if not timed), and the engine benchmark's crypto-only
    cycles (1 SA for one tunnel, its 10,000-SA figure for the largest tunnel count). With
    `bound`, a tunnel count in between gets the one-tunnel floors: both only grow with the
    number of tunnels, so the ceiling computed from them is an upper bound."""
    low = min(t for (_, _, _, t, _) in idx)
    io = idx.get((IO,) + k) or idx.get((IO, k[0], k[1], low, k[3]))
    cf = meta.get("crypto_floor", {})
    high = max(t for (_, _, _, t, _) in idx)
    if k[2] == low:
        n_sa = 1
    elif k[2] == high:
        n_sa = 10000
    else:
        n_sa = 1 if bound else None
    crypto = cf.get(f"{k[0]}/{k[3]}/{k[1]}/{n_sa}") if n_sa else None
    if io is None or crypto is None:
        return None
    return io["cycles_per_packet"], crypto


def _ceiling(meta, idx, k, s):
    """The ceiling cell: exact at the lowest and highest tunnel counts, '≤ x' in between."""
    if s is None:
        return "–"
    fl = floor_of(meta, idx, k)
    if fl:
        return f"{s['cycles_per_packet'] / sum(fl):.2f}x"
    fl = floor_of(meta, idx, k, bound=True)
    return f"≤ {s['cycles_per_packet'] / sum(fl):.2f}x" if fl else "–"


def ratio_table(meta, records):
    idx = _index(records)
    out = ["| suite | dir | tunnels (SAs) | size | espgw Mpps (cyc/pkt) | ipsec-secgw Mpps "
           "(cyc/pkt) | espgw / ipsec-secgw | goal ≥ 2x | ceiling |",
           "|---|---|---:|---|---:|---:|---:|---|---:|"]
    for k in _order(records):
        e, s = idx.get(("espgw",) + k), idx.get(("ipsec-secgw",) + k)
        ratio = e["mpps"] / s["mpps"] if e and s else None
        verdict = "–" if ratio is None else ("met" if ratio >= GOAL_RATIO else "**missed**")
        rs = "–" if ratio is None else f"{ratio:.2f}x"
        ceil = _ceiling(meta, idx, k, s)
        out.append(f"| {k[0]} | {k[1]} | {k[2]} ({2 * k[2]}) | {k[3]} | {_cell(e)} | "
                   f"{_cell(s)} | {rs} | {verdict} | {ceil} |")
    return "\n".join(out) + "\n"


def floor_table(meta, records):
    idx = _index(records)
    out = ["| suite | dir | tunnels | size | I/O floor (testpmd io) | crypto only (engine bench) "
           "| sum | espgw − sum | ipsec-secgw − sum |", "|---|---|---:|---|---:|---:|---:|---:|---:|"]
    for k in _order(records):
        fl = floor_of(meta, idx, k)
        if fl is None:
            continue
        e, s = idx.get(("espgw",) + k), idx.get(("ipsec-secgw",) + k)
        tot = sum(fl)
        d = lambda r: "–" if r is None else f"{r['cycles_per_packet'] - tot:+.0f}"  # noqa: E731
        out.append(f"| {k[0]} | {k[1]} | {k[2]} | {k[3]} | {fl[0]:.0f} | {fl[1]:.0f} | "
                   f"{tot:.0f} | {d(e)} | {d(s)} |")
    return "\n".join(out) + "\n"


def scaling_table(meta, records):
    idx = _index(records)
    tunnels = sorted({r["tunnels"] for r in records if r["impl"] != IO})
    if len(tunnels) < 2:
        return "(one tunnel count only)\n"
    lo, hi = tunnels[0], tunnels[-1]
    mid = tunnels[1:-1]
    head = (f"| suite | dir | size | espgw {lo} → " + "".join(f"{m} → " for m in mid) +
            f"{hi} tunnels | change {lo} → {hi} | goal ≤ 10% loss | ipsec-secgw {lo} → " +
            "".join(f"{m} → " for m in mid) + f"{hi} | change | floors {lo} → {hi} |")
    out = [head, "|---|---|---|---:|---:|---|---:|---:|---:|"]
    for k in _order(records):
        if k[2] != lo:
            continue
        row = [k[0], k[1], k[3]]
        for impl in ("espgw", "ipsec-secgw"):
            series = [idx.get((impl, k[0], k[1], t, k[3])) for t in tunnels]
            a, b = series[0], series[-1]
            if a is None or b is None:
                row += ["–", "–"] + (["–"] if impl == "espgw" else [])
                continue
            ch = b["mpps"] / a["mpps"] - 1
            row += [" → ".join("–" if r is None else f"{r['mpps']:.2f}" for r in series),
                    f"{ch * 100:+.1f}%"]
            if impl == "espgw":
                row.append("met" if -ch <= GOAL_SCALING else "**missed**")
        # What the floors alone lose: a gateway costing nothing but I/O and crypto would lose
        # this much from the lowest to the highest tunnel count.
        fa, fb = floor_of(meta, idx, k), floor_of(meta, idx, (k[0], k[1], hi, k[3]))
        row.append("–" if fa is None or fb is None else f"{sum(fa) / sum(fb) * 100 - 100:+.1f}%")
        out.append("| " + " | ".join(row) + " |")
    return "\n".join(out) + "\n"


def verify_table(checks):
    if not checks:
        return "Functional check skipped (--no-verify).\n"
    out = ["| impl | suite | dir | tunnels | packets in → out | result |",
           "|---|---|---|---:|---:|---|"]
    for c in checks:
        res = "ok" if c["ok"] else "**FAILED**: " + "; ".join(c["errors"])
        out.append(f"| {c['impl']} | {c['suite']} | {c['dir']} | {c['tunnels']} | "
                   f"{c['packets_in']} → {c['packets_out']} | {res} |")
    return "\n".join(out) + "\n"


def losses(records):
    bad = [r for r in records if r["loss"] > 0.005]
    if not bad:
        return ("No implementation lost more than 0.5% of the packets it received while timed "
                "(received minus sent on its ports).\n")
    return "".join(f"- {r['impl']} {r['suite']} {r['dir']} t{r['tunnels']} {r['size']}: "
                   f"{r['loss'] * 100:.2f}% of received packets not sent\n" for r in bad)


def markdown(meta, records):
    cmds = meta.get("example_cmdlines", {})
    cf = meta.get("crypto_floor", {})
    lines = [
        "# Full-pipeline benchmark: espgw gateway vs DPDK ipsec-secgw, one forwarding core",
        "",
        f"- Command: `{meta['command']}`",
        f"- espgw: {meta['espgw_rev']}; ipsec-secgw: DPDK 22.11 example from dpdk-doc, SAs "
        f"`type {meta.get('secgw_type', 'cpu-crypto')}`, library mode (`-l`)",
        f"- Date: {meta['date']}; whole run {meta['run_seconds']:.0f} s",
        f"- CPU: {meta['cpu']} (TSC {meta['tsc_hz'] / 1e9:.3f} GHz), 2 vCPUs shared with "
        f"other sessions; load average (1/5/15 min) before {meta['load_before']}, after "
        f"{meta['load_after']} (waited {meta.get('waited_for_load_s', 0)} s for it)",
        f"- Per case and implementation: {meta['reps']} process start(s) × "
        f"{meta['windows_per_rep']} windows of {meta['window_s']} s after {meta['warmup_s']} s of "
        "forwarding; implementations interleaved case by case (order flipped every time). "
        "Cells are medians of all windows: Mpps (TSC cycles per packet = TSC Hz / packets per "
        "second of the one forwarding core)",
        "",
        "## espgw vs ipsec-secgw",
        "",
        "*ceiling*: the best ratio any implementation could reach against this ipsec-secgw "
        "figure: ipsec-secgw's cycles over (I/O floor + crypto-only floor), i.e. a gateway whose "
        "ESP, SPD, routing and ARP cost nothing (see the floor table). Between the lowest and "
        "the highest tunnel count the floors are not timed; there the one-tunnel floors stand "
        "in (both grow with the number of tunnels), so *≤ x* is an upper bound on the ceiling.",
        "",
        ratio_table(meta, records),
        "## Above the floors",
        "",
        "I/O floor: `dpdk-testpmd --forward-mode=io` on the same ports and pcap (rx copies the "
        "cached packet into a fresh mbuf, tx frees it; the pcap of 5,000 tunnels holds 5x more "
        "packets than that of one, so its copies miss the caches more). Crypto only: "
        f"`{cf.get('source', '?')}` (engine {cf.get('engine_rev', '?')}), bare intel-ipsec-mb "
        "floor minus its mbuf alloc+copy+free baseline; its 10,000-SA figure is used for the "
        "largest tunnel count.",
        "",
        floor_table(meta, records),
        "## Scaling from one tunnel to many",
        "",
        scaling_table(meta, records),
        "## Drops during timing",
        "",
        losses(records),
        "## Functional check before timing",
        "",
        "The IMIX pcap of every suite × direction × tunnel count went once through each "
        "implementation into a `tx_pcap`; every output packet was checked with scapy "
        "(encap: decrypted with the SA's keys; both: inner packet equal to the one sent, right "
        "next-hop MAC, none missing or duplicated).",
        "",
        verify_table(meta.get("verify", [])),
        "## Exact commands (first case; the others differ in files)",
        "",
    ]
    for name, c in cmds.items():
        if c:
            lines.append(f"- {name}: `{' '.join(c)}`")
    lines.append("")
    here = os.path.dirname(os.path.abspath(__file__))
    for notes in (os.path.join(here, "method.md"),
                  os.path.join(here, "..", "results", "pipeline_profile.md")):
        if os.path.exists(notes):
            with open(notes) as f:
                lines.append(f.read())
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    # Rewrites the Markdown from a results JSON, e.g. after editing pipeline_profile.md:
    #   bench/pipeline/report.py bench/results/pipeline.json bench/results/pipeline.md
    import json
    import sys
    with open(sys.argv[1]) as f:
        data = json.load(f)
    with open(sys.argv[2], "w") as f:
        f.write(markdown(data["meta"], data["records"]))
