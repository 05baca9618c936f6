#!/usr/bin/python3
"""The configuration views of the `espgw` CLI against the running two-site lab (tests/lab/
lab_test.py's Lab class and helpers), on gateway A:

  1. show access-lists: after pings through tunnel 1 (ACL 101) and tunnel 2 (ACL 102) the hit
     count of each line moved by exactly the packets sent on it (JSON and text agree).
  2. show arp: host A's address, learnt by the dataplane, with host A's MAC on port1; the
     gateway's own addresses and the static entry of the configuration.
  3. show interfaces: up, addresses, crypto map; port1's input counter moved by the pings.
  4. show ip route: the connected networks and the static default with the gateway of last
     resort; show crypto map: both manual entries with their SPIs and interface.
  5. show running-config: hostname and <removed> where keys were; no key of the configuration
     appears anywhere in the output.
  6. test crypto trace of a UDP flow of tunnel 2: interface, crypto map entry, ACL line, SA and
     next hop; then that flow is sent and the SA counter the trace named moved by its packets;
     a non-initial fragment of it (`fragment`, no ports) is traced to the same SA; an ICMP echo
     (`icmp echo`: the message is a selector) is named and traced to tunnel 1's SA.
  7. errors: an unknown access list and a bad trace argument are one line `% ...`, exit 1.

Usage: cli_config_test.py BUILD_DIR. Root only (namespaces). Prints PASS/FAIL lines, exits 1 on
a failure; the lab is always torn down.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tests" / "lab"))
import lab_test  # noqa: E402  (the lab and its helpers)
from lab_test import (HOST_A, HOST_A2, HOST_B, PY, check, ping,  # noqa: E402
                      section)

T2_OUT_SPI = 0x4001  # gateway A's outbound SA of tunnel 2 (tests/lab/configs/site-a.cfg)


def cli_text(lab, *words):
    """`espgw --instance A WORDS...` without --json: (exit status, stdout, stderr)."""
    r = subprocess.run([str(lab.build / "mgmt" / "espgw"), "--instance", lab.prefix + "a",
                        *words], capture_output=True, text=True, timeout=10)
    return r.returncode, r.stdout, r.stderr


def acl_hits(lab):
    """{(acl name, seq): matches} of gateway A's lists."""
    doc = lab.cli("a", "show", "access-lists")
    return {(a["name"], e["seq"]): e["matches"] for a in doc["access_lists"] for e in a["entries"]}


def wait_for(pred, timeout=4.0):
    return lab_test.wait_for(pred, timeout, 0.1)


def test_access_lists(lab):
    before = acl_hits(lab)
    n1, n2 = 20, 15
    (tx1, rx1), _ = ping(lab, "a", HOST_B, n1, 0.02)
    (tx2, rx2), _ = ping(lab, "a", HOST_B, n2, 0.02, "-I", HOST_A2)
    after = acl_hits(lab)
    d1 = after[("101", 10)] - before[("101", 10)]
    d2 = after[("102", 10)] - before[("102", 10)]
    check(f"1. access-list 101 line 10 counted the {n1} echo requests of tunnel 1",
          tx1 == n1 and d1 == n1, f"sent {tx1}, +{d1}")
    check(f"1. access-list 102 line 10 counted the {n2} echo requests of tunnel 2",
          tx2 == n2 and d2 == n2, f"sent {tx2}, +{d2}")
    _, text, _ = cli_text(lab, "show", "access-lists")
    m = re.search(r"^Extended IP access list 101\n    10 permit ip 198\.18\.1\.0 0\.0\.0\.127 "
                  r"198\.18\.2\.0 0\.0\.0\.255 \((\d+) matches\)$", text, re.M)
    now = acl_hits(lab)[("101", 10)]
    check("1. the text shows the IOS line with the same count", m and int(m.group(1)) == now,
          text.strip()[:300])
    _, text, _ = cli_text(lab, "sh", "access-lists", "102")
    check("1. show access-lists 102 shows only that list",
          text.startswith("Extended IP access list 102\n") and "101" not in text, text.strip())


def host_mac(lab, who, dev):
    return lab.run(who, "cat", f"/sys/class/net/{dev}/address").stdout.strip()


def test_arp(lab):
    mac = host_mac(lab, "a", "hA0")
    dotted = mac.replace(":", "")
    dotted = f"{dotted[0:4]}.{dotted[4:8]}.{dotted[8:12]}"

    def learnt():
        entries = {e["address"]: e for e in lab.cli("a", "show", "arp")["entries"]}
        return entries.get(HOST_A)

    ok = wait_for(lambda: (learnt() or {}).get("mac") == mac)
    e = learnt() or {}
    check("2. show arp: host A learnt by the dataplane on port1",
          ok and e.get("kind") == "dynamic" and e.get("interface") == "port1", f"{e}, MAC {mac}")
    _, text, _ = cli_text(lab, "show", "arp")
    row = re.search(rf"^Internet  {re.escape(HOST_A)}\s+(\d+)\s+{dotted}\s+ARPA\s+port1$", text,
                    re.M)
    check("2. the IOS row: address, age in minutes, MAC, ARPA, port1", row is not None, text)
    for line in ("Protocol  Address          Age (min)  Hardware Addr   Type   Interface",
                 "Internet  192.0.2.2               -   0200.0000.0002  ARPA   port0"):
        check(f"2. show arp has '{line}'", line in text.splitlines())
    own = re.search(r"^Internet  192\.0\.2\.1\s+-\s+0200\.0000\.0001\s+ARPA\s+port0$", text, re.M)
    check("2. the gateway's own address with its port's MAC", own is not None)


def port_stats(lab, name):
    doc = lab.cli("a", "show", "interfaces", name)
    return doc["interfaces"][0]["stats"]


def test_interfaces(lab):
    before = port_stats(lab, "port1")["rx_packets"]
    count = 10
    (tx, _), _ = ping(lab, "a", HOST_B, count, 0.02)
    ok = wait_for(lambda: port_stats(lab, "port1")["rx_packets"] >= before + count)
    after = port_stats(lab, "port1")["rx_packets"]
    check(f"3. port1's input packets moved by at least the {count} pings", ok,
          f"{before} -> {after}")
    _, text, _ = cli_text(lab, "show", "interfaces")
    for line in ("port0 is up, line protocol is up", "  Description: outside",
                 "  Internet address is 192.0.2.1/24", "  Crypto map VPN",
                 "port1 is up, line protocol is up", "  TCP MSS adjust 1360"):
        check(f"3. show interfaces has '{line}'", line in text.splitlines())
    m = re.search(r"^port1 is up.*?^     (\d+) packets input", text, re.M | re.S)
    check("3. the text's input packets of port1 are the counter's", m and int(m.group(1)) >= after)


def test_route_and_map(lab):
    _, text, _ = cli_text(lab, "sh", "ip", "ro")
    for line in ("Gateway of last resort is 192.0.2.2 to network 0.0.0.0",
                 "C    192.0.2.0/24 is directly connected, port0",
                 "C    198.18.1.0/24 is directly connected, port1",
                 "S*   0.0.0.0/0 [1/0] via 192.0.2.2"):
        check(f"4. show ip route has '{line}'", line in text.splitlines())
    _, text, _ = cli_text(lab, "show", "crypto", "map")
    for line in ('Crypto Map "VPN" 10 ipsec-manual', 'Crypto Map "VPN" 20 ipsec-manual',
                 "        Inbound esp spi: 4097,", "        Outbound esp spi: 16385,",
                 "        Interfaces using crypto map VPN:", "                port0",
                 "            access-list 101 permit ip 198.18.1.0 0.0.0.127 198.18.2.0 0.0.0.255"):
        check(f"4. show crypto map has '{line}'", line in text.splitlines())
    doc = lab.cli("a", "show", "crypto", "map", "tag", "VPN")
    check("4. both entries installed (JSON)",
          [e["installed"] for e in doc["maps"][0]["entries"]] == [True, True])


def config_keys(text):
    return [w for line in text.splitlines() if "session-key" in line
            for w in line.split() if re.fullmatch(r"[0-9a-fA-F]{32,}", w)]


def test_running_config(lab):
    rc, text, err = cli_text(lab, "show", "running-config")
    keys = config_keys((lab.cfg["a"]).read_text())
    leaked = [k for k in keys if k.lower() in text.lower()]
    check("5. show running-config prints", rc == 0 and "hostname site-a" in text, err)
    check(f"5. none of the {len(keys)} keys of the configuration appears", keys and not leaked,
          f"{leaked}")
    check("5. keys are <removed>",
          " set session-key inbound esp 4097 cipher <removed>" in text.splitlines())
    doc = json.dumps(lab.cli("a", "show", "running-config"))
    check("5. nor in its JSON", not [k for k in keys if k.lower() in doc.lower()])


def send_udp(lab, src, sport, dst, dport, count):
    code = ("import socket,time\n"
            "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
            f"s.bind(('{src}',{sport}))\n"
            f"for i in range({count}):\n"
            f"    s.sendto(b'trace %d' % i, ('{dst}',{dport})); time.sleep(0.01)\n")
    lab.run("a", PY, "-c", code)


def test_trace(lab):
    sport, dport, count = 5000, 7000, 12
    doc = lab.cli("a", "test", "crypto", "trace", HOST_A2, HOST_B, "udp", str(sport), str(dport))
    spd, sa, egress = doc.get("spd", {}), doc.get("sa") or {}, doc.get("egress", {})
    check("6. trace: arrives on port1",
          (doc.get("ingress", {}).get("route") or {}).get("interface") == "port1",
          doc.get("ingress", {}).get("why", f"{doc}"))
    check("6. trace: crypto map VPN 20, access list 102 line 1, PROTECT",
          (spd.get("map"), spd.get("seq"), spd.get("acl"), spd.get("action"),
           (spd.get("acl_entry") or {}).get("index")) == ("VPN", 20, "102", "PROTECT", 1),
          spd.get("why", f"{spd}"))
    check("6. trace: outbound SA 0x4001 to 192.0.2.2, out of port0",
          sa.get("spi") == T2_OUT_SPI and sa.get("peer") == lab_test.GW_B_OUT and
          (egress.get("route") or {}).get("interface") == "port0",
          f"{sa.get('why')}; {egress.get('why')}")
    named = sa.get("spi")
    before = lab.sas("a")[named]["packets"] if named in lab.sas("a") else None
    send_udp(lab, HOST_A2, sport, HOST_B, dport, count)
    after = lab.sas("a")[named]["packets"] if named is not None else None
    check(f"6. the {count} datagrams of that flow moved the SA the trace named by {count}",
          before is not None and after - before == count, f"{before} -> {after}")
    rc, text, _ = cli_text(lab, "test", "crypto", "trace", HOST_A, "203.0.113.9", "icmp")
    check("6. a packet no ACL line matches is traced to the clear",
          rc == 0 and "Result: none" in text and "Action: clear" in text,
          text.strip().splitlines()[-1])
    rc, text, _ = cli_text(lab, "test", "crypto", "trace", HOST_A, HOST_B, "icmp", "echo")
    check("6. an ICMP echo (TYPE alone) is named and takes tunnel 1's SA",
          rc == 0 and text.startswith(f"Packet: icmp {HOST_A} -> {HOST_B}, echo (type 8, code 0)")
          and "Action: encrypted" in text, text.strip().splitlines()[0] if text else "")
    frag = lab.cli("a", "test", "crypto", "trace", HOST_A2, HOST_B, "udp", "fragment")
    check("6. a non-initial fragment of that flow (no ports) takes the same SA",
          (frag.get("packet") or {}).get("fragment") is True and
          (frag.get("sa") or {}).get("spi") == T2_OUT_SPI, f"{frag.get('spd')}")


def test_errors(lab):
    rc, out, err = cli_text(lab, "show", "access-lists", "999")
    check("7. unknown access list: one line, exit 1",
          rc == 1 and err == "% no access list named 999\n" and out == "", f"{rc} {err!r}")
    rc, out, err = cli_text(lab, "test", "crypto", "trace", HOST_A, HOST_B, "icmp", "bogus")
    check("7. a bad ICMP type: one line, exit 1",
          rc == 1 and err.count("\n") == 1 and err.startswith("% invalid ICMP type 'bogus'"),
          f"{rc} {err!r}")


def main():
    def body(lab, work):
        lab.up("af_packet")
        lab_test.warm_up(lab)
        for name, fn in (("1", test_access_lists), ("2", test_arp), ("3", test_interfaces),
                         ("4", test_route_and_map), ("5", test_running_config),
                         ("6", test_trace), ("7", test_errors)):
            section(name, fn, lab)  # a broken step fails; the others still run

    return lab_test.run_lab_main("cli_config_test", "ecc", body)


if __name__ == "__main__":
    sys.exit(main())
