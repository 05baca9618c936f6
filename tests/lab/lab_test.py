#!/usr/bin/python3
"""End-to-end test of two espgw gateways in the network-namespace lab (scripts/lab.sh):

  host A 198.18.1.10, .200 -- gateway A -- transit 192.0.2.1 = 192.0.2.2 -- gateway B -- host B

with two tunnels (tests/lab/configs): tunnel 1 carries 198.18.1.0/25 <-> 198.18.2.0/24 with
AES-128-GCM, tunnel 2 carries 198.18.1.128/25 <-> 198.18.2.0/24 with AES-128-CBC + HMAC-SHA1.

Phase 1, ports on net_af_packet (tcpdump sees the transit traffic there):
  a. ping, TCP (content hashed) and UDP of varied sizes, A->B and B->A, both tunnels
  b. full MTU: DF-clear 1500-byte packets pre-fragmented, DF-set ones answered with ICMP
     fragmentation needed, TCP MSS clamped to 1360
  c. the transit capture decrypts in tshark with the configured keys, every ICV good, the inner
     packets are the hosts' traffic, the SYNs carry MSS 1360
  d. forged packets on the transit link move exactly their drop reason at gateway A, while a
     ping through tunnel 1 loses nothing
  e. both controls SIGKILLed and restarted during a ping: nothing lost, resync logged, SA
     counters and conn ids continue
  f. SIGHUP with tunnel 2's SPIs and keys changed on both gateways: tunnel 1 loses nothing and
     keeps its SAs, tunnel 2 runs on the new SAs
Phase 2, ports on net_af_xdp (af_packet's kernel fanout would reassemble fragments first):
  g. host-fragmented UDP datagrams cross; a fragmented ESP packet is reassembled by gateway A;
     an ESP fragment that never completes is dropped as reassembly_failed after the 2 s timeout

Usage: lab_test.py BUILD_DIR. Root only. Prints PASS/FAIL lines; exits 1 on any failure. The lab
is always torn down.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
LAB_SH = ROOT / "scripts" / "lab.sh"
TOOLS = HERE / "lab_tools.py"
PY = "/usr/bin/python3"

HOST_A, HOST_A2, HOST_B = "198.18.1.10", "198.18.1.200", "198.18.2.10"
GW_A_OUT, GW_B_OUT = "192.0.2.1", "192.0.2.2"
MAC_A_OUT, MAC_B_OUT = "02:00:00:00:00:01", "02:00:00:00:00:02"
HOSTS = {HOST_A, HOST_A2, HOST_B}

failures = []


def check(name, ok, detail=""):
    print(f"{'PASS' if ok else 'FAIL'}: {name}" + (f" ({detail})" if detail else ""), flush=True)
    if not ok:
        failures.append(name)
    return ok


def note(text):
    print(f"  {text}", flush=True)


# ---------------------------------------------------------------------------------------------
# Configurations: the test reads SPIs and keys from the same files the gateways load.

SUITES = {  # IOS transform -> (scapy crypt, scapy auth, tshark encryption, tshark auth)
    ("esp-gcm", "128"): ("AES-GCM", "NULL", "AES-GCM with 16 octet ICV [RFC4106]", "NULL"),
    ("esp-aes", "128", "esp-sha-hmac"): ("AES-CBC", "HMAC-SHA1-96", "AES-CBC [RFC3602]",
                                         "HMAC-SHA-1-96 [RFC2404]"),
}


def parse_sas(text, local):
    """SAs of a manual-keyed config: dicts with map_seq, spi, dir, src, dst, suite, keys."""
    transforms, sas, entry = {}, [], None
    for line in text.splitlines():
        w = line.split()
        if line.startswith("crypto ipsec transform-set"):
            transforms[w[3]] = SUITES[tuple(w[4:])]
        elif line.startswith("crypto map") and "ipsec-manual" in w:
            entry = {"seq": int(w[3])}
        elif entry is not None and line.startswith(" "):
            if w[:2] == ["set", "peer"]:
                entry["peer"] = w[2]
            elif w[:2] == ["set", "transform-set"]:
                entry["suite"] = transforms[w[2]]
            elif w[:2] == ["set", "session-key"]:
                spi = int(w[4], 0)
                keys = dict(zip(w[5::2], w[6::2]))
                inbound = w[2] == "inbound"
                sas.append({"map_seq": entry["seq"], "spi": spi, "dir": w[2],
                            "src": entry["peer"] if inbound else local,
                            "dst": local if inbound else entry["peer"],
                            "suite": entry["suite"], "cipher": keys["cipher"],
                            "auth": keys.get("authenticator", "")})
        else:
            entry = None
    return sas


def tshark_uat(sa):
    enc, auth = sa["suite"][2], sa["suite"][3]
    return (f'uat:esp_sa:"IPv4","{sa["src"]}","{sa["dst"]}","0x{sa["spi"]:08x}","{enc}",'
            f'"0x{sa["cipher"]}","{auth}","{"0x" + sa["auth"] if sa["auth"] else ""}"')


def scapy_sa(sa):
    from scapy.layers.inet import IP
    from scapy.layers.ipsec import ESP, SecurityAssociation
    return SecurityAssociation(ESP, spi=sa["spi"], crypt_algo=sa["suite"][0],
                               crypt_key=bytes.fromhex(sa["cipher"]), auth_algo=sa["suite"][1],
                               auth_key=bytes.fromhex(sa["auth"]) if sa["auth"] else None,
                               tunnel_header=IP(src=sa["src"], dst=sa["dst"]))


# ---------------------------------------------------------------------------------------------
# The lab: scripts/lab.sh plus what the test needs on top (commands in namespaces, the CLI).

class Lab:
    def __init__(self, build, prefix, work):
        self.build, self.prefix, self.work = Path(build).resolve(), prefix, Path(work)
        self.procs = []  # what the test started in the namespaces, stopped by down()
        self.use("af_packet")

    def use(self, pmd):
        """Each phase keeps its logs and (edited) configurations in its own folder."""
        self.pmd = pmd
        self.dir = self.work / pmd
        self.cfg = {side: self.dir / f"site-{side}.cfg" for side in "ab"}

    def env(self):
        return dict(os.environ, ESPGW_LAB_PREFIX=self.prefix, ESPGW_LAB_DIR=str(self.dir),
                    ESPGW_LAB_CONFIG_A=str(self.cfg["a"]), ESPGW_LAB_CONFIG_B=str(self.cfg["b"]),
                    ESPGW_LAB_PMD=self.pmd)

    def up(self, pmd):
        self.use(pmd)
        self.dir.mkdir(parents=True, exist_ok=True)
        for side in "ab":
            shutil.copy(HERE / "configs" / f"site-{side}.cfg", self.cfg[side])
        r = subprocess.run([str(LAB_SH), "up", str(self.build)], env=self.env(),
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"lab.sh up failed: {r.stdout}{r.stderr}")
        # Host A's second address sits in tunnel 2's selector (198.18.1.128/25).
        self.run("a", "ip", "addr", "add", f"{HOST_A2}/24", "dev", "hA0")

    def down(self):
        # A failed check may leave a sink, ping or tcpdump behind; deleting a namespace does not
        # end the processes inside it.
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.procs.clear()
        subprocess.run([str(LAB_SH), "down"], env=self.env(), capture_output=True, timeout=60)

    def ns(self, who):
        return f"{self.prefix}-{ {'a': 'ha', 'b': 'hb', 'ga': 'ga', 'gb': 'gb'}[who] }"

    def cmd(self, who, *args):
        return ["ip", "netns", "exec", self.ns(who), *map(str, args)]

    def run(self, who, *args, timeout=60, check=True):
        r = subprocess.run(self.cmd(who, *args), capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise RuntimeError(f"{' '.join(map(str, args))}: exit {r.returncode}: {r.stderr}")
        return r

    def popen(self, who, *args):
        p = subprocess.Popen(self.cmd(who, *args), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        self.procs.append(p)
        return p

    def cli(self, gw, *words):
        r = subprocess.run([str(self.build / "mgmt" / "espgw"), "--instance", self.prefix + gw,
                            "--json", *words], capture_output=True, text=True, timeout=10)
        if r.returncode != 0:
            raise RuntimeError(f"espgw {' '.join(words)}: {r.stderr}")
        return json.loads(r.stdout)

    def sas(self, gw):
        return {sa["spi"]: sa for sa in self.cli(gw, "show", "crypto", "ipsec", "sa")["sas"]}

    def drops(self, gw):
        return self.cli(gw, "show", "crypto", "drops")["drops"]

    def control_log(self, gw):
        return (self.dir / f"{self.prefix}{gw}-control.log").read_text()

    def control_pid(self, gw):
        return int((self.dir / f"{self.prefix}{gw}-control.pid").read_text())

    def start_control(self, gw):
        """Starts control as lab.sh does, appending to its log; lab.sh down stops it."""
        with open(self.dir / f"{self.prefix}{gw}-control.log", "a") as log:
            p = subprocess.Popen([str(self.build / "espgw-control"), "--instance",
                                  self.prefix + gw, "--config", str(self.cfg[gw])],
                                 stdout=log, stderr=subprocess.STDOUT)
        (self.dir / f"{self.prefix}{gw}-control.pid").write_text(f"{p.pid}\n")
        return p


def wait_for(pred, timeout, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


def ping(lab, who, dst, count, interval=0.05, *extra):
    r = lab.run(who, "ping", "-n", "-c", count, "-i", interval, "-W", 1, *extra, dst,
                timeout=count * interval + 30, check=False)
    return ping_result(r.stdout), r.stdout


def ping_result(out):
    m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def background_ping(lab, who, dst, count, interval=0.02, *extra):
    return lab.popen(who, "ping", "-n", "-q", "-c", count, "-i", interval, *extra, dst)


def finish_ping(p, timeout=60):
    out, _ = p.communicate(timeout=timeout)
    return ping_result(out)


def warm_up(lab):
    """One ping per path and direction: the gateways resolve the hosts' MAC addresses (the
    first packet to an unresolved neighbour is dropped while ARP goes out)."""
    for _ in range(2):
        for who, dst, extra in (("a", HOST_B, ()), ("b", HOST_A, ()),
                                ("a", HOST_B, ("-I", HOST_A2)), ("b", HOST_A2, ())):
            ping(lab, who, dst, 1, 0.2, *extra)
    (tx, rx), out = ping(lab, "a", HOST_B, 1)
    if rx != 1:
        raise RuntimeError(f"the lab does not pass a ping after warm-up:\n{out}")


def sink(lab, who, *args):
    p = lab.popen(who, PY, TOOLS, *args)
    if p.stdout.readline().strip() != "READY":
        raise RuntimeError(f"lab_tools {args[0]} did not start: {p.stderr.read()}")
    return p


def tool_json(p, timeout=60):
    out, err = p.communicate(timeout=timeout)
    lines = [l for l in out.splitlines() if l.startswith("{")]
    if not lines:
        raise RuntimeError(f"lab_tools printed no result: {out} {err}")
    return json.loads(lines[-1])


def drop_diff(before, after):
    return {k: after[k] - before[k] for k in after if after[k] != before.get(k, 0)}


# ---------------------------------------------------------------------------------------------
# a. Ping, TCP and UDP in both directions.

def tcp_transfer(lab, src, dst_who, dst_ip, nbytes, port):
    s = sink(lab, dst_who, "tcp-sink", port)
    src_res = tool_json(lab.popen(src, PY, TOOLS, "tcp-source", dst_ip, port, nbytes))
    return src_res, tool_json(s)


UDP_SIZES = [8, 64, 200, 512, 1000, 1200, 1400, 1420, 1443, 1444, 1472]


def udp_transfer(lab, src, dst_who, dst_ip, sizes, port):
    s = sink(lab, dst_who, "udp-sink", port, len(sizes), 2)
    lab.run(src, PY, TOOLS, "udp-source", dst_ip, port, *sizes)
    got = tool_json(s)
    lost = len(sizes) - len(got["seqs"]) - got["bad"]
    in_order = got["seqs"] == sorted(got["seqs"])
    return got, lost, in_order


def test_basic(lab):
    for who, dst, extra, what in (("a", HOST_B, (), "A -> B tunnel 1"),
                                  ("b", HOST_A, (), "B -> A tunnel 1"),
                                  ("a", HOST_B, ("-I", HOST_A2), "A -> B tunnel 2"),
                                  ("b", HOST_A2, (), "B -> A tunnel 2")):
        (tx, rx), _ = ping(lab, who, dst, 10, 0.05, *extra)
        check(f"a. ping {what}", tx == 10 and rx == 10, f"{rx}/{tx} replies")
    nbytes = 4_000_000
    for src, dst_who, dst_ip, port, what in (("a", "b", HOST_B, 5001, "A -> B"),
                                             ("b", "a", HOST_A, 5002, "B -> A")):
        t0 = time.monotonic()
        sent, got = tcp_transfer(lab, src, dst_who, dst_ip, nbytes, port)
        check(f"a. TCP {nbytes} bytes {what}, sha256 equal",
              sent["sha256"] == got["sha256"] and got["bytes"] == nbytes,
              f"received {got['bytes']} bytes in {time.monotonic() - t0:.2f} s, "
              f"sha256 {got['sha256'][:16]}..., sender's MSS {sent['mss']}")
        check(f"a. TCP {what}: MSS clamped (<= 1360)", sent["mss"] <= 1360,
              f"TCP_MAXSEG {sent['mss']}")
    sizes = UDP_SIZES * 5
    for src, dst_who, dst_ip, port, what in (("a", "b", HOST_B, 5003, "A -> B"),
                                             ("b", "a", HOST_A, 5004, "B -> A")):
        got, lost, in_order = udp_transfer(lab, src, dst_who, dst_ip, sizes, port)
        check(f"a. UDP {len(sizes)} datagrams of {min(sizes)}..{max(sizes)} bytes {what}",
              lost == 0 and got["bad"] == 0 and in_order,
              f"{len(got['seqs'])} intact, {got['bad']} corrupt, {lost} lost, "
              f"{'in order' if in_order else 'REORDERED'}")


# ---------------------------------------------------------------------------------------------
# b. Full-MTU traffic.

def test_full_mtu(lab):
    before = lab.sas("a")[0x2001]
    (tx, rx), _ = ping(lab, "a", HOST_B, 5, 0.05, "-M", "dont", "-s", 1472)
    after = lab.sas("a")[0x2001]
    d_ok = after["prefrag_ok"] - before["prefrag_ok"]
    d_frags = after["fragments_created"] - before["fragments_created"]
    check("b. DF-clear 1500-byte pings cross (pre-fragmented)", tx == 5 and rx == 5,
          f"{rx}/{tx} replies")
    check("b. gateway A's SA 0x2001: #pre-frag successes +5, #fragments created +10",
          d_ok == 5 and d_frags == 10, f"+{d_ok} pre-frag successes, +{d_frags} fragments")

    before = lab.sas("a")[0x2001]
    _, out = ping(lab, "a", HOST_B, 3, 0.2, "-M", "do", "-s", 1472)
    after = lab.sas("a")[0x2001]
    m = re.search(r"From 198\.18\.1\.1 .*Frag needed and DF set \(mtu = (\d+)\)", out)
    check("b. DF-set 1500-byte ping: host A gets ICMP fragmentation needed from gateway A",
          m is not None, f"mtu {m.group(1)}" if m else out.strip().splitlines()[-1:])
    d_pmtu = after["pmtu_sent"] - before["pmtu_sent"]
    check("b. gateway A's SA 0x2001: #PMTUs sent moved", d_pmtu >= 1, f"+{d_pmtu}")
    # Host A now caches the lower path MTU: forget it, later DF-clear tests must reach the
    # gateway at 1500 bytes.
    lab.run("a", "ip", "route", "flush", "cache")


# ---------------------------------------------------------------------------------------------
# c. Transit capture, decrypted by tshark.

class Capture:
    """tcpdump on both ends of the transit link. Each gateway's af_packet port transmits past
    the kernel's packet taps (qdisc bypass), so tcpdump on gao sees what gateway B sent and
    tcpdump on gbo what gateway A sent."""

    def __init__(self, lab):
        self.files = {"ga": lab.work / "transit-gao.pcap", "gb": lab.work / "transit-gbo.pcap"}
        self.procs = []
        for who, iface in (("ga", "gao"), ("gb", "gbo")):
            self.procs.append(lab.popen(who, "tcpdump", "--immediate-mode", "-U", "-n", "-i",
                                        iface, "-w", self.files[who]))
        for p in self.procs:  # tcpdump says "listening on" once it captures
            line = p.stderr.readline()
            if "listening" not in line:
                raise RuntimeError(f"tcpdump did not start: {line}")

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


# No free-text column: the Info of a decrypted UDP payload can hold newlines.
TSHARK_FIELDS = ["frame.number", "esp.spi", "esp.sequence", "esp.icv_good", "esp.icv_bad",
                 "ip.src", "ip.dst", "_ws.col.Protocol", "tcp.flags.syn", "tcp.options.mss_val"]


def tshark(pcap, sas, *args):
    cmd = ["tshark", "-n", "-r", str(pcap), "-o", "esp.enable_encryption_decode:TRUE",
           "-o", "esp.enable_authentication_check:TRUE"]
    for sa in sas:
        cmd += ["-o", tshark_uat(sa)]
    r = subprocess.run(cmd + list(args), capture_output=True, text=True, errors="replace",
                       timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f"tshark: {r.stderr}")
    return r.stdout


def tshark_rows(pcap, sas):
    out = tshark(pcap, sas, "-Y", "esp", "-T", "fields", "-E", "separator=\t",
                 *[a for f in TSHARK_FIELDS for a in ("-e", f)])
    return [dict(zip(TSHARK_FIELDS, line.split("\t"))) for line in out.splitlines()]


def show_decrypted(pcap, sas, rows):
    """Prints tshark's summary of one decrypted ICMP, TCP SYN and UDP packet."""
    picks = []
    for want in (lambda r: r["_ws.col.Protocol"] == "ICMP", lambda r: r["tcp.flags.syn"] == "1",
                 lambda r: r["_ws.col.Protocol"] == "UDP"):
        picks += [r["frame.number"] for r in rows if want(r)][:1]
    if picks:
        out = tshark(pcap, sas, "-Y", " or ".join(f"frame.number == {n}" for n in picks))
        for line in out.splitlines():
            note("tshark: " + "".join(ch if ch.isprintable() else "." for ch in line.strip()))


def test_capture(lab, cap, sas):
    for who, sender in (("gb", "A"), ("ga", "B")):
        rows = tshark_rows(cap.files[who], sas)
        good = [r for r in rows if r["esp.icv_good"] == "1" and r["esp.icv_bad"] != "1"]
        check(f"c. transit capture of gateway {sender}'s ESP: every ICV good in tshark",
              rows and len(good) == len(rows), f"{len(good)}/{len(rows)} ESP packets")
        # ip.src/ip.dst list the outer header, then the decrypted inner one.
        inner = [(r["ip.src"].split(",")[1:2], r["ip.dst"].split(",")[1:2]) for r in rows]
        hosts_only = all(s and d and s[0] in HOSTS and d[0] in HOSTS and s[0] != d[0]
                         for s, d in inner)
        check(f"c. gateway {sender}'s ESP decrypts to the hosts' packets",
              rows and hosts_only, f"{len(rows)} inner packets between {sorted(HOSTS)}")
        protos = {r["_ws.col.Protocol"] for r in rows}
        check(f"c. gateway {sender}'s tunnels carry ICMP, TCP and UDP",
              {"ICMP", "TCP", "UDP"} <= protos, f"protocols {sorted(protos)}")
        syn = [r for r in rows if r["tcp.flags.syn"] == "1"]
        mss = {r["tcp.options.mss_val"] for r in syn}
        check(f"c. TCP SYNs from gateway {sender} carry MSS 1360 (ip tcp adjust-mss)",
              syn and mss == {"1360"}, f"{len(syn)} SYNs, MSS {sorted(mss)}")
        show_decrypted(cap.files[who], sas, rows)


# ---------------------------------------------------------------------------------------------
# d. Injection on the transit link: forged packets arriving at gateway A's outside port.

def frame(ip_packet):
    from scapy.layers.l2 import Ether
    return Ether(src=MAC_B_OUT, dst=MAC_A_OUT) / ip_packet


def inject(lab, frames, name):
    from scapy.utils import wrpcap
    path = lab.work / f"inject-{name}.pcap"
    wrpcap(str(path), frames)
    # From gateway B's namespace out of gbo: the frames arrive at gao, gateway A's port.
    lab.run("gb", PY, TOOLS, "inject", "gbo", path)


def capture_fresh(lab, spi, count):
    """The next COUNT ESP packets of SPI arriving at gateway A."""
    from scapy.utils import rdpcap
    path = lab.work / f"fresh-{spi:x}.pcap"
    lab.run("ga", "timeout", 10, "tcpdump", "--immediate-mode", "-U", "-n", "-i", "gao", "-c",
            count, "-w", path, f"ip proto 50 and ip[20:4] = {spi}")
    return list(rdpcap(str(path)))


def flip_ciphertext(frames, seq_step=100_000):
    """Copies of ESP frames with one ciphertext bit flipped and the sequence number moved right
    of the replay window, so that the ICV, not the replay check, rejects them."""
    from scapy.layers.ipsec import ESP
    flipped = []
    for f in frames:
        g = f.copy()
        data = bytearray(bytes(g[ESP].data))
        data[20] ^= 0x01
        g[ESP].data = bytes(data)
        g[ESP].seq += seq_step
        flipped.append(g)
    return flipped


def expect_drop(lab, name, reason, frames, settle=0.3):
    before = lab.drops("a")
    inject(lab, frames, reason)
    time.sleep(settle)
    moved = drop_diff(before, lab.drops("a"))
    check(f"d. {name}: exactly {reason} +{len(frames)}", moved == {reason: len(frames)},
          f"moved {moved}")


def test_injection(lab, cap, sa_by_spi):
    from scapy.layers.inet import ICMP, IP
    from scapy.layers.ipsec import ESP
    from scapy.packet import Raw
    from scapy.utils import rdpcap

    bg = background_ping(lab, "a", HOST_B, 250, 0.02)  # ~5 s through tunnel 1 meanwhile
    time.sleep(0.3)

    expect_drop(lab, "unknown SPI 0xdead", "invalid_spi",
                [frame(IP(src=GW_B_OUT, dst=GW_A_OUT) / ESP(spi=0xdead, seq=i) / Raw(b"x" * 48))
                 for i in range(1, 4)])

    fresh = capture_fresh(lab, 0x1001, 3)
    expect_drop(lab, "replay of 3 packets just received (SPI 0x1001)", "replay_duplicate",
                [f.copy() for f in fresh])

    b_out = lab.sas("b")[0x1001]["packets"]
    old = [f for f in rdpcap(str(cap.files["ga"])) if ESP in f and f[ESP].spi == 0x1001][:3]
    if b_out - max(f[ESP].seq for f in old) > 1024 + 100:
        expect_drop(lab, "replay of 3 packets left of the 1024-packet window", "replay_old", old)
    else:
        check("d. replay left of the window", False, f"only {b_out} packets sent by B")

    expect_drop(lab, "bit flip in the ciphertext (SPI 0x1001)", "icv_mismatch",
                flip_ciphertext(fresh))

    expect_drop(lab, "ESP truncated to 4 bytes", "malformed",
                [frame(IP(src=GW_B_OUT, dst=GW_A_OUT, proto=50) / Raw(b"\x00\x00\x10\x01"))] * 2)
    expect_drop(lab, "ESP of SPI 0x1001 shorter than IV + ICV", "esp_length",
                [frame(IP(src=GW_B_OUT, dst=GW_A_OUT) / ESP(spi=0x1001, seq=200_000 + i)
                       / Raw(b"z" * 16)) for i in range(2)])

    # Valid ICVs need the keys: tunnel 2's inbound SA (SPI 0x3001) so that tunnel 1's replay
    # window is not moved by forged sequence numbers. Tunnel 2 is rekeyed in f before its next use.
    t2 = scapy_sa(sa_by_spi[0x3001])
    mismatched = [frame(t2.encrypt(IP(src="203.0.113.5", dst=HOST_A2) / ICMP(id=7, seq=i)
                                   / Raw(b"p" * 32), seq_num=1_000_000 + i)) for i in range(3)]
    expect_drop(lab, "valid ESP whose inner source 203.0.113.5 is outside the SA's selectors",
                "inner_policy_mismatch", mismatched)

    algo = t2.crypt_algo
    real_pad = algo.pad

    def bad_pad(esp):  # RFC 4303 §2.4 wants 1, 2, 3, ...: a valid ICV over 0xAA bytes
        esp = real_pad(esp)
        esp.padding = b"\xaa" * (len(esp.padding) + 16)
        esp.padlen = len(esp.padding)
        return esp

    algo.pad = bad_pad
    try:
        padded = [frame(t2.encrypt(IP(src=HOST_B, dst=HOST_A2) / ICMP(id=8, seq=i)
                                   / Raw(b"q" * 32), seq_num=1_000_100 + i)) for i in range(3)]
    finally:
        del algo.pad  # the algorithm object is shared by every scapy SA
    expect_drop(lab, "valid ICV over bad padding (SPI 0x3001, AES-CBC+SHA1)", "bad_padding",
                padded)

    tx, rx = finish_ping(bg)
    check("d. ping through tunnel 1 during the injections loses nothing", tx > 0 and rx == tx,
          f"{rx}/{tx} replies")
    log = lab.control_log("a")
    for mnemonic in ("CRYPTO-4-RECVD_PKT_INV_SPI", "CRYPTO-4-PKT_REPLAY_ERR",
                     "CRYPTO-4-RECVD_PKT_MAC_ERR", "ASA-4-402116", "ASA-3-402130"):
        check(f"d. control A logs %{mnemonic}", f"%{mnemonic}" in log)


# ---------------------------------------------------------------------------------------------
# e. Control killed during traffic.

def conn_ids(sas):
    return {spi: sa["conn_id"] for spi, sa in sas.items()}


def test_control_kill(lab):
    before = {gw: lab.sas(gw) for gw in "ab"}
    marks = {gw: len(lab.control_log(gw)) for gw in "ab"}
    bg = background_ping(lab, "a", HOST_B, 200, 0.02)  # 4 s
    time.sleep(1.0)
    for gw in "ab":
        os.kill(lab.control_pid(gw), signal.SIGKILL)
    time.sleep(1.0)  # the dataplanes forward on their own
    for gw in "ab":
        lab.start_control(gw)
    configured = all(wait_for(lambda gw=gw: "SYS-5-CONFIG_I" in lab.control_log(gw)[marks[gw]:], 10)
                     for gw in "ab")
    tx, rx = finish_ping(bg)
    check("e. ping during SIGKILL and restart of both controls loses nothing",
          tx == 200 and rx == tx, f"{rx}/{tx} replies")
    for gw in "ab":
        new = lab.control_log(gw)[marks[gw]:]
        m = re.search(r"%ESPGW-6-RESYNC: (.*)", new)
        check(f"e. restarted control {gw.upper()} resyncs with the running dataplane",
              configured and m is not None, m.group(1) if m else new.strip())
        after = lab.sas(gw)
        check(f"e. gateway {gw.upper()}: same SAs and conn ids after the restart",
              conn_ids(after) == conn_ids(before[gw]), f"{len(after)} SAs")
        grew = all(after[s]["packets"] >= before[gw][s]["packets"] for s in before[gw])
        t1 = 0x2001 if gw == "a" else 0x1001
        check(f"e. gateway {gw.upper()}: SA counters continue (not reset)",
              grew and after[t1]["packets"] >= before[gw][t1]["packets"] + 200,
              f"SPI 0x{t1:x} packets {before[gw][t1]['packets']} -> {after[t1]['packets']}")


# ---------------------------------------------------------------------------------------------
# f. SIGHUP changing one tunnel.

NEW_T2 = {  # tunnel 2's SPIs and keys after the edit (old -> new)
    "12289": "12290", "16385": "16386",
    "303132333435363738393a3b3c3d3e3f": "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
    "404142434445464748494a4b4c4d4e4f50515253": "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3",
    "606162636465666768696a6b6c6d6e6f": "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf",
    "707172737475767778797a7b7c7d7e7f80818283": "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3",
}


def edit_tunnel2(text):
    out = []
    for line in text.splitlines():
        if line.startswith(" set session-key"):
            w = line.split()
            if w[4] in NEW_T2:
                line = " " + " ".join(NEW_T2.get(x, x) for x in w)
        out.append(line)
    return "\n".join(out) + "\n"


def test_sighup(lab):
    before = {gw: lab.sas(gw) for gw in "ab"}
    marks = {gw: len(lab.control_log(gw)) for gw in "ab"}
    bg = background_ping(lab, "a", HOST_B, 150, 0.02)  # 3 s through tunnel 1
    time.sleep(0.5)
    for gw in "ab":
        lab.cfg[gw].write_text(edit_tunnel2(lab.cfg[gw].read_text()))
        os.kill(lab.control_pid(gw), signal.SIGHUP)
    applied = all(wait_for(lambda gw=gw: "Reconfigured from" in lab.control_log(gw)[marks[gw]:], 10)
                  for gw in "ab")
    tx, rx = finish_ping(bg)
    check("f. both controls applied the edited configuration", applied,
          "; ".join(re.findall(r"%SYS-5-CONFIG_I: (.*)", lab.control_log("a")[marks["a"]:])))
    check("f. ping through tunnel 1 during the SIGHUPs loses nothing", tx == 150 and rx == tx,
          f"{rx}/{tx} replies")
    expect = {"a": ({0x1001, 0x2001}, {0x3001, 0x4001}, {0x3002, 0x4002}),
              "b": ({0x1001, 0x2001}, {0x3001, 0x4001}, {0x3002, 0x4002})}
    for gw, (t1, old2, new2) in expect.items():
        after = lab.sas(gw)
        same = all(after.get(s, {}).get("conn_id") == before[gw][s]["conn_id"] for s in t1)
        grew = all(after.get(s, {}).get("packets", -1) >= before[gw][s]["packets"] for s in t1)
        check(f"f. gateway {gw.upper()}: tunnel 1 keeps its SAs (conn ids, counters not reset)",
              same and grew, ", ".join(f"0x{s:x} conn {after.get(s, {}).get('conn_id')} "
                                       f"pkts {before[gw][s]['packets']}->"
                                       f"{after.get(s, {}).get('packets')}" for s in sorted(t1)))
        check(f"f. gateway {gw.upper()}: tunnel 2 now on SPIs 0x3002/0x4002",
              new2 <= set(after) and not (old2 & set(after)),
              f"SPIs {sorted(hex(s) for s in after)}")
    before2 = lab.sas("a")
    (tx, rx), _ = ping(lab, "a", HOST_B, 10, 0.05, "-I", HOST_A2)
    after2 = lab.sas("a")
    moved = (after2[0x4002]["packets"] - before2[0x4002]["packets"],
             after2[0x3002]["packets"] - before2[0x3002]["packets"])
    check("f. tunnel 2 passes traffic with the new keys", tx == 10 and rx == 10 and
          moved == (10, 10), f"{rx}/{tx} replies, SA 0x4002 +{moved[0]}, 0x3002 +{moved[1]}")


# ---------------------------------------------------------------------------------------------
# g. Fragments on af_xdp ports.

def test_fragments(lab, sa_by_spi):
    from scapy.layers.inet import ICMP, IP, fragment
    from scapy.packet import Raw

    sizes = [1472, 1473, 2000, 3000, 4000, 8000, 100] * 4
    for src, dst_who, dst_ip, port, what in (("a", "b", HOST_B, 5005, "A -> B"),
                                             ("b", "a", HOST_A, 5006, "B -> A")):
        got, lost, in_order = udp_transfer(lab, src, dst_who, dst_ip, sizes, port)
        check(f"g. UDP datagrams fragmented by the host (up to 8000 bytes) {what}",
              lost == 0 and got["bad"] == 0 and in_order,
              f"{len(got['seqs'])}/{len(sizes)} intact, {lost} lost")

    bg = background_ping(lab, "a", HOST_B, 200, 0.02)
    time.sleep(0.2)
    t2 = scapy_sa(sa_by_spi[0x3001])
    esp = t2.encrypt(IP(src=HOST_B, dst=HOST_A2) / ICMP(id=9, seq=1) / Raw(b"r" * 1000),
                     seq_num=1000)
    frags = fragment(esp, 400)
    before_sa, before = lab.sas("a")[0x3001], lab.drops("a")
    inject(lab, [frame(f) for f in frags], "fragmented-esp")
    time.sleep(0.3)
    after_sa, moved = lab.sas("a")[0x3001], drop_diff(before, lab.drops("a"))
    check(f"g. ESP packet in {len(frags)} outer fragments: reassembled and decapsulated",
          after_sa["reassembly_needed"] - before_sa["reassembly_needed"] == 1 and
          after_sa["packets"] - before_sa["packets"] == 1 and not moved,
          f"#decapsulated frgs needing reassembly +"
          f"{after_sa['reassembly_needed'] - before_sa['reassembly_needed']}, drops {moved}")

    before = lab.drops("a")
    lone = [frame(IP(src=GW_B_OUT, dst=GW_A_OUT, proto=50, id=0x4242 + i, flags="MF")
                  / Raw(bytes(esp[IP].payload)[:400])) for i in range(2)]
    inject(lab, lone, "lone-fragments")
    time.sleep(1.0)
    early = drop_diff(before, lab.drops("a"))
    time.sleep(2.0)  # the reassembly timeout is 2 s
    moved = drop_diff(before, lab.drops("a"))
    check("g. 2 ESP fragments that never complete: nothing before the 2 s timeout, then "
          "exactly reassembly_failed +2", not early and moved == {"reassembly_failed": 2},
          f"after 1 s {early}, after 3 s {moved}")
    tx, rx = finish_ping(bg)
    check("g. ping through tunnel 1 during the fragment injections loses nothing",
          tx > 0 and rx == tx, f"{rx}/{tx} replies")


# ---------------------------------------------------------------------------------------------

def section(name, fn, *args):
    t0 = time.monotonic()
    try:
        fn(*args)
    except Exception as e:  # a broken step fails its section; the others still run
        check(f"{name} ran to the end", False, f"{type(e).__name__}: {e}")
    note(f"[{name}: {time.monotonic() - t0:.1f} s]")


def run_lab_main(name, tag, body, cleanup=None):
    """main() of a test in the lab: `NAME.py BUILD_DIR` as root (77, skipped, without root,
    unless ESPGW_LAB_REQUIRED=1, as scripts/test.sh sets it: then a failure);
    a work dir and a Lab whose prefix is TAG + pid; body(lab, work) brings the lab up and runs
    the sections; cleanup(lab), if given, then the lab's teardown run whatever happens. A set-up
    exception fails with the gateways' log tails. Returns the exit status: 0 with the work dir
    removed, 1 with it kept."""
    if len(sys.argv) != 2:
        sys.exit(f"usage: {name}.py BUILD_DIR")
    if os.geteuid() != 0:
        if os.environ.get("ESPGW_LAB_REQUIRED") == "1":
            print("FAIL: the lab needs root (network namespaces); scripts/test.sh runs every "
                  "test and must run as root")
            return 1
        print("SKIP: the lab needs root (network namespaces)")
        return 77
    # meson's timeout sends SIGTERM: unwind through the finally below, which tears the lab down.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(f"{name}: terminated"))
    t_start = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix=f"espgw-{name}-"))
    lab = Lab(sys.argv[1], f"{tag}{os.getpid() % 100000}", work)
    try:
        body(lab, work)
    except Exception as e:
        check("lab set-up", False, f"{type(e).__name__}: {e}")
        for f in sorted(lab.dir.glob("*.log")) if lab.dir.exists() else []:
            note(f"--- {f.name}\n{f.read_text()[-2000:]}")
    finally:
        try:
            if cleanup is not None:
                cleanup(lab)
        finally:
            lab.down()
    note(f"total {time.monotonic() - t_start:.1f} s")
    if failures:
        print(f"FAIL: {len(failures)} check(s) failed; files kept in {work}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print(f"PASS: {name}")
    return 0


def main():
    cfg_a = (HERE / "configs" / "site-a.cfg").read_text()
    sa_by_spi = {sa["spi"]: sa for sa in parse_sas(cfg_a, GW_A_OUT)}
    all_sas = list(sa_by_spi.values())

    def body(lab, work):
        lab.up("af_packet")
        note(f"lab up: prefix {lab.prefix}, af_packet ports, work dir {work}")
        warm_up(lab)
        cap = Capture(lab)
        try:
            section("a", test_basic, lab)
            section("b", test_full_mtu, lab)
        finally:
            cap.stop()
        section("c", test_capture, lab, cap, all_sas)
        section("d", test_injection, lab, cap, sa_by_spi)
        section("e", test_control_kill, lab)
        section("f", test_sighup, lab)
        lab.down()
        lab.up("af_xdp")
        note("lab up again on af_xdp ports")
        warm_up(lab)
        section("g", test_fragments, lab, sa_by_spi)

    return run_lab_main("lab_test", "elt", body)


if __name__ == "__main__":
    sys.exit(main())
