#!/usr/bin/python3
"""The event log and `debug crypto` against the two-site lab (tests/lab/lab_test.py's Lab and
helpers), on gateway A:

  a. start: %SYS-5-CONFIG_I (generation 1) and one %ASA-6-602303 "SA created" line per SA,
     with the conn id the CLI shows
  b. control restarted with --log stdout --log unix:SOCKET (a datagram socket of the test):
     %ESPGW-6-RESYNC, %SYS-5-CONFIG_I, and no SA created again (the dataplane kept them)
  c. `espgw debug crypto ipsec peer 192.0.2.2` and `... peer 192.0.2.99` stream; `show
     debugging` lists both
  d. injected packets: unknown SPI, replayed sequence numbers, a flipped ciphertext bit; each
     log line carries its mnemonic, SPI as hex(decimal), sequence number, source, destination
     and (for SA drops) the conn id; the peer-192.0.2.2 debug shows them, the other does not
  e. a flood of 200 unknown-SPI packets: 5 lines (the burst), then one %ESPGW-4-LOG_SUPPRESSED
     line counting the rest
  f. the syslog socket got the same lines in RFC 5424 form (PRI 188 = local7 + warning,
     timestamp with microseconds and offset, hostname site-a, structured data)
  g. SIGHUP with tunnel 2 rekeyed and `logging host 127.0.0.1 transport udp port P` added:
     %SYS-5-CONFIG_I Reconfigured, %ASA-6-602304 deleted 0x3001/0x4001, %ASA-6-602303 created
     0x3002/0x4002, tunnel 1 untouched; the UDP syslog server of the test receives RFC 5424
     lines from then on; the debug stream shows IPSEC(delete_sa) and IPSEC(create_sa); a file
     with an error gives %ESPGW-3-CONFIG_REJECTED and changes nothing
  h. `espgw undebug all` ends both streams with IOS's last line; the CLIs exit 0

Usage: log_test.py BUILD_DIR. Root only. Prints PASS/FAIL lines; exits 1 on a failure; the lab
is always torn down.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tests" / "lab"))
import lab_test  # noqa: E402  (the lab, its helpers, check/section and the failure list)
from lab_test import (GW_A_OUT, GW_B_OUT, HOST_B, background_ping, capture_fresh,  # noqa
                      check, edit_tunnel2, finish_ping, flip_ciphertext, frame, inject, note,
                      section, wait_for, warm_up)

PEER = GW_B_OUT
RFC5424 = re.compile(r"<(\d+)>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d) (\S+) "
                     r"espgw-control (\d+) (\S+) (-|\[espgw@32473 [^\]]*\]) %(\S+): (.*)")


class Datagrams:
    """A syslog server of the test: a unix or UDP datagram socket, read by a thread."""

    def __init__(self, family, address):
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(0.2)
        self.messages, self.stop = [], False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while not self.stop:
            try:
                self.messages.append(self.sock.recv(65536).decode())
            except socket.timeout:
                pass

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


class Debug:
    """`espgw debug crypto ipsec peer ADDR` running in the background, its lines collected."""

    def __init__(self, lab, peer):
        self.p = subprocess.Popen([str(lab.build / "mgmt" / "espgw"), "--instance",
                                   lab.prefix + "a", "debug", "crypto", "ipsec", "peer", peer],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lab.procs.append(self.p)
        self.lines = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.p.stdout:
            self.lines.append(line.rstrip("\n"))

    def text(self):
        return "\n".join(self.lines)


def hx(v):
    """0x1A2B, as the log writes SPIs and sequence numbers."""
    return f"0x{v:X}"


def espgw(lab, *words):
    r = subprocess.run([str(lab.build / "mgmt" / "espgw"), "--instance", lab.prefix + "a",
                        *words], capture_output=True, text=True, timeout=20)
    return r.returncode, r.stdout + r.stderr


def log_since(lab, mark):
    return lab.control_log("a")[mark:]


def restart_control(lab, *args):
    """Stops gateway A's control (SIGTERM) and starts it again with `args`, appending to its
    log and pid file as lab.sh does (lab.sh down stops it)."""
    pid = lab.control_pid("a")
    os.kill(pid, signal.SIGTERM)
    if not wait_for(lambda: not Path(f"/proc/{pid}").exists(), 10):
        raise RuntimeError("control A did not stop on SIGTERM")
    with open(lab.dir / f"{lab.prefix}a-control.log", "a") as log:
        p = subprocess.Popen([str(lab.build / "espgw-control"), "--instance", lab.prefix + "a",
                              "--config", str(lab.cfg["a"]), *args],
                             stdout=log, stderr=subprocess.STDOUT)
    (lab.dir / f"{lab.prefix}a-control.pid").write_text(f"{p.pid}\n")


def sa_lines(log, event, spi):
    verb = "created" if event == "602303" else "deleted"
    return re.findall(rf"%ASA-6-{event}: IPSEC: An (?:in|out)bound LAN-to-LAN SA \(SPI= "
                      rf"{hx(spi)}\) between 192\.0\.2\.1 and 192\.0\.2\.2 \(user= "
                      rf"192\.0\.2\.2\) has been {verb}\. Connection id (\d+)", log)


# ---------------------------------------------------------------------------------------------

def test_start(lab, conns):
    log = lab.control_log("a")
    check("a. control A logs %SYS-5-CONFIG_I for its configuration (generation 1)",
          re.search(r"%SYS-5-CONFIG_I: Configured from \S+site-a\.cfg \(generation 1\)", log)
          is not None, log.splitlines()[0] if log else "empty log")
    for spi in (0x1001, 0x2001, 0x3001, 0x4001):
        got = sa_lines(log, "602303", spi)
        check(f"a. one %ASA-6-602303 SA created line for SPI {spi:#x} with the CLI's conn id",
              got == [str(conns[spi])], f"conn ids {got}, CLI {conns[spi]}")


def test_restart(lab, sock_path):
    mark = len(lab.control_log("a"))
    restart_control(lab, "--log", "stdout", "--log", f"unix:{sock_path}")
    ok = wait_for(lambda: "%SYS-5-CONFIG_I" in log_since(lab, mark), 15)
    new = log_since(lab, mark)
    check("b. restarted control logs %ESPGW-6-RESYNC and %SYS-5-CONFIG_I",
          ok and re.search(r"%ESPGW-6-RESYNC: dataplane runs 4 SA\(s\) at generation 1", new)
          is not None, new.strip()[:300])
    check("b. no SA created line after the restart (the dataplane kept its SAs)",
          "602303" not in new and "602304" not in new, new.strip()[:300])


def test_debug_start(lab, debugs):
    ok = wait_for(lambda: all(d.lines for d in debugs.values()), 10)
    check("c. debug crypto ipsec peer ...: IOS's 'debugging is on' line",
          ok and debugs["b"].lines[0] == f"Crypto IPSEC debugging is on for peer {PEER}" and
          debugs["x"].lines[0] == "Crypto IPSEC debugging is on for peer 192.0.2.99",
          f"{debugs['b'].lines[:1]} {debugs['x'].lines[:1]}")
    rc, out = espgw(lab, "show", "debugging")
    check("c. show debugging lists both streams",
          rc == 0 and out.startswith("Cryptographic Subsystem:\n") and
          f"Crypto IPSEC debugging is on for peer {PEER} (pid {debugs['b'].p.pid}" in out and
          f"for peer 192.0.2.99 (pid {debugs['x'].p.pid}" in out, out.strip())


def test_drops(lab, conns, debugs):
    from scapy.layers.inet import IP
    from scapy.layers.ipsec import ESP
    from scapy.packet import Raw

    mark = len(lab.control_log("a"))
    bg = background_ping(lab, "a", HOST_B, 150, 0.02)  # tunnel 1 traffic to capture and replay
    time.sleep(0.3)
    inject(lab, [frame(IP(src=GW_B_OUT, dst=GW_A_OUT) / ESP(spi=0xDEAD, seq=i) / Raw(b"x" * 48))
                 for i in (1, 2, 3)], "log-invalid-spi")
    fresh = capture_fresh(lab, 0x1001, 3)
    inject(lab, [f.copy() for f in fresh], "log-replay")
    flipped = flip_ciphertext(fresh)
    inject(lab, flipped, "log-icv")
    finish_ping(bg)
    wait_for(lambda: log_since(lab, mark).count("RECVD_PKT_MAC_ERR") >= 3, 5)
    new = log_since(lab, mark)
    for seq in (1, 2, 3):
        check(f"d. invalid SPI line (seq {seq}): mnemonic, spi=0xDEAD(57005), sequence number, "
              "srcaddr, destaddr",
              f"%CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid spi for "
              f"destaddr={GW_A_OUT}, prot=50, spi=0xDEAD(57005), srcaddr={GW_B_OUT}, sequence "
              f"number={hx(seq)}" in new)
    c1 = conns[0x1001]
    for f, g in zip(fresh, flipped):
        seq, bad = f[ESP].seq, g[ESP].seq
        check(f"d. replay line for seq {seq:#x}: conn id, spi=0x1001(4097), src, dst",
              f"%CRYPTO-4-PKT_REPLAY_ERR: decrypt: replay check failed connection id={c1}, "
              f"spi=0x1001(4097), sequence number={hx(seq)}, srcaddr={GW_B_OUT}, "
              f"destaddr={GW_A_OUT} (duplicate)" in new)
        check(f"d. ICV line for seq {bad:#x}: conn id, spi=0x1001(4097), src, dst",
              f"%CRYPTO-4-RECVD_PKT_MAC_ERR: decrypt: mac verify failed for connection id={c1}, "
              f"spi=0x1001(4097), sequence number={hx(bad)}, srcaddr={GW_B_OUT}, "
              f"destaddr={GW_A_OUT}" in new)
    wait_for(lambda: debugs["b"].text().count("IPSEC(drop)") >= 9, 3)
    dbg = debugs["b"].text()
    check("d. the peer-192.0.2.2 debug stream shows each drop",
          dbg.count("IPSEC(drop): decaps: rec'd IPSEC packet has invalid spi") == 3 and
          dbg.count("IPSEC(drop): decrypt: replay check failed") == 3 and
          dbg.count("IPSEC(drop): decrypt: mac verify failed") == 3,
          f"{dbg.count('IPSEC(drop)')} drop lines")
    check("d. the peer-192.0.2.99 debug stream shows none", len(debugs["x"].lines) == 1,
          debugs["x"].text()[-200:])


def test_flood(lab):
    from scapy.layers.inet import IP
    from scapy.layers.ipsec import ESP
    from scapy.packet import Raw

    mark = len(lab.control_log("a"))
    inject(lab, [frame(IP(src=GW_B_OUT, dst=GW_A_OUT) / ESP(spi=0xBEEF, seq=i) / Raw(b"f" * 48))
                 for i in range(1, 201)], "log-flood")
    pattern = (r"%ESPGW-4-LOG_SUPPRESSED: (\d+) messages suppressed for RECVD_PKT_INV_SPI "
               r"\(invalid_spi\) spi 0xBEEF\(48879\)")
    wait_for(lambda: re.search(pattern, log_since(lab, mark)), 5)
    new = log_since(lab, mark)
    lines = new.count("spi=0xBEEF(48879)")
    m = re.search(pattern, new)
    suppressed = int(m.group(1)) if m else 0
    check("e. flood of 200 unknown-SPI packets: 5 lines, then one suppression line",
          lines == 5 and m is not None and 1 <= suppressed <= 195,
          f"{lines} lines, suppressed {suppressed} (the dataplane samples <= 100/s per lcore)")


def test_syslog_socket(lab, received):
    parsed = [RFC5424.fullmatch(m) for m in received]
    check("f. every datagram on the syslog socket is an RFC 5424 line",
          received and all(parsed), next((m for m, p in zip(received, parsed) if not p), ""))
    inv = [p for p in parsed if p and p.group(7) == "CRYPTO-4-RECVD_PKT_INV_SPI" and
           'spi="0xDEAD" seq="1"' in p.group(6)]
    ok = len(inv) == 1
    if ok:
        p = inv[0]
        ok = (p.group(1) == "188" and p.group(3) == "site-a" and
              p.group(5) == "RECVD_PKT_INV_SPI" and
              p.group(6) == f'[espgw@32473 reason="invalid_spi" spi="0xDEAD" seq="1" '
                            f'src="{GW_B_OUT}" dst="{GW_A_OUT}"]' and
              p.group(8).startswith("decaps: rec'd IPSEC packet has invalid spi"))
    check("f. the invalid-SPI line in RFC 5424: <188>1, hostname site-a, MSGID, structured data",
          ok, inv[0].group(0)[:240] if inv else f"{len(received)} datagrams")
    check("f. the syslog socket also got the suppression and the replay lines",
          any(p and p.group(7) == "ESPGW-4-LOG_SUPPRESSED" for p in parsed) and
          any(p and p.group(7) == "CRYPTO-4-PKT_REPLAY_ERR" and p.group(1) == "188"
              for p in parsed))


def test_sighup(lab, conns, debugs, udp):
    mark = len(lab.control_log("a"))
    port = udp.sock.getsockname()[1]
    text = edit_tunnel2(lab.cfg["a"].read_text())
    lab.cfg["a"].write_text(text + f"logging host 127.0.0.1 transport udp port {port}\n")
    os.kill(lab.control_pid("a"), signal.SIGHUP)
    wait_for(lambda: "Reconfigured from" in log_since(lab, mark) and
             len(re.findall("602303", log_since(lab, mark))) >= 2, 10)
    new = log_since(lab, mark)
    check("g. SIGHUP: %SYS-5-CONFIG_I Reconfigured from ... (generation N)",
          re.search(r"%SYS-5-CONFIG_I: Reconfigured from \S+site-a\.cfg \(generation \d+\)", new)
          is not None, new.strip()[:200])
    deleted = {spi: sa_lines(new, "602304", spi) for spi in (0x1001, 0x2001, 0x3001, 0x4001)}
    created = {spi: sa_lines(new, "602303", spi) for spi in (0x1001, 0x2001, 0x3002, 0x4002)}
    check("g. tunnel 2's old SAs deleted (0x3001, 0x4001) with their conn ids",
          deleted[0x3001] == [str(conns[0x3001])] and deleted[0x4001] == [str(conns[0x4001])],
          str(deleted))
    check("g. tunnel 2's new SAs created (0x3002, 0x4002); tunnel 1 neither deleted nor created",
          len(created[0x3002]) == 1 and len(created[0x4002]) == 1 and not created[0x1001] and
          not created[0x2001] and not deleted[0x1001] and not deleted[0x2001], str(created))
    wait_for(lambda: "0x3002(12290)" in debugs["b"].text(), 3)
    dbg = debugs["b"].text()
    check("g. the debug stream shows IPSEC(delete_sa) of 0x3001 and IPSEC(create_sa) of 0x3002",
          re.search(r"IPSEC\(delete_sa\): deleting SA,\n  \(sa\) sa_dest= 192\.0\.2\.1, "
                    r"sa_prot= 50,\n    sa_spi= 0x3001\(12289\)", dbg) is not None and
          re.search(r"IPSEC\(create_sa\): sa created,\n  \(sa\) sa_dest= 192\.0\.2\.1, "
                    r"sa_prot= 50,\n    sa_spi= 0x3002\(12290\),\n    sa_trans= esp-aes 128 "
                    r"esp-sha-hmac , sa_conn_id= \d+", dbg) is not None, dbg[-300:])
    # From now on the configured syslog host gets the log (trap informational: not debugging).
    os.kill(lab.control_pid("a"), signal.SIGHUP)  # unchanged: "Reloaded ...: no change"
    wait_for(lambda: any("no change" in m for m in udp.messages), 5)
    got = [RFC5424.fullmatch(m) for m in udp.messages]
    check("g. logging host 127.0.0.1 port P: the UDP syslog server receives RFC 5424 lines",
          any(p and p.group(7) == "SYS-5-CONFIG_I" and p.group(1) == "189" and
              "no change" in p.group(8) for p in got), str(udp.messages[:2]))
    # A file with an error: the running configuration stays, the log says so.
    good = lab.cfg["a"].read_text()
    lab.cfg["a"].write_text(good + "crypto map VPN 40 ipsec-manual\n set transform-set NOPE\n")
    mark = len(lab.control_log("a"))
    os.kill(lab.control_pid("a"), signal.SIGHUP)
    wait_for(lambda: "CONFIG_REJECTED" in log_since(lab, mark), 5)
    lab.cfg["a"].write_text(good)
    check("g. SIGHUP with an error in the file: %ESPGW-3-CONFIG_REJECTED, nothing applied",
          re.search(r"%ESPGW-3-CONFIG_REJECTED: \S+site-a\.cfg has errors \(see above\); "
                    r"configuration not applied, the running one stays", log_since(lab, mark))
          is not None and "CONFIG_I" not in log_since(lab, mark), log_since(lab, mark)[-300:])


def test_undebug(lab, debugs):
    rc, out = espgw(lab, "undebug", "all")
    check("h. undebug all", rc == 0 and out.strip() == "All possible debugging has been turned "
                                                       "off", out.strip())
    for name, d in debugs.items():
        try:
            d.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        d.thread.join(timeout=2)
        check(f"h. debug stream {name} ends with IOS's last line and exit status 0",
              d.p.returncode == 0 and d.lines[-1:] == ["All possible debugging has been "
                                                       "turned off"],
              f"exit {d.p.returncode}, last {d.lines[-1:]}")
    rc, out = espgw(lab, "show", "debugging")
    check("h. show debugging: none left", "no crypto debugging is on" in out, out.strip())


# ---------------------------------------------------------------------------------------------

def main():
    sockets = []

    def body(lab, work):
        unix = Datagrams(socket.AF_UNIX, str(work / "syslog.sock"))
        sockets.append(unix)
        udp = Datagrams(socket.AF_INET, ("127.0.0.1", 0))
        sockets.append(udp)
        lab.up("af_packet")
        note(f"lab up: prefix {lab.prefix}, work dir {work}")
        warm_up(lab)
        conns = {spi: sa["conn_id"] for spi, sa in lab.sas("a").items()}
        section("a", test_start, lab, conns)
        section("b", test_restart, lab, str(work / "syslog.sock"))
        debugs = {"b": Debug(lab, PEER), "x": Debug(lab, "192.0.2.99")}
        section("c", test_debug_start, lab, debugs)
        section("d", test_drops, lab, conns, debugs)
        section("e", test_flood, lab)
        section("f", test_syslog_socket, lab, unix.messages)
        section("g", test_sighup, lab, conns, debugs, udp)
        section("h", test_undebug, lab, debugs)
        if lab_test.failures:  # what control logged, for the failed checks
            for f in sorted(lab.dir.glob("*control.log")):
                note(f"--- {f.name}\n{f.read_text()[-3000:]}")

    def cleanup(_lab):
        for s in sockets:
            s.close()

    return lab_test.run_lab_main("log_test", "elg", body, cleanup)


if __name__ == "__main__":
    sys.exit(main())
