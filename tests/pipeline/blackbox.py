"""Black-box harness for the gateway: espgw-dataplane on net_pcap ports, configured by
espgw-control from an IOS-syntax file, fed input pcaps; returns what came out of each port and
the counters the CLI reads from the stats segment.

One run: write each port's input frames to a pcap, start the dataplane (one lcore unless asked,
--no-huge) and control, wait for control's %SYS-5-CONFIG_I (rx starts only then, so every frame meets the
configuration), wait until the lcore received every input frame and its counters stopped moving,
read `espgw --json show crypto drops` and `show crypto ipsec sa`, then SIGINT the dataplane (which
closes the ports: net_pcap writes its tx pcaps then) and SIGTERM control.

Also here: the drop-reason table parsed from sadb/drop_reason.def, the tunnels of a test
configuration (peers, SPIs, suites, keys) parsed from the file so keys live in one place, scapy
SecurityAssociations for both directions of a tunnel, and exact frame comparison helpers.
"""
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass

warnings.filterwarnings("ignore")  # cryptography deprecates 3DES and scapy says so per SA

from scapy.all import conf  # noqa: E402
from scapy.layers.inet import ICMP, IP, UDP  # noqa: E402
from scapy.layers.ipsec import ESP, SecurityAssociation  # noqa: E402
from scapy.layers.l2 import ARP, Ether  # noqa: E402
from scapy.packet import Raw  # noqa: E402
from scapy.utils import checksum  # noqa: E402

conf.verb = 0

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
CONFIGS = os.path.join(HERE, "configs")
NATT_PORT = 4500


def port_mac(port: int) -> str:
    """net_pcap gives its n-th device 02:70:63:61:70:n ("pcap" in ASCII)."""
    return "02:70:63:61:70:%02x" % port


def mac_of_arp(text: str) -> str:
    """IOS `arp` notation 0200.0000.0002 -> 02:00:00:00:00:02."""
    h = text.replace(".", "")
    return ":".join(h[i:i + 2] for i in range(0, 12, 2))


# ---------------------------------------------------------------------------------------------
# sadb/drop_reason.def

@dataclass(frozen=True)
class DropReason:
    name: str   # kTtlExpired
    label: str  # ttl_expired
    per_sa: bool
    layer: str  # kEngine or kPipeline


def drop_reasons() -> list:
    text = open(os.path.join(SOURCE_ROOT, "sadb", "drop_reason.def")).read()
    rows = re.findall(r'ESPGW_DROP\((\w+),\s*\d+,\s*"([^"]+)",\s*(true|false),.*?,\s*(kEngine|'
                      r'kPipeline)\)', text, re.S)
    assert rows, "no ESPGW_DROP rows in drop_reason.def"
    return [DropReason(n, label, per_sa == "true", layer) for n, label, per_sa, layer in rows]


# ---------------------------------------------------------------------------------------------
# The tunnels of a test configuration, for scapy.

SUITES = {  # transform-set words -> (scapy cipher, scapy integrity)
    "esp-gcm": "AES-GCM", "esp-aes": "AES-CBC", "esp-3des": "3DES",
    "esp-sha-hmac": "HMAC-SHA1-96", "esp-md5-hmac": "HMAC-MD5-96",
}


@dataclass
class Tunnel:
    seq: int
    peer: str
    local: str
    spi_in: int    # the gateway's inbound SA: what the peer sends
    spi_out: int   # the gateway's outbound SA: what the gateway sends
    cipher: str
    integrity: str
    keys_in: tuple
    keys_out: tuple
    transport: bool
    natt: bool
    df: str = "copy"  # crypto ipsec df-bit of the crypto map interface, else the global one

    def _sa(self, spi, keys, src, dst):
        ckey, akey = keys
        return SecurityAssociation(
            ESP, spi=spi, crypt_algo=self.cipher, crypt_key=ckey,
            auth_algo=self.integrity, auth_key=akey,
            tunnel_header=None if self.transport else IP(src=src, dst=dst),
            nat_t_header=UDP(sport=NATT_PORT, dport=NATT_PORT) if self.natt else None)

    def peer_sa(self):
        """What the peer encrypts with: the gateway's inbound SA."""
        return self._sa(self.spi_in, self.keys_in, self.peer, self.local)

    def gateway_sa(self):
        """The gateway's outbound SA, to decrypt (or recompute) what it sends."""
        return self._sa(self.spi_out, self.keys_out, self.local, self.peer)

    def encrypt_from_peer(self, inner, seq: int) -> bytes:
        """An ESP packet (IP header first) the peer would send carrying `inner`."""
        return fix_natt_length(bytes(self.peer_sa().encrypt(inner, seq_num=seq)))


def fix_natt_length(ip: bytes) -> bytes:
    """scapy 2.5.0 leaves the UDP length of NAT-T (RFC 3948) at 8: set it; checksum stays 0."""
    if ip[9] != 17:
        return ip
    ihl = (ip[0] & 0xF) * 4
    return ip[:ihl + 4] + struct.pack("!H", len(ip) - ihl) + ip[ihl + 6:]


def parse_config(path: str) -> dict:
    """Tunnels (by crypto map sequence), ARP entries and interface addresses of a test config."""
    text = open(path).read()
    transforms, acls, maps, arps, addrs = {}, {}, {}, {}, []
    df = {"global": "copy"}
    natt = "crypto ipsec nat-transparency udp-encapsulation" in text
    ts = entry = None
    for line in text.splitlines():
        w = line.split()
        if not w or w[0] == "!":
            continue
        if line.startswith("crypto ipsec transform-set "):
            ts = transforms.setdefault(w[3], {"words": w[4:], "transport": False})
            entry = None
        elif line.startswith(" mode transport") and ts is not None:
            ts["transport"] = True
        elif line.startswith("crypto map ") and w[4] == "ipsec-manual":
            entry = maps.setdefault(int(w[3]), {})
            ts = None
        elif line.startswith(" set peer ") and entry is not None:
            entry["peer"] = w[2]
        elif line.startswith(" set transform-set ") and entry is not None:
            entry["ts"] = w[2]
        elif line.startswith(" set session-key ") and entry is not None:
            keys = (bytes.fromhex(w[6]), bytes.fromhex(w[8]) if len(w) > 8 else None)
            entry[w[2]] = (int(w[4], 0), keys)
        elif line.startswith("crypto ipsec df-bit ") or line.startswith(" crypto ipsec df-bit "):
            df["interface" if line.startswith(" ") else "global"] = w[3]
        elif line.startswith(" ip address "):
            addrs.append(w[2])
        elif w[0] == "arp":
            arps[w[1]] = mac_of_arp(w[2])
        elif w[0] == "access-list":
            acls.setdefault(w[1], []).append(line)
    tunnels = {}
    for seq, e in maps.items():
        t = transforms[e["ts"]]
        cipher = next(SUITES[x] for x in t["words"] if x in ("esp-gcm", "esp-aes", "esp-3des"))
        integ = next((SUITES[x] for x in t["words"] if x.endswith("-hmac")), "NULL")
        tunnels[seq] = Tunnel(seq, e["peer"], addrs[0], e["inbound"][0], e["outbound"][0],
                              cipher, integ, e["inbound"][1], e["outbound"][1], t["transport"],
                              natt, df.get("interface", df["global"]))
    return {"tunnels": tunnels, "arp": arps, "addresses": addrs}


# ---------------------------------------------------------------------------------------------
# pcap files

def write_pcap(path: str, frames) -> None:
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for k, fr in enumerate(frames):
            fr = bytes(fr)
            f.write(struct.pack("<IIII", 1, k, len(fr), len(fr)))
            f.write(fr)


def read_pcap(path: str) -> list:
    """Frames of a pcap (micro- or nanosecond magic, as net_pcap writes); [] if absent."""
    if not os.path.exists(path):
        return []
    data = open(path, "rb").read()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), f"{path}: not a little-endian pcap"
    frames, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
        frames.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return frames


# ---------------------------------------------------------------------------------------------
# A run of the gateway

class HarnessError(Exception):
    pass


@dataclass
class Run:
    out: dict                 # port -> [frame bytes] transmitted
    drops: dict               # label -> count, all lcores
    lcores: list              # per-lcore CLI JSON
    sas: list                 # `show crypto ipsec sa` JSON
    control_log: str
    dataplane_log: str
    inputs: int

    def sa(self, spi: int) -> dict:
        for s in self.sas:
            if s["spi"] == spi:
                return s
        raise HarnessError(f"no SA with SPI {spi:#x} in show crypto ipsec sa")

    def total(self, key: str) -> int:
        return sum(lc[key] for lc in self.lcores)


class Gateway:
    """Runs espgw-dataplane + espgw-control from a build directory."""

    def __init__(self, build_root: str, keep: str = None):
        self.dataplane = os.path.join(build_root, "dataplane", "espgw-dataplane")
        self.control = os.path.join(build_root, "espgw-control")
        self.cli = os.path.join(build_root, "mgmt", "espgw")
        for exe in (self.dataplane, self.control, self.cli):
            if not os.access(exe, os.X_OK):
                raise HarnessError(f"{exe} not built")
        self.keep = keep
        self.runs = 0

    def _cli(self, instance: str, what: str) -> dict:
        out = subprocess.run([self.cli, "--instance", instance, "--json"] + what.split(),
                             capture_output=True, text=True, timeout=10)
        if out.returncode != 0:
            raise HarnessError(f"espgw {what}: {out.stderr.strip()}")
        return json.loads(out.stdout)

    def run(self, config: str, inputs: dict, ports: int = 2, dataplane_args=(),
            until=None, timeout: float = 8.0, config_line: str = "%SYS-5-CONFIG_I",
            lcores: int = 1, queues: int = 1) -> Run:
        """Feeds inputs {port: [frames]} through the gateway configured by `config` (a file
        name under configs/ or a path). `until(drops_json)` may ask to wait for more than
        quiescence (a timer inside the dataplane). `config_line` is the control log line that
        says the configuration is live (a refused SA gives %ESPGW-3-CONFIG_PARTIAL).
        `lcores` > 1: the main lcore and lcores - 1 forwarding workers, spread over the CPUs
        this process may use. `queues` > 1: each port gets that many rx and tx queues (net_pcap
        makes one per rx_pcap / tx_pcap file); a port's frames are dealt to its rx queues in
        turn, and Run.out[port] holds the tx queues' frames one queue after the other."""
        self.runs += 1
        instance = f"pl{os.getpid()}x{self.runs}"
        work = tempfile.mkdtemp(prefix=f"espgw-pipeline-{instance}-")
        cfg = config if os.path.isabs(config) else os.path.join(CONFIGS, config)
        cpus = sorted(os.sched_getaffinity(0))
        lcore_map = ",".join(f"{k}@{cpus[k % len(cpus)]}" for k in range(lcores))
        args = [self.dataplane, f"--lcores={lcore_map}", "--no-pci", "--no-huge", "--no-shconf",
                "-m", "256", "--log-level=lib.eal:error"]
        n_in = 0
        for p in range(ports):
            frames = inputs.get(p, [])
            n_in += len(frames)
            files = [f"in{p}.pcap"] if queues == 1 else [f"in{p}q{q}.pcap" for q in range(queues)]
            for q, name in enumerate(files):
                write_pcap(os.path.join(work, name), frames[q::queues])
            args += ["--vdev", f"net_pcap{p}," + ",".join(
                f"rx_pcap={work}/{name},tx_pcap={work}/{name.replace('in', 'out', 1)}"
                for name in files)]
        args += ["--", "--instance", instance] + list(dataplane_args)
        dp_log = open(os.path.join(work, "dataplane.log"), "w")
        ctl_log_path = os.path.join(work, "control.log")
        dp = subprocess.Popen(args, stdout=dp_log, stderr=subprocess.STDOUT)
        ctl = subprocess.Popen([self.control, "--instance", instance, "--config", cfg],
                               stdout=open(ctl_log_path, "w"), stderr=subprocess.STDOUT)
        try:
            self._wait_config(ctl_log_path, config_line, dp)
            drops = self._settle(instance, n_in, until, timeout)
            sas = self._cli(instance, "show crypto ipsec sa")["sas"]
        except Exception:
            self._stop(dp, ctl)
            print(f"--- control log ({cfg})\n{open(ctl_log_path).read()}")
            print(f"--- dataplane log\n{open(os.path.join(work, 'dataplane.log')).read()}")
            raise
        self._stop(dp, ctl)
        if dp.returncode != 0:
            raise HarnessError(f"espgw-dataplane exited with {dp.returncode}")
        outs = {p: [f"out{p}.pcap"] if queues == 1 else [f"out{p}q{q}.pcap" for q in range(queues)]
                for p in range(ports)}
        run = Run({p: [f for name in names for f in read_pcap(os.path.join(work, name))]
                   for p, names in outs.items()},
                  drops["drops"], drops["lcores"], sas, open(ctl_log_path).read(),
                  open(os.path.join(work, "dataplane.log")).read(), n_in)
        if self.keep:
            dest = os.path.join(self.keep, instance)
            shutil.copytree(work, dest)
        shutil.rmtree(work, ignore_errors=True)
        return run

    @staticmethod
    def _wait_config(path: str, line: str, dp) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            log = open(path).read()
            if line in log:
                return
            if dp.poll() is not None:
                raise HarnessError(f"espgw-dataplane exited early ({dp.returncode})")
            time.sleep(0.02)
        raise HarnessError(f"control never logged {line}")

    def _settle(self, instance: str, n_in: int, until, timeout: float) -> dict:
        """Waits until every input frame was received and nothing moved for 150 ms (what the
        main lcore sends, ARP and ICMP, leaves on the poll after the one that received)."""
        deadline = time.monotonic() + timeout
        last, stable = None, 0
        while time.monotonic() < deadline:
            j = self._cli(instance, "show crypto drops")
            rx = sum(lc["rx_packets"] for lc in j["lcores"])
            if rx >= n_in and (until is None or until(j)):
                if j == last:
                    stable += 1
                    if stable >= 3:
                        return j
                else:
                    stable = 0
            last = j
            time.sleep(0.05)
        raise HarnessError(f"not settled after {timeout} s: {json.dumps(last)[:2000]}")

    @staticmethod
    def _stop(dp, ctl) -> None:
        for proc, sig in ((dp, signal.SIGINT), (ctl, signal.SIGTERM)):
            if proc.poll() is None:
                proc.send_signal(sig)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# ---------------------------------------------------------------------------------------------
# Checks

class Checks:
    """Collects failures per scenario instead of stopping at the first one."""

    def __init__(self):
        self.failures = []
        self.scenario = "?"
        self.results = []  # (scenario, ok, seconds)
        self._t0 = 0.0
        self._n0 = 0

    def begin(self, name: str) -> None:
        self.scenario = name
        self._t0 = time.monotonic()
        self._n0 = len(self.failures)

    def end(self) -> None:
        ok = len(self.failures) == self._n0
        self.results.append((self.scenario, ok, time.monotonic() - self._t0))
        print(f"{'ok  ' if ok else 'FAIL'} {self.scenario} ({time.monotonic() - self._t0:.1f} s)",
              flush=True)

    def expect(self, cond, msg: str) -> bool:
        if not cond:
            self.failures.append(f"{self.scenario}: {msg}")
            print(f"     {msg}", flush=True)
        return bool(cond)

    def same_bytes(self, got: bytes, want: bytes, what: str) -> bool:
        if got == want:
            return True
        diff = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]),
                    min(len(got), len(want)))
        return self.expect(False, f"{what}: {len(got)} bytes differ from the expected "
                                  f"{len(want)} at offset {diff}\n       got  {got.hex()}\n"
                                  f"       want {want.hex()}")

    def drops(self, run: Run, want: dict, per_sa: dict = None) -> None:
        """Exactly the `want` drops (label -> n) moved, globally and per lcore, and per SA only
        what `per_sa` ({spi: {label: n}}) says; every other counter of every SA stays 0."""
        per_sa = per_sa or {}
        for label, n in run.drops.items():
            self.expect(n == want.get(label, 0), f"drop {label} = {n}, expected "
                                                 f"{want.get(label, 0)}")
        for label in want:
            self.expect(label in run.drops, f"no drop reason {label} in the CLI output")
        for label in run.drops:
            total = sum(lc["drops"][label] for lc in run.lcores)
            self.expect(total == run.drops[label], f"per-lcore {label} sums to {total}")
        for s in run.sas:
            exp = per_sa.get(s["spi"], {})
            for label, n in s["drops"].items():
                self.expect(n == exp.get(label, 0), f"SA {s['spi']:#x} ({s['direction']}) drop "
                                                    f"{label} = {n}, expected {exp.get(label, 0)}")
        self.expect(run.total("rx_packets") == run.inputs,
                    f"received {run.total('rx_packets')} of {run.inputs} input frames")


# ---------------------------------------------------------------------------------------------
# Expected output, matched frame by frame

IV_LEN = {"AES-GCM": 8, "AES-CBC": 16, "3DES": 8}
OUTER_TTL = 64  # kDefaultTtl of the compiler: the tunnel header's TTL

HOST = "198.18.1.10"    # inside host with a static ARP entry in every config
REMOTE = "198.18.2.10"  # behind the peer 192.0.2.2
INSIDE_GW = "198.18.1.1"
ICMP_RATE = 100  # control's default ICMP error rate per second (compiler_internal.h)


class Setup:
    """A configuration file and what the test derives from it."""

    def __init__(self, name: str):
        self.name = name
        self.cfg = parse_config(os.path.join(CONFIGS, name))
        self.tunnels = self.cfg["tunnels"]
        self.arp = self.cfg["arp"]
        self.by_spi_out = {t.spi_out: t for t in self.tunnels.values()}

    def mac(self, ip: str) -> str:
        return self.arp[ip]


def l2(dst: str, src: str) -> bytes:
    """An Ethernet header for IPv4 (scapy would say 0x9000 without a payload)."""
    return bytes(Ether(dst=dst, src=src, type=0x0800))


def from_inside(setup: Setup, pkt, host_mac: str = None) -> bytes:
    return l2(port_mac(1), host_mac or setup.mac(HOST)) + bytes(pkt)


def esp_from_peer(tunnel, inner, seq: int) -> bytes:
    peer_mac = "02:00:00:00:00:%02x" % int(tunnel.peer.split(".")[-1])
    return l2(port_mac(0), peer_mac) + tunnel.encrypt_from_peer(inner, seq)


def forwarded(pkt) -> bytes:
    """The IPv4 packet as the gateway forwards it: TTL - 1, checksum recomputed."""
    p = IP(bytes(pkt))
    p.ttl -= 1
    del p.chksum
    return bytes(p)


def arp_request(port: int, sender: str, target: str) -> bytes:
    """The ARP request (RFC 826) the gateway broadcasts on `port` for `target`."""
    return bytes(Ether(src=port_mac(port), dst="ff:ff:ff:ff:ff:ff") / ARP(
        op=1, hwsrc=port_mac(port), psrc=sender, hwdst="00:00:00:00:00:00", pdst=target))


def icmp_error(src: str, dst: str, icmp_type: int, code: int, offending: bytes,
               mtu: int = 0) -> bytes:
    """RFC 792 error from the gateway: IP header (TTL 64, ID 0), type, code, next-hop MTU
    (RFC 1191, 0 otherwise), the offending header and 8 bytes of its data."""
    quote = offending[:(offending[0] & 0xF) * 4 + 8]
    icmp = struct.pack("!BBHHH", icmp_type, code, 0, 0, mtu) + quote
    icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
    return bytes(IP(src=src, dst=dst, ttl=64, id=0, proto=1) / Raw(icmp))


def echo_reply(request, src: str) -> bytes:
    """RFC 792 echo reply the gateway makes in place: addresses swapped, TTL 64, type 0."""
    p = IP(bytes(request))
    p.src, p.dst = src, p.src
    p.ttl = 64
    del p.chksum
    p[ICMP].type = 0
    del p[ICMP].chksum
    return bytes(p)


class Expected:
    """Expected output of one port: cleartext frames, and inner packets per outbound SPI."""

    def __init__(self):
        self.clear = []
        self.esp = {}  # spi -> [inner IPv4 bytes]

    def frame(self, b: bytes):
        self.clear.append(bytes(b))

    def inner(self, tunnel, b: bytes):
        self.esp.setdefault(tunnel.spi_out, []).append(bytes(b))


def esp_offset(ip: bytes):
    """(offset of the ESP header, is NAT-T) or None when the packet is not ESP."""
    ihl = (ip[0] & 0xF) * 4
    if ip[9] == 50:
        return ihl, False
    if ip[9] == 17 and len(ip) >= ihl + 12 and struct.unpack("!H", ip[ihl + 2:ihl + 4])[0] \
            == NATT_PORT and ip[ihl + 8:ihl + 12] != b"\0\0\0\0":
        return ihl + 8, True
    return None


def outer_df(tunnel, inner_ip) -> bool:
    """The tunnel header's DF under `crypto ipsec df-bit copy|set|clear`."""
    return {"copy": bool(inner_ip.flags.DF), "set": True, "clear": False}[tunnel.df]


def recompute(tunnel, got_ip: bytes, inner: bytes) -> bytes:
    """What the gateway must have sent for `inner`: scapy encrypts it with the packet's own
    sequence number, IV and IP ID (the only per-packet choices) and everything else fixed."""
    off, _ = esp_offset(got_ip)
    seq = struct.unpack("!I", got_ip[off + 4:off + 8])[0]
    iv = got_ip[off + 8:off + 8 + IV_LEN[tunnel.cipher]]
    ip_id = struct.unpack("!H", got_ip[4:6])[0]
    inner_ip = IP(inner)
    header = None
    if not tunnel.transport:
        df = "DF" if outer_df(tunnel, inner_ip) else 0
        header = IP(src=tunnel.local, dst=tunnel.peer, ttl=OUTER_TTL, tos=inner_ip.tos,
                    flags=df, id=ip_id)
    ckey, akey = tunnel.keys_out
    sa = SecurityAssociation(ESP, spi=tunnel.spi_out, crypt_algo=tunnel.cipher, crypt_key=ckey,
                             auth_algo=tunnel.integrity, auth_key=akey, tunnel_header=header,
                             nat_t_header=UDP(sport=NATT_PORT, dport=NATT_PORT)
                             if tunnel.natt else None)
    return fix_natt_length(bytes(sa.encrypt(inner_ip, seq_num=seq, iv=iv)))


def decrypt(tunnel, got_ip: bytes) -> bytes:
    sa = tunnel.gateway_sa()
    return bytes(sa.decrypt(IP(got_ip)))  # scapy's decrypt mutates its argument: a fresh parse


def match_port(ck: Checks, setup: Setup, got: list, want: Expected, port: int) -> dict:
    """Pairs every transmitted frame with an expected one; returns {spi: [inner bytes]} in
    transmit order."""
    clear = list(want.clear)
    esp_left = {spi: list(v) for spi, v in want.esp.items()}
    seen = {}
    ivs = set()
    for n, frame in enumerate(got):
        ip = frame[14:]
        where = esp_offset(ip) if frame[12:14] == b"\x08\x00" else None
        if where is None:
            if frame in clear:
                clear.remove(frame)
            else:
                ck.expect(False, f"port {port} frame {n} not expected: "
                                 f"{Ether(frame).summary()}\n       {frame.hex()}")
            continue
        off, natt = where
        spi, seq = struct.unpack("!II", ip[off:off + 8])
        tunnel = setup.by_spi_out.get(spi)
        if not ck.expect(tunnel is not None, f"port {port} frame {n}: ESP with SPI {spi:#x}"):
            continue
        ck.expect(natt == tunnel.natt, f"SPI {spi:#x}: UDP encapsulation {natt}")
        ck.same_bytes(frame[:14], l2(setup.mac(tunnel.peer), port_mac(port)),
                      f"SPI {spi:#x} seq {seq}: Ethernet header")
        try:
            inner = decrypt(tunnel, ip)
        except Exception as e:  # a wrong key, ICV or padding: scapy raises
            ck.expect(False, f"SPI {spi:#x} seq {seq}: scapy cannot decrypt: {e!r}")
            continue
        iv = ip[off + 8:off + 8 + IV_LEN[tunnel.cipher]]
        ck.expect(iv not in ivs, f"SPI {spi:#x} seq {seq}: IV {iv.hex()} reused")
        ivs.add(iv)
        seen.setdefault(spi, []).append((seq, inner))
        if inner not in esp_left.get(spi, []):
            ck.expect(False, f"SPI {spi:#x} seq {seq}: unexpected inner packet "
                             f"{IP(inner).summary()}\n       {inner.hex()}")
            continue
        esp_left[spi].remove(inner)
        ck.same_bytes(ip, recompute(tunnel, ip, inner), f"SPI {spi:#x} seq {seq}: ESP packet")
    for frame in clear:
        ck.expect(False, f"port {port}: expected frame missing: {Ether(frame).summary()}\n"
                         f"       {frame.hex()}")
    for spi, rest in esp_left.items():
        for inner in rest:
            ck.expect(False, f"port {port}: no ESP on SPI {spi:#x} carries {IP(inner).summary()}")
    for spi, items in seen.items():
        seqs = [s for s, _ in items]
        ck.expect(seqs == list(range(1, len(seqs) + 1)),
                  f"SPI {spi:#x}: sequence numbers {seqs} in transmit order, want 1..{len(seqs)}")
    return {spi: [i for _, i in items] for spi, items in seen.items()}


def check_outputs(ck: Checks, setup: Setup, run, want: dict) -> dict:
    out = {}
    for port in sorted(set(run.out) | set(want)):
        out.update(match_port(ck, setup, run.out.get(port, []), want.get(port, Expected()), port))
    return out


def check_sa_packets(ck: Checks, run, counts: dict) -> None:
    for spi, n in counts.items():
        got = run.sa(spi)["packets"]
        ck.expect(got == n, f"SA {spi:#x} packets = {got}, expected {n}")


def udp_of_size(src: str, dst: str, size: int, ip_id: int = 1, df: bool = False):
    """An IPv4/UDP packet of exactly `size` bytes."""
    body = bytes(k % 251 for k in range(size - 28))
    return IP(bytes(IP(src=src, dst=dst, id=ip_id, flags="DF" if df else 0)
                    / UDP(sport=5, dport=6) / Raw(body)))


def check_prefragmented(ck: Checks, tunnel, frames: list, pkt, mtu: int) -> int:
    """`frames` are the ESP packets of one pre-fragmented inner packet (RFC 4459 §5): each fits
    `mtu`, is exactly what scapy makes of its inner fragment, and the fragments (ids, offsets,
    flags, copied header fields, checksums) reassemble to `pkt` as forwarded. Returns their
    number."""
    frags = []
    for n, f in enumerate(frames):
        ip = f[14:]
        ck.expect(len(ip) <= mtu, f"ESP packet {n} is {len(ip)} bytes, MTU {mtu}")
        inner = decrypt(tunnel, ip)
        frags.append(IP(inner))
        ck.same_bytes(ip, recompute(tunnel, ip, inner), f"ESP packet {n}")
    want = IP(forwarded(pkt))
    offset = 0
    payload = b""
    for n, f in enumerate(frags):
        last = n == len(frags) - 1
        ck.expect(f.id == want.id and bool(f.flags.MF) != last and f.frag * 8 == offset,
                  f"fragment {n}: id {f.id:#x}, MF {f.flags.MF}, offset {f.frag * 8}")
        ck.expect(f.ttl == want.ttl and f.tos == want.tos and f.src == want.src and
                  f.dst == want.dst and f.proto == want.proto,
                  f"fragment {n}: header fields not copied from the forwarded packet")
        check = IP(bytes(f))
        del check.chksum
        ck.expect(IP(bytes(check)).chksum == f.chksum, f"fragment {n}: header checksum")
        offset += len(f.payload)
        payload += bytes(f.payload)
    ck.same_bytes(payload, bytes(want.payload), "reassembled payload")
    return len(frags)


def check_postfragmented(ck: Checks, tunnel, frames: list, pkt, mtu: int) -> int:
    """`frames` are the outer IPv4 fragments of the one ESP packet that carries `pkt` (RFC 4459
    §3, fragmentation after encryption): each fits `mtu`, they reassemble (ids, offsets, MF,
    checksums) to exactly the ESP packet scapy makes of `pkt` as forwarded. Returns their
    number."""
    offset, payload, first = 0, b"", None
    for n, f in enumerate(frames):
        ip = IP(f[14:])
        first = first or ip
        last = n == len(frames) - 1
        ck.expect(len(f) - 14 <= mtu, f"outer fragment {n} is {len(f) - 14} bytes, MTU {mtu}")
        ck.expect(ip.id == first.id and bool(ip.flags.MF) != last and ip.frag * 8 == offset
                  and not ip.flags.DF, f"outer fragment {n}: id {ip.id:#x}, flags {ip.flags}, "
                                       f"offset {ip.frag * 8}")
        check = IP(f[14:])
        del check.chksum
        ck.expect(IP(bytes(check)).chksum == ip.chksum, f"outer fragment {n}: header checksum")
        offset += len(ip.payload)
        payload += bytes(ip.payload)
    if first is None:
        ck.expect(False, "no outer fragments")
        return 0
    whole = IP(bytes(first))
    whole.flags = 0
    whole.frag = 0
    whole.remove_payload()
    whole = whole / Raw(payload)
    del whole.len
    del whole.chksum
    esp = bytes(whole)
    ck.same_bytes(esp, recompute(tunnel, esp, forwarded(pkt)), "reassembled ESP packet")
    return len(frames)
