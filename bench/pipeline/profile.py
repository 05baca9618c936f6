#!/usr/bin/python3
"""Where one implementation's cycles go in one case of the pipeline benchmark: starts it as
run.py does, samples the forwarding core (CPU 1) with `perf record -e cpu-clock -F 999` (the VM
has no hardware counters) while counting packets, and prints the hottest symbols as TSC cycles
per packet (sample share × measured cycles/packet).

    bench/pipeline/profile.py --impl espgw --suite aes128gcm --dir encap --tunnels 1 --size 64
        [--build build-pbench] [--seconds 6] [--top 30]

Needs the inputs run.sh generated (build-pbench/pipeline-cache). For source lines, build with
debug info (meson setup build-pprof -Ddebug=true, same -O3) and pass --build build-pprof, then
`perf annotate -i OUT.data --stdio -l SYMBOL`. Samples of other processes that the scheduler put
on CPU 1 are left out of the table (their share is printed).
"""
import argparse
import glob
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", default="espgw", choices=("espgw", "ipsec-secgw", "testpmd-io"))
    ap.add_argument("--suite", default="aes128gcm")
    ap.add_argument("--dir", default="encap")
    ap.add_argument("--tunnels", type=int, default=1)
    ap.add_argument("--size", default="64")
    ap.add_argument("--build", default="build-pbench")
    ap.add_argument("--secgw", default="build-pbench/ipsec-secgw/build/ipsec-secgw")
    ap.add_argument("--cache", default="build-pbench/pipeline-cache")
    ap.add_argument("--seconds", type=float, default=6)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--out", default="/tmp/espgw-pbench-profile.data")
    a = ap.parse_args()
    a.dataplane = os.path.join(a.build, "dataplane", "espgw-dataplane")
    a.control = os.path.join(a.build, "espgw-control")
    a.logdir = "/tmp/espgw-pbench-profile-logs"
    a.secgw_type = "cpu-crypto"
    os.makedirs(a.logdir, exist_ok=True)
    os.sched_setaffinity(0, {0})

    def one(pattern):
        found = sorted(glob.glob(os.path.join(a.cache, pattern)), key=os.path.getmtime)
        if not found:
            sys.exit(f"profile.py: no {pattern} in {a.cache}: run bench/pipeline/run.sh first")
        return found[-1]

    psuite = a.suite if a.dir == "decap" else "any"
    case = {"suite": a.suite, "dir": a.dir, "tunnels": a.tunnels, "size": a.size,
            "espgw_cfg": one(f"espgw-{a.suite}-t{a.tunnels}-*.cfg"),
            "secgw_cfg": one(f"secgw-cpu-crypto-{a.suite}-t{a.tunnels}-*.cfg"),
            "pcap": one(f"{a.dir}-{psuite}-t{a.tunnels}-{a.size}-*.pcap")}
    g = run.Gateway(a.impl, a, case, f"net_pcap0,rx_pcap={case['pcap']},infinite_rx=1",
                    "net_null0,no-rx=1", a.logdir)
    try:
        g.start()
        run.wait_for(lambda: g.counters()[1] > 0, 120, "forwarding")
        time.sleep(1)
        t0, tx0, _ = g.counters()
        c0, ctx0 = g.oncpu_counters()
        subprocess.run(["perf", "record", "-e", "cpu-clock", "-F", "999", "-C", "1", "-o", a.out,
                        "--", "sleep", str(a.seconds)], check=True, capture_output=True)
        t1, tx1, _ = g.counters()
        c1, ctx1 = g.oncpu_counters()
    finally:
        g.stop()
    pps = (tx1 - tx0) / (t1 - t0)
    # Shares are scaled by the forwarding thread's on-CPU cycles per packet, so time other
    # processes took from CPU 1 is charged to nobody (run.py's on-CPU figure).
    cyc = run.tsc_hz() * (c1 - c0) / max(1, ctx1 - ctx0)
    rep = subprocess.run(["perf", "report", "-i", a.out, "--no-children", "--sort",
                          "comm,dso,symbol", "--stdio", "-g", "none"],
                         capture_output=True, text=True).stdout
    rows, other = [], 0.0
    for line in rep.splitlines():
        parts = line.split()
        if not parts or not parts[0].endswith("%") or line.lstrip().startswith("#"):
            continue
        share = float(parts[0].rstrip("%"))
        comm = parts[1]
        if not (comm.startswith("rte-worker") or comm.startswith("lcore") or
                comm in ("ipsec-secgw", "dpdk-testpmd", "espgw-dataplan")):
            other += share
            continue
        dso, sym = parts[2], " ".join(parts[4:]) if parts[3] == "[.]" or parts[3] == "[k]" \
            else " ".join(parts[3:])
        rows.append((share, dso, sym))
    mine = sum(r[0] for r in rows) or 1.0
    print(f"{a.impl} {a.suite} {a.dir} t{a.tunnels} {a.size}: {pps / 1e6:.2f} Mpps, "
          f"{cyc:.0f} on-CPU cycles/packet while sampled; other processes on CPU 1: "
          f"{other:.1f}% of samples")
    by_dso = {}
    for share, dso, _ in rows:
        by_dso[dso] = by_dso.get(dso, 0) + share
    print("by object: " + ", ".join(f"{d} {s / mine * cyc:.0f}" for d, s in
                                    sorted(by_dso.items(), key=lambda x: -x[1])))
    for share, dso, sym in rows[:a.top]:
        print(f"{share / mine * cyc:7.1f}  {share / mine * 100:5.1f}%  {dso:28s} {sym[:90]}")


if __name__ == "__main__":
    main()
