#!/usr/bin/python3
"""Full-pipeline benchmark: espgw (espgw-dataplane configured by espgw-control) against DPDK's
ipsec-secgw, same SAs, SPD, virtual ports and forwarding core. Called by run.sh, which builds
both; see bench/README.md.

Each case (suite x direction x tunnels x size) starts each implementation afresh on a replayed
pcap (net_pcap infinite_rx, the port the traffic enters) and a net_null sink (the port it
leaves), lets it warm up, then reads the sink's tx counter over fixed windows through the DPDK
telemetry socket (/ethdev/stats: the same counter for both). The implementations alternate
within a case (and the order flips every repetition) so they see the same machine noise.
Before timing, a functional run per suite x tunnels x direction sends the IMIX pcap once
through each implementation into a tx_pcap and checks every output packet with scapy.
"""
import argparse
import datetime
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

IMPLS = ("espgw", "ipsec-secgw")
OUTSIDE, INSIDE = 0, 1  # DPDK port ids, fixed by the vdev order
EAL_COMMON = ["--no-pci", "--in-memory", "--log-level=lib.eal:error"]


def log(msg):
    print(f"[pbench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Telemetry:
    """Client of DPDK's telemetry v2 socket (one JSON reply per command)."""

    def __init__(self, prefix):
        self.path = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
        self.sock = None

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.connect(self.path)
        s.recv(4096)  # greeting
        self.sock = s

    def query(self, cmd):
        self.sock.send(cmd.encode())
        return json.loads(self.sock.recv(1 << 16))

    def port(self, p):
        return self.query(f"/ethdev/stats,{p}")["/ethdev/stats"]

    def close(self):
        if self.sock is not None:
            self.sock.close()


def all_cpus():
    # Children get every CPU back: the runner itself stays off the forwarding core.
    os.sched_setaffinity(0, range(os.cpu_count()))


def stop_proc(p, sig=signal.SIGINT, timeout=15):
    if p is None or p.poll() is not None:
        return
    p.send_signal(sig)
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def wait_for(pred, timeout, what):
    t_end = time.monotonic() + timeout
    while time.monotonic() < t_end:
        if pred():
            return
        time.sleep(0.05)
    raise RuntimeError(f"timeout waiting for {what}")


class Gateway:
    """One running implementation: ports, processes, telemetry."""
    seq = 0

    def __init__(self, impl, args, case, src_vdev, sink_vdev, logdir):
        Gateway.seq += 1
        self.impl, self.args, self.case = impl, args, case
        self.prefix = f"pb{os.getpid()}x{Gateway.seq}"
        self.logdir = logdir
        self.procs = []
        enc = case["dir"] == "encap"
        # Port 0 outside, port 1 inside: the pcap feeds the side the traffic enters.
        self.vdevs = [sink_vdev, src_vdev] if enc else [src_vdev, sink_vdev]
        self.src_port, self.sink_port = (INSIDE, OUTSIDE) if enc else (OUTSIDE, INSIDE)
        self.tele = Telemetry(self.prefix)

    def logf(self, name):
        return open(os.path.join(self.logdir, f"{self.prefix}-{name}.log"), "w")

    def eal(self, lcores):
        v = []
        for d in self.vdevs:
            v += ["--vdev", d]
        return ["-l", lcores] + EAL_COMMON + ["--file-prefix", self.prefix] + v

    def start(self):
        c = self.case
        if self.impl == "espgw":
            cmd = ([self.args.dataplane] + self.eal("0,1") +
                   ["--", "--instance", self.prefix, "--idle-backoff", "off"])
            self.procs.append(subprocess.Popen(cmd, stdout=self.logf("dataplane"),
                                               stderr=subprocess.STDOUT, preexec_fn=all_cpus))
            self.cmdline = cmd
            wait_for(lambda: os.path.exists(self.tele.path) or self.dead(), 30, "dataplane")
            self.check_alive()
            ctl_log = os.path.join(self.logdir, f"{self.prefix}-control.log")
            ccmd = [self.args.control, "--instance", self.prefix, "--config", c["espgw_cfg"]]
            self.procs.append(subprocess.Popen(ccmd, stdout=open(ctl_log, "w"),
                                               stderr=subprocess.STDOUT, preexec_fn=all_cpus))
            self.ctl_cmdline = ccmd
            wait_for(lambda: "SYS-5-CONFIG_I" in open(ctl_log).read() or self.dead(), 120,
                     "espgw-control to configure the dataplane")
            self.check_alive()
        elif self.impl == "testpmd-io":
            # The I/O floor: rx from the replayed pcap, tx to the sink, nothing in between.
            cmd = (["dpdk-testpmd"] + self.eal("0,1") +
                   ["--", "--forward-mode=io", "--nb-cores=1", "--auto-start",
                    "--total-num-mbufs=16383", "--no-lsc-interrupt", "--no-rmv-interrupt"])
            # Non-interactive testpmd runs until a byte arrives on stdin: keep it open.
            self.procs.append(subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                               stdout=self.logf("testpmd"),
                                               stderr=subprocess.STDOUT, preexec_fn=all_cpus))
            self.cmdline = cmd
            wait_for(lambda: os.path.exists(self.tele.path) or self.dead(), 30, "testpmd")
            self.check_alive()
        else:
            cmd = ([self.args.secgw] + self.eal("1") + ["--vdev", "crypto_aesni_mb0", "--",
                   "-p", "0x3", "-P", "-u", "0x1", "-l", "-w", "0", "-s", "16383", "--mtu", "2000",
                   "-f", c["secgw_cfg"], "--config", "(0,0,1),(1,0,1)"])
            self.procs.append(subprocess.Popen(cmd, stdout=self.logf("secgw"),
                                               stderr=subprocess.STDOUT, preexec_fn=all_cpus))
            self.cmdline = cmd
            wait_for(lambda: os.path.exists(self.tele.path) or self.dead(), 120, "ipsec-secgw")
            self.check_alive()
        wait_for(self.try_connect, 10, "telemetry")

    def try_connect(self):
        try:
            self.tele.connect()
            return True
        except OSError:
            return False

    def dead(self):
        return any(p.poll() is not None for p in self.procs)

    def check_alive(self):
        if self.dead():
            raise RuntimeError(f"{self.impl} exited early; logs in {self.logdir}/{self.prefix}-*")

    def counters(self):
        """(monotonic time, sink tx packets, source rx packets)."""
        t0 = time.monotonic()
        tx = self.tele.port(self.sink_port)["opackets"]
        t1 = time.monotonic()
        rx = self.tele.port(self.src_port)["ipackets"]
        return (t0 + t1) / 2, tx, rx

    def forwarding_thread(self):
        """/proc path of the thread that forwards on lcore 1: DPDK 22.11 names a worker lcore's
        thread rte-worker-1 (lcore-worker-1 in later releases); ipsec-secgw (-l 1) forwards on
        its main thread."""
        pid = self.procs[0].pid
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                if f.read().strip() in ("rte-worker-1", "lcore-worker-1"):
                    return f"/proc/{pid}/task/{tid}"
        return f"/proc/{pid}/task/{pid}"

    def oncpu_counters(self):
        """(seconds the forwarding thread ran on a CPU, sink tx packets): the scheduler's run
        time (schedstat), so time other processes took from the core is not charged."""
        if not hasattr(self, "fwd_thread"):
            self.fwd_thread = self.forwarding_thread()
        with open(self.fwd_thread + "/schedstat") as f:
            ran = int(f.read().split()[0]) / 1e9
        return ran, self.tele.port(self.sink_port)["opackets"]

    def stop(self):
        self.tele.close()
        for p in reversed(self.procs):  # control first (SIGTERM), then the dataplane
            stop_proc(p, signal.SIGTERM if p is not self.procs[0] else signal.SIGINT)
        self.check_leftovers()

    def check_leftovers(self):
        d = f"/var/run/dpdk/{self.prefix}"
        if os.path.isdir(d):
            for f in os.listdir(d):
                try:
                    os.unlink(os.path.join(d, f))
                except OSError:
                    pass
            try:
                os.rmdir(d)
            except OSError:
                pass


# ---------------------------------------------------------------------------------------------
# Inputs

def gen_version():
    import hashlib
    with open(gen.__file__, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:10]


def ensure_inputs(args, cases):
    """Generates (or reuses) configs and pcaps; returns nothing, fills case paths."""
    os.makedirs(args.cache, exist_ok=True)
    ver = gen_version()
    jobs = {}
    for c in cases:
        t, s = c["tunnels"], c["suite"]
        c["espgw_cfg"] = os.path.join(args.cache, f"espgw-{s}-t{t}-{ver}.cfg")
        c["secgw_cfg"] = os.path.join(args.cache, f"secgw-{args.secgw_type}-{s}-t{t}-{ver}.cfg")
        psuite = s if c["dir"] == "decap" else "any"  # encap input is plain: any suite
        c["pcap"] = os.path.join(args.cache,
                                 f"{c['dir']}-{psuite}-t{t}-{c['size']}-{ver}.pcap")
        jobs[c["espgw_cfg"]] = ["espgw-config", "--suite", s, "--tunnels", str(t)]
        jobs[c["secgw_cfg"]] = ["secgw-config", "--suite", s, "--tunnels", str(t),
                                "--secgw-type", args.secgw_type]
        jobs[c["pcap"]] = ["pcap", "--suite", s, "--tunnels", str(t), "--size", c["size"],
                           "--dir", c["dir"]]
    todo = [(out, a) for out, a in jobs.items() if not os.path.exists(out)]
    if todo:
        log(f"generating {len(todo)} configs/pcaps in {args.cache}")
    running = []
    for out, a in todo:
        while len(running) >= 2:
            running = [r for r in running if not reap(r)]
            time.sleep(0.05)
        running.append((subprocess.Popen([sys.executable, gen.__file__] + a +
                                         ["--out", out + ".tmp"]), out))
    while running:
        running = [r for r in running if not reap(r)]
        time.sleep(0.05)


def reap(r):
    p, out = r
    if p.poll() is None:
        return False
    if p.returncode != 0:
        raise RuntimeError(f"gen.py failed for {out}")
    os.rename(out + ".tmp", out)
    return True


# ---------------------------------------------------------------------------------------------
# Functional check: every output packet is the right ESP (or inner) packet.

def verify(args, impl, case):
    from scapy.layers.inet import IP
    from scapy.layers.ipsec import ESP, SecurityAssociation
    from scapy.utils import rdpcap
    out = os.path.join(args.logdir, f"verify-{impl}-{case['suite']}-{case['dir']}-"
                       f"t{case['tunnels']}.pcap")
    if os.path.exists(out):
        os.unlink(out)
    n_in = gen.pcap_len(case["tunnels"])
    g = Gateway(impl, args, case, f"net_pcap0,rx_pcap={case['pcap']}",
                f"net_pcap1,tx_pcap={out}", args.logdir)
    try:
        g.start()
        last = [-1, time.monotonic()]

        def done():
            _, tx, _ = g.counters()
            if tx != last[0]:
                last[0], last[1] = tx, time.monotonic()
            return tx >= n_in or time.monotonic() - last[1] > 2

        wait_for(done, 60, "the functional run")
    finally:
        g.stop()
    frames = rdpcap(out)
    inputs = {}
    for f in rdpcap(case["pcap"]):
        ip = f[IP]
        if case["dir"] == "decap":
            continue
        inputs[(ip.src, ip.dst, ip.id)] = bytes(ip.payload)
    tunnels, suite = case["tunnels"], case["suite"]
    if case["dir"] == "decap":
        for k, size in enumerate(gen.sizes(case["size"], n_in)):
            i = k % tunnels
            host = 1 + (k // tunnels) % 2
            ip = gen.inner_packet(gen.remote_net(i) + host, gen.local_net(i) + host, size, k)
            inputs[(ip.src, ip.dst, ip.id)] = bytes(ip.payload)
    errors = []
    seen = set()
    sas = {}
    want_mac = gen.MAC_OUTSIDE_NH if case["dir"] == "encap" else gen.MAC_INSIDE_NH
    for f in frames:
        if f.dst != want_mac:
            errors.append(f"destination MAC {f.dst}")
            continue
        ip = IP(bytes(f.payload))
        if not ipv4_checksum_ok(bytes(f.payload)):
            errors.append(f"bad IPv4 header checksum {ip.src}->{ip.dst}")
            continue
        if case["dir"] == "encap":
            spi = ip[ESP].spi
            i = gen.TUNNEL_OF_OUT_SPI.get(spi, -1)
            if not 0 <= i < tunnels or ip.dst != str(gen.peer(i)) or ip.src != gen.GW_OUTSIDE:
                errors.append(f"ESP header spi={spi:#x} {ip.src}->{ip.dst}")
                continue
            if i not in sas:
                ck, ak = gen.keys(suite, i, "out")
                kw = dict(crypt_algo="AES-GCM", crypt_key=ck) if suite == "aes128gcm" else \
                    dict(crypt_algo="AES-CBC", crypt_key=ck, auth_algo="HMAC-SHA1-96",
                         auth_key=ak)
                sas[i] = SecurityAssociation(ESP, spi=spi, tunnel_header=IP(
                    src=gen.GW_OUTSIDE, dst=str(gen.peer(i))), **kw)
            try:
                ip = sas[i].decrypt(ip)
            except Exception as e:  # scapy raises on a bad ICV or padding
                errors.append(f"decrypt spi={spi:#x}: {e}")
                continue
        key = (ip.src, ip.dst, ip.id)
        if key not in inputs or bytes(ip.payload)[:len(inputs[key])] != inputs[key] or \
                ip.len != len(inputs[key]) + 20:
            errors.append(f"inner packet {key} differs")
            continue
        if key in seen:
            errors.append(f"duplicate {key}")
        seen.add(key)
    missing = len(inputs) - len(seen)
    if missing:
        errors.append(f"{missing} of {len(inputs)} packets missing")
    return {"impl": impl, "suite": suite, "dir": case["dir"], "tunnels": tunnels,
            "packets_in": n_in, "packets_out": len(frames), "ok": not errors,
            "errors": errors[:5]}


def ipv4_checksum_ok(b):
    ihl = (b[0] & 15) * 4
    total = sum((b[k] << 8) | b[k + 1] for k in range(0, ihl, 2))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return total == 0xffff


# ---------------------------------------------------------------------------------------------
# Timing

def measure(args, impl, case):
    g = Gateway(impl, args, case, f"net_pcap0,rx_pcap={case['pcap']},infinite_rx=1",
                "net_null0,no-rx=1", args.logdir)
    t_start = time.monotonic()
    try:
        g.start()
        # Ready means forwarding: ipsec-secgw opens telemetry before it builds its SAs.
        wait_for(lambda: g.counters()[1] > 0 or g.dead(), 180, f"{impl} to forward")
        g.check_alive()
        startup = time.monotonic() - t_start
        time.sleep(args.warmup)
        samples = [g.counters()]
        oncpu = [g.oncpu_counters()]
        for _ in range(args.windows):
            time.sleep(args.window)
            samples.append(g.counters())
            oncpu.append(g.oncpu_counters())
        cmdline = g.cmdline
        ctl = getattr(g, "ctl_cmdline", None)
        extra = espgw_drops(args, g.prefix) if impl == "espgw" else secgw_stats(g)
    finally:
        g.stop()
    pps = [(tx1 - tx0) / (t1 - t0) for (t0, tx0, _), (t1, tx1, _) in zip(samples, samples[1:])]
    # Over the whole timed span: tx and rx are read a few microseconds apart.
    (_, tx0, rx0), (_, tx1, rx1) = samples[0], samples[-1]
    loss = 1 - (tx1 - tx0) / max(1, rx1 - rx0)
    # Packets per second of on-CPU time of the forwarding thread (noise-robust: preemption by
    # other processes on the shared core is not counted, their cache pollution still is).
    cpu_pps = [(tx1 - tx0) / max(1e-9, c1 - c0) for (c0, tx0), (c1, tx1) in zip(oncpu, oncpu[1:])]
    return {"pps": pps, "cpu_pps": cpu_pps, "loss": loss, "startup_s": startup, "cmdline": cmdline,
            "control_cmdline": ctl, "extra": extra}


def espgw_drops(args, instance):
    try:
        out = subprocess.run([args.cli, "--instance", instance, "--json", "show", "crypto",
                              "drops"], capture_output=True, text=True, timeout=10).stdout
        d = json.loads(out)["drops"]
        return {"drops": {k: v for k, v in d.items() if v}}
    except (OSError, ValueError, KeyError, subprocess.TimeoutExpired) as e:
        return {"drops_error": str(e)}


def secgw_stats(g):
    try:
        return {"stats": g.tele.query("/examples/ipsec-secgw/stats")}
    except (OSError, ValueError):
        return {}


# ---------------------------------------------------------------------------------------------
# Report

def tsc_hz():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("cpu MHz"):
                return float(line.split(":")[1]) * 1e6
    return float("nan")


def cpu_name():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "?"


def load_avg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def crypto_floor(path):
    """Crypto-only cycles per packet from the engine benchmark: its floor (bare intel-ipsec-mb
    on the bytes ESP ciphers) minus its mbuf alloc+copy+free baseline, per suite/size/dir/SAs."""
    try:
        with open(path) as f:
            d = json.load(f)
    except (OSError, ValueError):
        return {}
    by = {}
    for r in d["records"]:
        k = f"{r['suite']}/{r['size']}/{r['direction']}/{r['n_sa']}"
        by.setdefault(k, {})[r["impl"]] = r["cycles_per_packet"]
    out = {"source": os.path.relpath(path), "engine_rev": d["meta"].get("engine_rev", "")}
    for k, v in by.items():
        fl = [v[i] for i in ("floor-ipsecmb-job", "floor-ipsecmb-gcm-direct") if i in v]
        if fl and "mbuf-alloc-copy-free" in v:
            out[k] = min(fl) - v["mbuf-alloc-copy-free"]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True, help="espgw meson build dir")
    ap.add_argument("--secgw", required=True, help="ipsec-secgw binary")
    ap.add_argument("--cache", required=True, help="generated configs and pcaps")
    ap.add_argument("--logdir", required=True)
    ap.add_argument("--suites", default="aes128gcm,aes128cbc-sha1")
    ap.add_argument("--dirs", default="encap,decap")
    ap.add_argument("--sizes", default="64,512,1420,imix")
    ap.add_argument("--tunnels", default="1,1000,5000")
    ap.add_argument("--impls", default=",".join(IMPLS))
    ap.add_argument("--reps", type=int, default=2, help="process starts per implementation")
    ap.add_argument("--warmup", type=float, default=0.5, help="seconds of forwarding untimed")
    ap.add_argument("--window", type=float, default=1.0)
    ap.add_argument("--windows", type=int, default=2, help="windows per process start")
    ap.add_argument("--secgw-type", default="cpu-crypto", choices=("cpu-crypto", "no-offload"),
                    help="ipsec-secgw SA type: synchronous CPU crypto (its fastest software "
                         "path) or lookaside through the crypto_aesni_mb cryptodev")
    ap.add_argument("--no-verify", action="store_true")
    ap.add_argument("--io-floor", type=int, default=1,
                    help="also time testpmd io forwarding (the I/O floor) at the lowest and "
                         "highest tunnel count (the source's pcap cache grows with tunnels)")
    ap.add_argument("--json", required=True)
    ap.add_argument("--md", required=True)
    ap.add_argument("--invoked-as", default="")
    ap.add_argument("--espgw-rev", default="")
    ap.add_argument("--waited-s", type=int, default=0, help="seconds run.sh waited for load")
    ap.add_argument("--engine-json", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "results", "esp_engine.json"),
        help="the ESP engine benchmark's results: its crypto-only floor bounds the ratios")
    args = ap.parse_args()
    args.dataplane = os.path.join(args.build, "dataplane", "espgw-dataplane")
    args.control = os.path.join(args.build, "espgw-control")
    args.cli = os.path.join(args.build, "mgmt", "espgw")
    os.makedirs(args.logdir, exist_ok=True)
    os.sched_setaffinity(0, {0})  # keep the runner off the forwarding core (1)
    impls = args.impls.split(",")
    # Tunnel counts innermost: the cases of one suite, direction and size run back to back, so
    # the scaling table (1 -> 5,000 tunnels) compares runs a minute apart, not ten.
    cases = [{"suite": s, "dir": d, "tunnels": int(t), "size": z}
             for s in args.suites.split(",") for d in args.dirs.split(",")
             for z in args.sizes.split(",") for t in args.tunnels.split(",")]
    min_tunnels = min(c["tunnels"] for c in cases)
    max_tunnels = max(c["tunnels"] for c in cases)
    t_run = time.monotonic()
    load_before = load_avg()
    vcases = [dict(c, size="imix") for c in cases if c["size"] == cases[0]["size"]]
    ensure_inputs(args, cases + ([] if args.no_verify else vcases))
    checks = []
    if not args.no_verify:
        for c in vcases:
            for impl in impls:
                r = verify(args, impl, c)
                log(f"verify {impl} {c['suite']} {c['dir']} t{c['tunnels']}: "
                    f"{'ok' if r['ok'] else r['errors']}")
                checks.append(r)
    records = []
    for n, c in enumerate(cases):
        runs = {i: [] for i in impls}
        here = list(impls)
        if args.io_floor and c["tunnels"] in (min_tunnels, max_tunnels):
            here.append("testpmd-io")
            runs["testpmd-io"] = []
        for rep in range(args.reps):
            order = here if (n + rep) % 2 == 0 else list(reversed(here))
            for impl in order:
                if impl == "testpmd-io" and runs[impl]:
                    continue  # the floor is steady: one start is enough
                runs[impl].append(measure(args, impl, c))
        for impl in here:
            pps = [p for r in runs[impl] for p in r["pps"]]
            med = statistics.median(pps)
            cpu_pps = [p for r in runs[impl] for p in r["cpu_pps"]]
            cpu_med = statistics.median(cpu_pps)
            rec = {"impl": impl, "suite": c["suite"], "size": c["size"],
                   "tunnels": c["tunnels"], "sas": 2 * c["tunnels"], "dir": c["dir"],
                   "mpps": med / 1e6, "cycles_per_packet": tsc_hz() / med,
                   "reps_mpps": [p / 1e6 for p in pps],
                   "oncpu_cycles_per_packet": tsc_hz() / cpu_med,
                   "reps_oncpu_cycles": [tsc_hz() / p for p in cpu_pps],
                   "oncpu_share": med / cpu_med,
                   "loss": max(r["loss"] for r in runs[impl]),
                   "startup_s": statistics.median(r["startup_s"] for r in runs[impl]),
                   "extra": runs[impl][-1]["extra"]}
            records.append(rec)
            log(f"{impl:12s} {c['suite']:15s} {c['dir']} t{c['tunnels']:<5d} {c['size']:>5s}: "
                f"{rec['mpps']:.2f} Mpps ({rec['cycles_per_packet']:.0f} cyc, on-CPU "
                f"{rec['oncpu_cycles_per_packet']:.0f} cyc, {100 * rec['oncpu_share']:.0f}% of "
                f"the core) "
                f"spread {min(pps)/1e6:.2f}-{max(pps)/1e6:.2f} loss {rec['loss']:.4f}")
        if n == 0:
            cmds = {i: runs[i][0]["cmdline"] for i in impls}
            cmds["espgw-control"] = runs.get("espgw", [{}])[0].get("control_cmdline")
    meta = {
        "command": args.invoked_as, "espgw_rev": args.espgw_rev,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cpu": cpu_name(), "tsc_hz": tsc_hz(), "load_before": load_before,
        "load_after": load_avg(), "run_seconds": time.monotonic() - t_run,
        "reps": args.reps, "windows_per_rep": args.windows, "window_s": args.window,
        "warmup_s": args.warmup, "example_cmdlines": cmds, "verify": checks,
        "waited_for_load_s": args.waited_s, "secgw_type": args.secgw_type,
        "crypto_floor": crypto_floor(args.engine_json),
    }
    with open(args.json, "w") as f:
        json.dump({"meta": meta, "records": records}, f, indent=1)
    import report
    with open(args.md, "w") as f:
        f.write(report.markdown(meta, records))
    bad = [c for c in checks if not c["ok"]]
    if bad:
        log(f"{len(bad)} functional checks failed: see {args.json}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
