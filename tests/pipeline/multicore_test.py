#!/usr/bin/python3
"""The gateway on several lcores: espgw-dataplane with the main lcore and two forwarding workers,
each port with two rx and two tx queues (net_pcap: one pcap file per queue), so every worker
receives packets of tunnels the other owns and must hand them over (design.md: one owner lcore
per SA).

    /usr/bin/python3 multicore_test.py BUILD_ROOT [--keep DIR]

multi.cfg (two tunnels, hairpinning between the spokes) is fed, dealt alternately to the two rx
queues of each port: cleartext from inside for both tunnels, ESP from both peers, ESP from one
spoke for the other (decapsulated, then encapsulated again into the other tunnel), and
UDP-encapsulated ESP for a raw ESP SA (encap_mismatch). Checked:
- every frame that comes out is exactly what scapy computes (blackbox.match_port), nothing is
  missing, and each outbound SA's sequence numbers are 1..n in the transmit order of one tx
  queue: one lcore, the owner, encapsulated all of its packets;
- both workers received and handed packets over, and what was sent equals what was received;
- per-SA packet counts are exact (a lost or doubled increment shows);
- encap_mismatch is counted on the SA and by the SA's owner lcore only (the receiving lcore
  does not write another lcore's SA counters).
Then the same frames with the workers' queues doubled (four workers on two queues: two workers
poll nothing and only forward what is handed to them).
"""
import argparse
import sys

from blackbox import (HOST, REMOTE, IP, UDP, Checks, Expected, Gateway, Setup, check_outputs,
                      check_sa_packets, esp_from_peer, forwarded, from_inside, l2, port_mac)
from scapy.packet import Raw

SPOKE3 = "198.18.3.10"
N = 24  # packets per tunnel and direction


def natt_frame(frame: bytes) -> bytes:
    """The same ESP frame as RFC 3948 UDP-encapsulated ESP (port 4500, zero checksum)."""
    ip = IP(frame[14:])
    esp = bytes(ip.payload)
    udp = (4500).to_bytes(2, "big") * 2 + (8 + len(esp)).to_bytes(2, "big") + b"\0\0"
    outer = IP(src=ip.src, dst=ip.dst, ttl=ip.ttl, id=ip.id, proto=17) / Raw(udp + esp)
    return frame[:14] + bytes(outer)


def inputs(s: Setup):
    t2, t3 = s.tunnels[10], s.tunnels[20]
    want = {0: Expected(), 1: Expected()}
    in0, in1 = [], []
    for n in range(N):
        for tunnel, dst in ((t2, REMOTE), (t3, SPOKE3)):
            p = IP(src=HOST, dst=dst, id=n, tos=(n % 4) * 4) / UDP(sport=1000 + n, dport=2000) \
                / Raw(bytes(range(n + 10)))
            in1.append(from_inside(s, p))
            want[0].inner(tunnel, forwarded(p))
    seq = {10: 0, 20: 0}
    for n in range(N):
        for m, tunnel, src in ((10, t2, REMOTE), (20, t3, SPOKE3)):
            seq[m] += 1
            p = IP(src=src, dst=HOST, id=500 + n) / UDP(sport=53, dport=3000 + n) / Raw(b"x" * n)
            in0.append(esp_from_peer(tunnel, p, seq[m]))
            want[1].frame(l2(s.mac(HOST), port_mac(1)) + forwarded(p))
    for n in range(4):  # spoke 2 -> spoke 3: decapsulated from t2, encapsulated into t3
        seq[10] += 1
        p = IP(src=REMOTE, dst=SPOKE3, id=900 + n) / UDP(sport=7, dport=8) / Raw(b"hairpin")
        in0.append(esp_from_peer(t2, p, seq[10]))
        want[0].inner(t3, forwarded(p))
    for n in range(2):  # raw ESP SA, UDP-encapsulated packet
        seq[10] += 1
        p = IP(src=REMOTE, dst=HOST, id=950 + n) / UDP(sport=7, dport=8)
        in0.append(natt_frame(esp_from_peer(t2, p, seq[10])))
    return {0: in0, 1: in1}, want, t2, t3


def check_run(ck: Checks, gw: Gateway, s: Setup, workers: int) -> None:
    frames, want, t2, t3 = inputs(s)
    run = gw.run("multi.cfg", frames, lcores=workers + 1, queues=2, timeout=20)
    check_outputs(ck, s, run, want)
    check_sa_packets(ck, run, {t2.spi_out: N, t3.spi_out: N + 4, t2.spi_in: N + 4, t3.spi_in: N})
    ck.drops(run, {"encap_mismatch": 2}, {t2.spi_in: {"encap_mismatch": 2}})
    # Stats slots in worker order, then the main lcore's (it forwards nothing here).
    ck.expect(len(run.lcores) == workers + 1,
              f"{len(run.lcores)} lcores in the stats, want {workers} workers and the main one")
    for k, lc in enumerate(run.lcores[:2]):
        ck.expect(lc["rx_packets"] > 0, f"worker {k} (lcore {lc['lcore']}) received nothing")
    sent, got = run.total("handoff_out"), run.total("handoff_in")
    ck.expect(sent > 0 and sent == got, f"handoffs: {sent} sent, {got} received")
    owners = {sa["spi"]: sa["owner_lcore"] for sa in run.sas}
    ck.expect(owners[t2.spi_in] == owners[t2.spi_out] and owners[t3.spi_in] == owners[t3.spi_out],
              f"both directions of a tunnel on one lcore: {owners}")
    owner = owners[t2.spi_in]
    for k, lc in enumerate(run.lcores):
        n = lc["drops"]["encap_mismatch"]
        ck.expect(n == (2 if k == owner else 0),
                  f"worker {k} counted {n} encap_mismatch; the SA's owner is worker {owner}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("build_root")
    ap.add_argument("--keep", help="copy every run's pcaps and logs here")
    a = ap.parse_args()
    gw = Gateway(a.build_root, a.keep)
    s = Setup("multi.cfg")
    ck = Checks()
    for workers in (2, 4):
        ck.begin(f"{workers} workers, 2 queues per port")
        try:
            check_run(ck, gw, s, workers)
        except Exception as e:  # a harness failure fails this run, the next still runs
            ck.expect(False, f"{type(e).__name__}: {e}")
        ck.end()
    print(f"\n{len(ck.results)} checks, {len(ck.failures)} failure(s)")
    return 1 if ck.failures else 0


if __name__ == "__main__":
    sys.exit(main())
