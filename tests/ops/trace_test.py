#!/usr/bin/python3
"""Packet captures to pcapng started and stopped with the espgw CLI in the two-site lab
(tests/lab/lab_test.py's Lab class and helpers), every file read back by tshark:

  1. interface: gateway A's outside port (both directions) during pings holds the ESP of both
     tunnel-1 SAs between the gateways; its inside port (in) only host A's echo requests
  2. sa: inbound SA 0x1001 with its clear packets, and outbound SA 0x2001: tshark decrypts the
     ESP with the esp_sa file `espgw show crypto ipsec sa keys --wireshark FILE` wrote, every
     ICV good, the clear packets are the pings
  3. drops: injected bad packets (unknown SPI, replays, a flipped bit, truncated ESP, an
     unknown ethertype) each appear with its drop reason as frame.comment
  4. a packet limit stops a capture by itself: show monitor capture says so, the file holds
     exactly that many packets, control logs it
  5. one-line errors: unknown interface, unknown SPI, unwritable file, capture already running
Files are root's with mode 0600.

Usage: trace_test.py BUILD_DIR. Root only (namespaces). Prints PASS/FAIL lines, exits 1 on a
failure; the lab is always torn down.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tests" / "lab"))
import lab_test  # noqa: E402  (the lab and its helpers)
from lab_test import GW_A_OUT, GW_B_OUT, HOST_A, HOST_B, ping  # noqa: E402

IN_SPI, OUT_SPI = 0x1001, 0x2001  # gateway A, tunnel 1 (tests/lab/configs/site-a.cfg)
IN_HEX, OUT_HEX = f"0x{IN_SPI:08x}", f"0x{OUT_SPI:08x}"  # as tshark prints esp.spi
check, failures = lab_test.check, lab_test.failures  # lab_test.section() counts into them


def espgw(lab, *words, json_out=True):
    """Runs the CLI against gateway A: (exit status, stdout, stderr)."""
    cmd = [str(lab.build / "mgmt" / "espgw"), "--instance", lab.prefix + "a"]
    r = subprocess.run(cmd + (["--json"] if json_out else []) + [str(w) for w in words],
                       capture_output=True, text=True, timeout=15)
    return r.returncode, r.stdout, r.stderr.strip()


def start(lab, name, *scope_and_options):
    return lab.cli("a", "monitor", "capture", name, *map(str, scope_and_options), "start")


def stop(lab, name):
    return lab.cli("a", "monitor", "capture", name, "stop")["capture"]


def tshark(pcap, fields, *extra, env=None):
    """Rows of FIELDS, and tshark's complaints (stderr without the root warning)."""
    cmd = ["tshark", "-n", "-r", str(pcap), *extra, "-T", "fields", "-E", "separator=;"]
    for f in fields:
        cmd += ["-e", f]
    r = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=60,
                       env=env)
    complaints = [l for l in r.stderr.splitlines() if "Running as user" not in l and l]
    if r.returncode != 0:
        complaints.append(f"exit {r.returncode}")
    return [dict(zip(fields, l.split(";"))) for l in r.stdout.splitlines()], complaints


def file_ok(path):
    st = path.stat()
    return st.st_uid == 0 and (st.st_mode & 0o777) == 0o600


def test_interface(lab, work):
    out_file, in_file = work / "port0.pcapng", work / "port1-in.pcapng"
    start(lab, "OUT", "interface", "port0", "both", "file", out_file)
    (tx, rx), _ = ping(lab, "a", HOST_B, 10, 0.05)
    c = stop(lab, "OUT")
    rows, bad = tshark(out_file, ["ip.src", "ip.dst", "esp.spi", "frame.interface_name"])
    esp = [r for r in rows if r["esp.spi"]]
    out = [r for r in esp if r["ip.src"] == GW_A_OUT and r["esp.spi"] == OUT_HEX]
    back = [r for r in esp if r["ip.src"] == GW_B_OUT and r["esp.spi"] == IN_HEX]
    check("1. interface port0 both during 10 pings: tshark reads the file without complaint",
          not bad and rx > 0, f"{len(rows)} frames, {rx}/{tx} replies, {bad}")
    # A loaded machine may lose a ping on the hosts' side: the port saw at least the replies.
    check("1. ESP on the outside port: each echo request out in SPI 0x2001, each reply in 0x1001",
          0 < rx <= len(out) <= tx and rx <= len(back) <= tx, f"{len(out)} out, {len(back)} in")
    check("1. status: packets written = frames in the file, none lost, file 0600 root",
          c["packets"] == len(rows) and c["lost"] == 0 and file_ok(out_file),
          f"{c['packets']} written, {c['lost']} lost, size {c['bytes']} vs "
          f"{out_file.stat().st_size}")

    start(lab, "INSIDE", "interface", "port1", "in", "file", in_file)
    (tx, rx), _ = ping(lab, "a", HOST_B, 5, 0.05)
    stop(lab, "INSIDE")
    rows, bad = tshark(in_file, ["ip.src", "ip.dst", "icmp.type"])
    check("1. interface port1 in: only host A's 5 echo requests",
          not bad and len(rows) == tx == 5 and all(r["ip.src"] == HOST_A and r["icmp.type"] == "8"
                                             for r in rows), f"{rows[:3]}... {bad}")


def decrypt_env(lab, work):
    """tshark's personal configuration: the esp_sa table the CLI exported."""
    conf = work / "wireshark"
    conf.mkdir(exist_ok=True)
    rc, out, err = espgw(lab, "show", "crypto", "ipsec", "sa", "keys", "--wireshark",
                         conf / "esp_sa", json_out=False)
    check("2. show crypto ipsec sa keys --wireshark FILE writes the esp_sa table (0600)",
          rc == 0 and (conf / "esp_sa").exists() and
          ((conf / "esp_sa").stat().st_mode & 0o777) == 0o600, (out or err).strip())
    return dict(os.environ, WIRESHARK_CONFIG_DIR=str(conf))


ESP_FIELDS = ["esp.spi", "esp.icv_good", "esp.icv_bad", "ip.src", "ip.dst", "icmp.type"]
DECRYPT = ["-o", "esp.enable_encryption_decode:TRUE", "-o",
           "esp.enable_authentication_check:TRUE"]


def test_sa(lab, work):
    env = decrypt_env(lab, work)
    in_file, out_file = work / "sa-in.pcapng", work / "sa-out.pcapng"
    start(lab, "SAIN", "sa", "spi", IN_SPI, "inner", "file", in_file)
    (tx, rx), _ = ping(lab, "a", HOST_B, 8, 0.05)
    stop(lab, "SAIN")
    rows, bad = tshark(in_file, ESP_FIELDS, *DECRYPT, env=env)
    esp = [r for r in rows if r["esp.spi"]]
    good = [r for r in esp if r["esp.icv_good"] == "1" and r["esp.icv_bad"] != "1"]
    # ip.src lists the outer header, then the decrypted inner one.
    replies = [r for r in good if r["ip.src"].split(",")[1:] == [HOST_B] and r["icmp.type"] == "0"]
    clear = [r for r in rows if not r["esp.spi"]]
    check("2. sa spi 0x1001 inner: tshark decrypts all its ESP with the exported keys, ICV good",
          not bad and 0 < rx <= len(esp) <= tx and len(good) == len(esp),
          f"{len(good)}/{len(esp)} ICV good, {rx}/{tx} replies, {bad}")
    check("2. only SPI 0x1001, decrypting to host B's echo replies",
          all(r["esp.spi"] == IN_HEX for r in esp) and len(replies) == len(esp),
          f"{len(replies)} replies")
    check("2. the clear side: the same echo replies after decap",
          len(clear) == len(esp)
          and all(r["ip.src"] == HOST_B and r["icmp.type"] == "0" for r in clear),
          f"{len(clear)} clear packets")

    start(lab, "SAOUT", "sa", "spi", OUT_SPI, "file", out_file)
    (tx, rx), _ = ping(lab, "a", HOST_B, 5, 0.05)
    stop(lab, "SAOUT")
    rows, bad = tshark(out_file, ESP_FIELDS, *DECRYPT, env=env)
    good = [r for r in rows if r["esp.icv_good"] == "1" and r["esp.spi"] == OUT_HEX
            and r["ip.src"].split(",")[1:] == [HOST_A] and r["icmp.type"] == "8"]
    check("2. sa spi 0x2001 (leaving encap): the echo requests, decrypted, ICV good",
          not bad and 0 < rx <= len(rows) <= tx and len(good) == len(rows),
          f"{len(good)}/{len(rows)}, {rx}/{tx} replies, {bad}")


def test_drops(lab, work):
    from scapy.layers.inet import IP
    from scapy.layers.ipsec import ESP
    from scapy.layers.l2 import Ether
    from scapy.packet import Raw

    path = work / "drops.pcapng"
    start(lab, "DROPS", "drops", "file", path)
    bg = lab_test.background_ping(lab, "a", HOST_B, 100, 0.02)
    try:
        fresh = lab_test.capture_fresh(lab, IN_SPI, 3)
    finally:
        lab_test.finish_ping(bg)
    flipped = []
    for f in fresh:
        g = f.copy()
        data = bytearray(bytes(g[ESP].data))
        data[20] ^= 0x01
        g[ESP].data = bytes(data)
        g[ESP].seq += 100_000
        flipped.append(g)
    frames = ([lab_test.frame(IP(src=GW_B_OUT, dst=GW_A_OUT) / ESP(spi=0xdead, seq=i)
                              / Raw(b"x" * 48)) for i in range(1, 4)]
              + [f.copy() for f in fresh] + flipped
              + [lab_test.frame(IP(src=GW_B_OUT, dst=GW_A_OUT, proto=50)
                                / Raw(b"\x00\x00\x10\x01"))] * 2
              + [Ether(src=lab_test.MAC_B_OUT, dst=lab_test.MAC_A_OUT, type=0x88B5)
                 / Raw(b"espgw-trace-test")] * 2)
    lab_test.inject(lab, frames, "trace-drops")
    time.sleep(0.5)
    c = stop(lab, "DROPS")
    rows, bad = tshark(path, ["frame.comment", "esp.spi", "esp.sequence", "eth.type",
                              "ip.proto", "ip.len"])
    by = {}
    for r in rows:
        by.setdefault(r["frame.comment"], []).append(r)
    seqs = {f[ESP].seq for f in fresh}

    def got(reason, pred):
        return [r for r in by.get(reason, []) if pred(r)]

    expect = [
        ("invalid_spi", lambda r: r["esp.spi"] == "0x0000dead", 3),
        ("replay_duplicate", lambda r: r["esp.spi"] == IN_HEX
         and int(r["esp.sequence"]) in seqs, 3),
        ("icv_mismatch", lambda r: r["esp.spi"] == IN_HEX
         and int(r["esp.sequence"]) - 100_000 in seqs, 3),
        ("malformed", lambda r: r["ip.proto"] == "50" and r["ip.len"] == "24", 2),
        ("unknown_ethertype", lambda r: r["eth.type"] == "0x88b5", 2),
    ]
    for reason, pred, n in expect:
        hits = got(reason, pred)
        check(f"3. {n} injected {reason} packets captured with comment '{reason}'",
              len(hits) == n, f"{len(hits)} found")
    labels = set(by) - {""}
    check("3. every packet of the drops capture carries a drop reason; tshark reads the file",
          not bad and "" not in by and len(rows) == c["packets"],
          f"{len(rows)} packets, reasons {sorted(labels)}, {bad}")


def test_limit(lab, work):
    path = work / "limit.pcapng"
    start(lab, "LIMIT", "interface", "port0", "file", path, "limit", "packets", 6)
    ping(lab, "a", HOST_B, 10, 0.05)
    t0 = time.monotonic()
    c = lab.cli("a", "show", "monitor", "capture", "LIMIT")["captures"][0]
    while c["state"] == "running" and time.monotonic() - t0 < 3:
        time.sleep(0.1)
        c = lab.cli("a", "show", "monitor", "capture", "LIMIT")["captures"][0]
    rows, bad = tshark(path, ["frame.number"])
    check("4. limit packets 6: the capture stopped by itself at 6 packets",
          c["state"] == "stopped" and c["stop_reason"] == "packet limit reached"
          and c["packets"] == 6 and len(rows) == 6 and not bad,
          f"{c['state']}, {c['stop_reason']}, {c['packets']} written, {len(rows)} in file")
    rc, text, _ = espgw(lab, "show", "monitor", "capture", "LIMIT", json_out=False)
    check("4. show monitor capture LIMIT says Inactive (packet limit reached)",
          rc == 0 and "Status : Inactive (packet limit reached)" in text, text.splitlines()[:4])
    log_ok = lab_test.wait_for(lambda: "%ESPGW-5-CAPTURE_STOPPED" in lab.control_log("a"), 3)
    check("4. control logs %ESPGW-5-CAPTURE_STOPPED", log_ok)


def test_errors(lab, work):
    cases = [
        (("interface", "port9", "file", work / "x.pcapng"),
         "% unknown interface port9 (configured: port0, port1)"),
        (("sa", "spi", 0x7777, "file", work / "x.pcapng"),
         "% no SA with SPI 0x00007777(30583) in the configuration"),
        (("drops", "file", "/proc/espgw-trace.pcapng"), "% cannot write /proc/espgw-trace.pcapng"),
    ]
    for words, want in cases:
        rc, _, err = espgw(lab, "monitor", "capture", "E", *words, "start")
        check(f"5. {' '.join(map(str, words[:2]))}...: one-line error",
              rc == 1 and err.startswith(want) and "\n" not in err, err)
    start(lab, "RUN", "drops", "file", work / "run.pcapng")
    rc, _, err = espgw(lab, "monitor", "capture", "RUN", "drops", "file", work / "y.pcapng",
                       "start")
    check("5. starting a running capture again: one-line error",
          rc == 1 and err == "% capture RUN is already running", err)
    stop(lab, "RUN")


def main():
    def body(lab, work):
        lab.up("af_packet")
        lab_test.warm_up(lab)
        for name, fn in (("1", test_interface), ("2", test_sa), ("3", test_drops),
                         ("4", test_limit), ("5", test_errors)):
            lab_test.section(name, fn, lab, work)  # a broken section fails; the others run

    return lab_test.run_lab_main("trace_test", "etr", body)


if __name__ == "__main__":
    sys.exit(main())
