#!/usr/bin/python3
"""The espgw CLI's SA views against the two-site lab (tests/lab/lab_test.py's Lab and helpers),
gateway A running tunnels 1 and 2 to 192.0.2.2 plus a tunnel 3 to 192.0.2.3 (added by SIGHUP;
it carries no traffic):

  a. known traffic after `clear crypto counters`: show crypto ipsec sa (text and JSON) counts
     exactly the pings sent, prints SPIs as hex(decimal), the transform, the ACL line, settings;
     peer / map / spi filters select whole tunnels; the stats segment's raw counters kept going
  b. show crypto engine connection active: encrypted / decrypted per SA and direction
  c. injected unknown-SPI and replayed packets: show crypto drops (global, per lcore, per SA)
     and show crypto ipsec sa ... detail count exactly them
  d. clear crypto counters: every show goes to 0, the raw counters do not
  e. clear crypto sa peer 192.0.2.3: only tunnel 3 is re-installed (slot/generation change);
     tunnels 1 and 2 keep their SAs and counters, a ping through tunnel 1 meanwhile loses nothing
  f. clear crypto sa spi on both gateways for tunnel 1: fresh SAs counting from 0, traffic flows
     again, a ping through tunnel 2 meanwhile loses nothing; the replay note is printed
  g. show crypto ipsec sa keys --wireshark FILE (0600): tshark decrypts a transit capture of
     both directions with only that file as its esp_sa table, every ICV good
  h. one-line errors: ambiguous / invalid words, bad file, unknown instance, non-root; without
     control the SA view still works (with its note) and the others say so in one line

Usage: cli_sa_test.py BUILD_DIR. Root only. Prints PASS/FAIL lines; exits 1 on a failure; the lab
is always torn down.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tests" / "lab"))
import lab_test  # noqa: E402  (the lab, its helpers, check/section and the failure list)
from lab_test import (GW_A_OUT, GW_B_OUT, HOST_A2, HOST_B, Capture,  # noqa: E402
                      background_ping, capture_fresh, check, finish_ping, frame, inject, ping,
                      section, wait_for, warm_up)

T1 = (0x1001, 0x2001)  # gateway A: tunnel 1 inbound, outbound (B has the same SPIs mirrored)
T2 = (0x3001, 0x4001)
T3 = (0x5001, 0x6001)
PEER3 = "192.0.2.3"
ICMP_BYTES = 84  # an 84-byte IPv4 echo (ping's default 56 data bytes) is what an SA counts
TUNNEL3 = """access-list 103 permit ip 198.18.1.0 0.0.0.255 198.18.3.0 0.0.0.255
crypto map VPN 30 ipsec-manual
 set peer 192.0.2.3
 set transform-set GCM128
 match address 103
 set session-key inbound esp 20481 cipher a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3
 set session-key outbound esp 24577 cipher c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3
"""

class Cli:
    """The espgw binary for one gateway: text, JSON, exit status and stderr."""

    def __init__(self, lab, gw):
        self.exe, self.instance = str(lab.build / "mgmt" / "espgw"), lab.prefix + gw

    def run(self, *words, env=None, user=None):
        cmd = [self.exe, "--instance", self.instance, *map(str, words)]
        if user is not None:
            cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"] + cmd
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=40, env=env)
        return r.returncode, r.stdout, r.stderr

    def text(self, *words):
        rc, out, err = self.run(*words)
        if rc != 0:
            raise RuntimeError(f"espgw {' '.join(map(str, words))}: {err}")
        return out

    def json(self, *words, env=None):
        rc, out, err = self.run("--json", *words, env=env)
        if rc != 0:
            raise RuntimeError(f"espgw --json {' '.join(map(str, words))}: {err}")
        return json.loads(out)

    def sas(self, *filters, env=None):
        return {s["spi"]: s for s in self.json("show", "crypto", "ipsec", "sa", *filters,
                                               env=env)["sas"]}

    def raw_sas(self):
        """The stats segment's own counters: a run directory without control's socket and
        without the counter baseline."""
        empty = tempfile.mkdtemp(prefix="espgw-norun-")
        try:
            return self.sas(env=dict(os.environ, ESPGW_RUN_DIR=empty))
        finally:
            shutil.rmtree(empty)


def pings(lab, count, *extra):
    """(sent, answered) of COUNT pings host A -> host B. The SA checks compare counters with
    what was sent: on this shared machine a reply can reach host A too late for ping."""
    return ping(lab, "a", HOST_B, count, 0.02, "-W", 5, *extra)[0]


def slots(sas, spis):
    return {s: (sas[s]["slot"], sas[s]["generation"]) for s in spis if s in sas}


def add_tunnel3(lab):
    mark = len(lab.control_log("a"))
    lab.cfg["a"].write_text(lab.cfg["a"].read_text() + TUNNEL3)
    os.kill(lab.control_pid("a"), signal.SIGHUP)
    if not wait_for(lambda: "Reconfigured from" in lab.control_log("a")[mark:], 10):
        raise RuntimeError("control A did not apply tunnel 3:\n" + lab.control_log("a")[mark:])


def contains_all(text, lines):
    missing = [l for l in lines if l not in text]
    return not missing, "missing: " + " | ".join(missing) if missing else f"{len(lines)} lines"


# --- a ------------------------------------------------------------------------------------------

def test_known_traffic(lab, a, b):
    a.text("clear", "crypto", "counters")
    b.text("clear", "crypto", "counters")
    tx, rx = pings(lab, 20)
    sas, b_sas = a.sas(), b.sas()
    raw = a.raw_sas()
    out, inb = sas[T1[1]], sas[T1[0]]
    check("a. JSON: tunnel 1 counts exactly the 20 echoes each way since the clear",
          tx == 20 and out["packets"] == 20 and b_sas[T1[0]]["packets"] == 20 and
          inb["packets"] == b_sas[T1[1]]["packets"] == 20 and
          out["bytes"] == 20 * ICMP_BYTES and inb["bytes"] == 20 * ICMP_BYTES,
          f"ping {rx}/{tx}, A out {out['packets']} pkts {out['bytes']} B, in {inb['packets']}; "
          f"B in {b_sas[T1[0]]['packets']}, out {b_sas[T1[1]]['packets']}")
    check("a. JSON: the stats segment's raw counters kept the warm-up too",
          raw[T1[1]]["packets"] > 20, f"raw {raw[T1[1]]['packets']}")
    check("a. JSON: names from control (interface, ACL line, transform set, install time)",
          out["interface"] == "port0" and out["acl"]["name"] == "101" and
          out["transform_set"]["name"] == "GCM128" and out["installed_at"] > 0,
          f"{out['interface']}, acl {out['acl']}, {out['transform_set']}")
    text = a.text("show", "crypto", "ipsec", "sa")
    ok, detail = contains_all(text, [
        "interface: port0",
        "    Crypto map tag: VPN, seq num: 10, local addr: 192.0.2.1",
        "      access-list 101 permit ip 198.18.1.0 0.0.0.127 198.18.2.0 0.0.0.255",
        "      local ident (addr/mask/prot/port): (198.18.1.0/255.255.255.128/0/0)",
        "      remote ident (addr/mask/prot/port): (198.18.2.0/255.255.255.0/0/0)",
        "      current_peer: 192.0.2.2",
        "      #pkts encaps: 20, #pkts encrypt: 20, #pkts digest: 20",
        "      #pkts decaps: 20, #pkts decrypt: 20, #pkts verify: 20",
        "      #pre-frag successes: 0, #pre-frag failures: 0, #fragments created: 0",
        "      #PMTUs sent: 0, #PMTUs rcvd: 0, #decapsulated frgs needing reassembly: 0",
        "      local crypto endpt.: 192.0.2.1, remote crypto endpt.: 192.0.2.2",
        "      path mtu 1500, ipsec overhead 57, media mtu 1500",
        "      current outbound spi: 0x2001(8193)",
        "       spi: 0x1001(4097)",
        "       spi: 0x2001(8193)",
        "         transform: esp-gcm 128 ,",
        "         transform: esp-aes 128 esp-sha-hmac ,",
        "         in use settings ={Tunnel, }",
        f"         slot: {out['owner_lcore']}, conn id: {out['conn_id']}, "
        f"flow_id: {out['slot'] + 1}, crypto map: VPN",
        "         sa timing: remaining key lifetime (k/sec): (-/-)",
        "         IV size: 8 bytes",
        "         IV size: 16 bytes",
        "         replay detection support: Y",
        "      outbound pcp sas:",
        "    Crypto map tag: VPN, seq num: 30, local addr: 192.0.2.1",
        "      current_peer: 192.0.2.3"])
    check("a. text: the IOS layout with tunnel 1's counters, SPIs, transforms, ACL line", ok,
          detail)
    for words, spis, name in ((("peer", PEER3), set(T3), "peer 192.0.2.3"),
                              (("peer", GW_B_OUT), set(T1 + T2), "peer 192.0.2.2"),
                              (("map", "VPN"), set(T1 + T2 + T3), "map VPN"),
                              (("spi", 8193), set(T1), "spi 8193 (its whole tunnel)"),
                              (("spi", "0x3001"), set(T2), "spi 0x3001"),
                              (("map", "OTHER"), set(), "map OTHER")):
        got = set(a.sas(*words))
        check(f"a. filter {name}", got == spis, f"SPIs {sorted(hex(s) for s in got)}")
    peer_text = a.text("sh", "cr", "ips", "sa", "peer", PEER3)
    check("a. text: peer filter prints the ASA's peer address line and only that tunnel",
          peer_text.startswith(f"peer address: {PEER3}\ninterface: port0\n") and
          "seq num: 30" in peer_text and "seq num: 10" not in peer_text, peer_text[:60])


# --- b ------------------------------------------------------------------------------------------

def test_engine(lab, a):
    rows = {r["spi"]: r for r in a.json("show", "crypto", "engine", "connection",
                                         "active")["connections"]}
    out, inb = rows.get(T1[1], {}), rows.get(T1[0], {})
    check("b. engine connections: one row per SA and direction",
          set(rows) == set(T1 + T2 + T3), f"{len(rows)} rows")
    check("b. engine: tunnel 1 encrypted 20 outbound, decrypted 20 inbound",
          (out.get("encrypted"), out.get("decrypted"), inb.get("encrypted"),
           inb.get("decrypted")) == (20, 0, 0, 20) and out.get("bytes") == 20 * ICMP_BYTES,
          f"out {out}, in {inb}")
    text = a.text("sh", "cry", "eng", "conn", "act")
    row = [l for l in text.splitlines() if " 0x2001 " in l]
    check("b. engine text: the outbound row of tunnel 1",
          text.startswith("Crypto Engine Connections\n") and len(row) == 1 and
          row[0].split()[1:] == ["IPsec", "aes128gcm", "port0", GW_A_OUT, GW_B_OUT, "out",
                                 "0x2001", "20", "0", str(20 * ICMP_BYTES), "0"],
          row[0] if row else text)


# --- c ------------------------------------------------------------------------------------------

def test_drops(lab, a):
    from scapy.layers.inet import IP
    from scapy.layers.ipsec import ESP
    from scapy.packet import Raw

    bg = background_ping(lab, "a", HOST_B, 100, 0.02)
    time.sleep(0.2)
    inject(lab, [frame(IP(src=GW_B_OUT, dst=GW_A_OUT) / ESP(spi=0xdead, seq=i) / Raw(b"x" * 48))
                 for i in range(1, 4)], "cli-invalid-spi")
    fresh = capture_fresh(lab, T1[0], 3)
    inject(lab, [f.copy() for f in fresh], "cli-replay")
    finish_ping(bg)
    time.sleep(0.3)
    d = a.json("show", "crypto", "drops")
    per_sa = {s["spi"]: s["drops"] for s in d["sas"]}
    lcore_invalid = sum(l["drops"].get("invalid_spi", 0) for l in d["lcores"])
    check("c. drops (JSON): invalid_spi 3 and replay_duplicate 3 since the clear, globally and "
          "per lcore", d["drops"]["invalid_spi"] == 3 and d["drops"]["replay_duplicate"] == 3 and
          lcore_invalid == 3, f"global {d['drops']['invalid_spi']}/"
          f"{d['drops']['replay_duplicate']}, lcores {lcore_invalid}")
    check("c. drops (JSON): the 3 replays on SA 0x1001, nothing on the others",
          per_sa.get(T1[0]) == {"replay_duplicate": 3} and
          all(not v for s, v in per_sa.items() if s != T1[0]), f"{per_sa}")
    text = a.text("show", "crypto", "drops")
    ok, detail = contains_all(text, [
        "Dataplane drops (all lcores):",
        "  invalid_spi                             3  no inbound SA for the SPI",
        "  replay_duplicate                        3  ",
        "Drops per SA:",
        f"  conn id {a.sas()[T1[0]]['conn_id']}, spi 0x1001(4097) inbound, peer 192.0.2.2, "
        "crypto map VPN 10:",
        "    replay_duplicate                        3"])
    check("c. drops (text): non-zero rows only, globally and per SA", ok and
          "icv_mismatch" not in text, detail)
    detail_text = a.text("sh", "cr", "ips", "sa", "spi", 4097, "det")
    ok, detail = contains_all(detail_text, [
        "      #send errors 0, #recv errors 3",
        "         errors by reason:\n           replay_duplicate                      3",
        "         errors by reason: none"])
    check("c. show crypto ipsec sa spi 4097 detail: the replays by reason on the inbound SA", ok,
          detail)


# --- d ------------------------------------------------------------------------------------------

def test_clear_counters(lab, a):
    raw_before = a.raw_sas()
    rc, out, err = a.run("clear", "crypto", "counters")
    sas = a.sas()
    drops = a.json("show", "crypto", "drops")
    engine = a.json("show", "crypto", "engine", "connection", "active")["connections"]
    raw = a.raw_sas()
    zero = all(s["packets"] == 0 and s["bytes"] == 0 and s["errors"] == 0 for s in sas.values())
    check("d. clear crypto counters: silent, every SA shows 0", rc == 0 and out == "" and
          err == "" and zero, f"rc {rc}, {sorted((hex(k), v['packets']) for k, v in sas.items())}")
    check("d. drops and engine connections show 0 too",
          not any(drops["drops"].values()) and not any(s["drops"] for s in drops["sas"]) and
          all(r["encrypted"] == 0 and r["decrypted"] == 0 for r in engine),
          f"{ {k: v for k, v in drops['drops'].items() if v} }")
    check("d. the stats segment's counters (what Prometheus reads) are not reset",
          raw[T1[1]]["packets"] >= raw_before[T1[1]]["packets"] > 20 and
          raw[T1[0]]["drops"]["replay_duplicate"] == 3,
          f"raw 0x2001 {raw[T1[1]]['packets']}, 0x1001 replays "
          f"{raw[T1[0]]['drops']['replay_duplicate']}")
    run_dir = Path(os.environ.get("ESPGW_RUN_DIR", "/run/espgw"))
    mode = (run_dir / f"{a.instance}.baseline").stat().st_mode & 0o777
    check("d. the baseline file is root only", mode == 0o600, oct(mode))
    tx, rx = pings(lab, 5)
    after = a.sas()
    check("d. counting resumes from the clear", after[T1[1]]["packets"] == tx == 5,
          f"0x2001 {after[T1[1]]['packets']}, ping {rx}/{tx}")


# --- e ------------------------------------------------------------------------------------------

def test_clear_peer(lab, a):
    before, raw_before = a.sas(), a.raw_sas()
    mark = len(lab.control_log("a"))
    bg = background_ping(lab, "a", HOST_B, 100, 0.02)
    time.sleep(0.3)
    rc, out, err = a.run("clear", "crypto", "sa", "peer", PEER3)
    tx, rx = finish_ping(bg)
    after, raw = a.sas(), a.raw_sas()
    check("e. clear crypto sa peer 192.0.2.3: 2 SAs, with the replay note",
          rc == 0 and out.startswith("2 SA(s) cleared") and "sequence number 1" in out, out + err)
    moved = slots(before, T3) != slots(after, T3) and set(T3) <= set(after)
    check("e. tunnel 3 re-installed (new slot/generation, same conn ids)", moved and
          all(after[s]["conn_id"] == before[s]["conn_id"] for s in T3),
          f"{slots(before, T3)} -> {slots(after, T3)}")
    check("e. tunnels 1 and 2 untouched: same slots and generations, counters continue",
          slots(before, T1 + T2) == slots(after, T1 + T2) and
          raw[T1[1]]["packets"] >= raw_before[T1[1]]["packets"] + tx,
          f"0x2001 raw {raw_before[T1[1]]['packets']} -> {raw[T1[1]]['packets']}")
    check("e. ping through tunnel 1 during the clear loses nothing", tx == 100 and rx == tx,
          f"{rx}/{tx}")
    log = lab.control_log("a")[mark:]
    check("e. control logs the re-installed SAs (and only those)",
          "0x5001" in log and "0x6001" in log and "0x2001" not in log, log.strip()[-300:])


# --- f ------------------------------------------------------------------------------------------

def test_clear_tunnel1(lab, a, b):
    before = {"a": a.sas(), "b": b.sas()}
    bg = background_ping(lab, "a", HOST_B, 150, 0.02, "-I", HOST_A2)  # tunnel 2
    time.sleep(0.3)
    out_a = a.run("clear", "crypto", "sa", "spi", T1[1])
    out_b = b.run("clear", "crypto", "sa", "spi", "0x1001")  # B's outbound of tunnel 1
    tx, rx = finish_ping(bg)
    check("f. clear crypto sa spi on both gateways: 2 SAs each",
          out_a[0] == 0 and out_b[0] == 0 and out_a[1].startswith("2 SA(s) cleared") and
          out_b[1].startswith("2 SA(s) cleared"), out_a[1] + out_a[2] + out_b[1] + out_b[2])
    after = {"a": a.sas(), "b": b.sas()}
    fresh = all(slots(before[g], T1) != slots(after[g], T1) and
                all(after[g][s]["packets"] <= 1 for s in T1) for g in "ab")
    check("f. tunnel 1 runs on fresh SAs on both gateways (new slots, counters from 0)", fresh,
          f"A {slots(before['a'], T1)} -> {slots(after['a'], T1)}")
    check("f. tunnel 2 untouched and a ping through it meanwhile loses nothing",
          slots(before["a"], T2) == slots(after["a"], T2) and tx == 150 and rx == tx,
          f"{rx}/{tx}")
    drops_before = {g: c.json("show", "crypto", "drops")["drops"] for g, c in (("a", a), ("b", b))}
    tx, rx = pings(lab, 10)
    s, sb = a.sas(), b.sas()
    moved = {g: {k: v - drops_before[g][k] for k, v in c.json("show", "crypto", "drops")
                 ["drops"].items() if v != drops_before[g][k]} for g, c in (("a", a), ("b", b))}
    check("f. traffic flows through the fresh tunnel 1 again (echoes out, replies back in)",
          tx == 10 and rx > 0 and s[T1[1]]["packets"] == 10 and s[T1[0]]["packets"] == 10 and
          sb[T1[0]]["packets"] == 10 and sb[T1[1]]["packets"] == 10,
          f"{rx}/{tx}, A 0x2001 {s[T1[1]]['packets']} 0x1001 {s[T1[0]]['packets']}, B 0x2001 "
          f"{sb[T1[1]]['packets']} 0x1001 {sb[T1[0]]['packets']}, drops {moved}")


# --- g ------------------------------------------------------------------------------------------

def tshark_profile_rows(pcap, profile_home):
    fields = ["esp.spi", "esp.icv_good", "esp.icv_bad", "ip.src", "icmp.type"]
    r = subprocess.run(["tshark", "-n", "-r", str(pcap), "-C", "espgw",
                        "-o", "esp.enable_encryption_decode:TRUE",
                        "-o", "esp.enable_authentication_check:TRUE", "-Y", "esp",
                        "-T", "fields", *[a for f in fields for a in ("-e", f)]],
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, XDG_CONFIG_HOME=str(profile_home)))
    return [dict(zip(fields, l.split("\t"))) for l in r.stdout.splitlines()]


def test_key_export(lab, a, work):
    cap = Capture(lab)
    try:
        pings(lab, 5)
        pings(lab, 5, "-I", HOST_A2)
    finally:
        cap.stop()
    keys = work / "esp_sa"
    rc, out, err = a.run("show", "crypto", "ipsec", "sa", "keys", "--wireshark", keys)
    mode = keys.stat().st_mode & 0o777 if keys.exists() else None
    check("g. keys --wireshark: 6 SAs written, file mode 0600",
          rc == 0 and out.startswith("6 SA(s) written") and mode == 0o600, f"{out}{err}{mode}")
    profile = work / "xdg" / "wireshark" / "profiles" / "espgw"
    profile.mkdir(parents=True)
    shutil.copy(keys, profile / "esp_sa")  # the only key material tshark gets
    for who, sender in (("gb", "A"), ("ga", "B")):
        rows = tshark_profile_rows(cap.files[who], work / "xdg")
        good = [r for r in rows if r["esp.icv_good"] == "1" and r["esp.icv_bad"] != "1"]
        icmp = [r for r in rows if r["icmp.type"] in ("0", "8")]
        spis = {r["esp.spi"] for r in rows}  # both tunnels: GCM and CBC+HMAC
        check(f"g. tshark decrypts gateway {sender}'s ESP with the exported file: every ICV good",
              len(spis) == 2 and len(good) == len(rows) and len(icmp) == len(rows),
              f"{len(good)}/{len(rows)} good, {len(icmp)} ICMP inside, SPIs {sorted(spis)}")
    log = lab.control_log("a")
    check("g. control logs the key export", "KEY_EXPORT" in log or "exported" in log)


# --- h ------------------------------------------------------------------------------------------

def one_line_error(r, starts):
    rc, out, err = r
    lines = err.splitlines()
    return (rc == 1 and out == "" and len(lines) == 1 and lines[0].startswith(starts) and
            "Traceback" not in err and "terminate" not in err), err.strip()


def test_errors(lab, a, work):
    cases = [
        (("sh", "cr", "i", "sa"), '% Ambiguous command: "sh cr i"'),
        (("show", "crypto", "ipsec", "sa", "peer", "1.2.3"), '% Invalid input detected at "1.2.3"'),
        (("show", "crypto", "ipsec", "sa", "spi", "12"), '% Invalid input detected at "12"'),
        (("show", "crypto", "ipsec", "sax"), '% Invalid input detected at "sax"'),
        (("show", "crypto", "ipsec"), "% Incomplete command"),
        (("show", "crypto", "ipsec", "sa", "keys", "--wireshark", work / "no" / "such" / "dir"),
         "% cannot write "),
    ]
    for words, starts in cases:
        ok, err = one_line_error(a.run(*words), starts)
        check(f"h. espgw {' '.join(map(str, words[:6]))}: one-line error", ok, err)
    other = Cli(lab, "a")
    other.instance = "nosuchinstance"
    ok, err = one_line_error(other.run("show", "crypto", "ipsec", "sa"),
                             "% no dataplane statistics for instance 'nosuchinstance'")
    check("h. unknown instance: one-line error", ok, err)
    for words, starts in ((("show", "crypto", "ipsec", "sa"), "% permission denied"),
                          (("clear", "crypto", "sa"), "% permission denied")):
        ok, err = one_line_error(a.run(*words, user=65534), starts)
        check(f"h. non-root espgw {' '.join(words)}: refused in one line", ok, err)
    rc, out, _ = a.run("sh", "cr", "ips", "sa", "?")
    check("h. ? lists the completions", rc == 0 and "  peer" in out and "  <cr>" in out, out)


def test_without_control(lab, a):
    pid = lab.control_pid("a")
    os.kill(pid, signal.SIGTERM)
    wait_for(lambda: not Path(f"/proc/{pid}").exists(), 10)
    try:
        text = a.text("show", "crypto", "ipsec", "sa")
        check("h. without control: show crypto ipsec sa still works, saying so once at the top",
              text.startswith("(control not running: names from the dataplane)\n") and
              text.count("control not running") == 1 and "spi: 0x2001(8193)" in text, text[:80])
        ok, err = one_line_error(a.run("show", "crypto", "isakmp", "sa"),
                                 "% espgw-control is not running")
        check("h. without control: show crypto isakmp sa says so in one line", ok, err)
        ok, err = one_line_error(a.run("clear", "crypto", "sa"), "% espgw-control is not running")
        check("h. without control: clear crypto sa says so in one line", ok, err)
    finally:
        lab.start_control("a")
        wait_for(lambda: a.run("show", "crypto", "isakmp", "sa")[0] == 0, 15)


def main():
    def body(lab, work):
        a, b = Cli(lab, "a"), Cli(lab, "b")
        lab.up("af_packet")
        add_tunnel3(lab)
        warm_up(lab)
        section("a", test_known_traffic, lab, a, b)
        section("b", test_engine, lab, a)
        section("c", test_drops, lab, a)
        section("d", test_clear_counters, lab, a)
        section("e", test_clear_peer, lab, a)
        section("f", test_clear_tunnel1, lab, a, b)
        section("g", test_key_export, lab, a, work)
        section("h", test_errors, lab, a, work)
        section("h", test_without_control, lab, a)

    def cleanup(lab):
        run_dir = Path(os.environ.get("ESPGW_RUN_DIR", "/run/espgw"))
        for gw in "ab":  # this run's baselines (the sockets go with their controls)
            (run_dir / f"{lab.prefix}{gw}.baseline").unlink(missing_ok=True)

    return lab_test.run_lab_main("cli_sa_test", "ecs", body, cleanup)


if __name__ == "__main__":
    sys.exit(main())
