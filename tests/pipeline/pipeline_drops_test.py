#!/usr/bin/python3
"""Every pipeline drop reason (the kPipeline rows of sadb/drop_reason.def) triggered through the
running gateway, each asserting that its counter, and only its counter, moved.

    /usr/bin/python3 pipeline_drops_test.py BUILD_ROOT [--only LABEL] [--keep DIR]

One black-box run per reason (blackbox.py: net_pcap ports, configs/). Each run also carries
bystander traffic of the same tunnel in both directions, which must come out byte-exact, and
asserts: the global and per-lcore counter of the reason moved by the expected amount and no other
drop counter moved; per-SA reasons moved on the right SA only (and nothing on any other SA);
every input frame was received; whatever the drop sends (ICMP time exceeded, ICMP fragmentation
needed, ARP request, ACQUIRE) came out with exactly the expected bytes.

Reasons that need a full ring (handoff_full, tx_full, punt_full) or a policy no configuration
line compiles to (spd_discard: IOS crypto ACLs only permit = PROTECT and deny = BYPASS) are
triggered in pipeline_drops_test.cc, inside the process; GTEST below names them, and the coverage
check reads that file so a reason without a test anywhere fails here.
"""
import argparse
import os
import re
import struct
import sys

from blackbox import (HERE, HOST, ICMP_RATE, INSIDE_GW, IP, REMOTE, UDP, Checks, Expected, Gateway,
                      Setup, arp_request, check_outputs, check_postfragmented, check_prefragmented,
                      check_sa_packets, drop_reasons, echo_reply, esp_from_peer, forwarded,
                      from_inside, icmp_error, l2, match_port, port_mac, udp_of_size)
from scapy.layers.inet import ICMP, TCP, fragment
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import ARP, Dot1Q, Ether
from scapy.packet import Raw

# Reasons triggered by pipeline_drops_test.cc (gtest), and why not here.
GTEST = {
    "spd_discard": "no configuration line compiles to a DISCARD rule",
    "handoff_full": "needs a second forwarding lcore whose handoff ring is full",
    "tx_full": "needs a port whose transmit queue nobody drains",
    "punt_full": "needs the ring to the main lcore full",
    "reply_ring_full": "needs the ring from the main lcore full",
    "no_sa": "also here (black-box); the gtest checks the ACQUIRE item on the ring",
}


class Bystanders:
    """Traffic of the tunnel that must get through untouched while a drop is triggered: one
    packet out through the tunnel, one decapsulated, one ICMP echo to the gateway."""

    def __init__(self, s: Setup, outbound: bool = True, inbound: bool = True, seq: int = 1000):
        t = s.tunnels[10]
        self.inputs = {0: [], 1: []}
        self.want = {0: Expected(), 1: Expected()}
        self.sa_packets = {}
        if outbound:
            p = IP(src=HOST, dst=REMOTE, id=0xB1) / UDP(sport=1, dport=2) / Raw(b"bystander out")
            self.inputs[1].append(from_inside(s, p))
            self.want[0].inner(t, forwarded(p))
            self.sa_packets[t.spi_out] = 1
        if inbound:
            p = IP(src=REMOTE, dst=HOST, id=0xB2) / UDP(sport=3, dport=4) / Raw(b"bystander in")
            self.inputs[0].append(esp_from_peer(t, p, seq))
            self.want[1].frame(l2(s.mac(HOST), port_mac(1)) + forwarded(p))
            self.sa_packets[t.spi_in] = 1
        req = IP(src=HOST, dst=INSIDE_GW, id=0xB3) / ICMP(type=8, id=1, seq=1) / Raw(b"echo")
        self.inputs[1].append(from_inside(s, req))
        self.want[1].frame(l2(s.mac(HOST), port_mac(1)) + echo_reply(req, INSIDE_GW))


def run_with(gw: Gateway, s: Setup, by: Bystanders, extra: dict, **kw):
    inputs = {p: by.inputs.get(p, []) + extra.get(p, []) for p in set(by.inputs) | set(extra)}
    return gw.run(s.name, inputs, **kw)


# ---------------------------------------------------------------------------------------------
# One function per reason

def inner_policy_mismatch(ck: Checks, gw: Gateway) -> None:
    """RFC 4301 §5.2: the decapsulated packet's source is outside the SA's remote selector."""
    s = Setup("gcm.cfg")
    t = s.tunnels[10]
    by = Bystanders(s)
    bad = IP(src="198.18.7.10", dst=HOST) / UDP(sport=1, dport=2) / Raw(b"spoofed")
    run = run_with(gw, s, by, {0: [esp_from_peer(t, bad, 1)]})
    check_outputs(ck, s, run, by.want)
    ck.drops(run, {"inner_policy_mismatch": 1}, {t.spi_in: {"inner_policy_mismatch": 1}})


def martian_address(ck: Checks, gw: Gateway) -> None:
    """RFC 1812 §5.3.7 and §4.2.2.11: nothing is forwarded from or to 0/8, 127/8, multicast,
    240/4 or the limited broadcast. From the inside a loopback source and a limited-broadcast
    destination; from the outside a multicast source (no PROTECT rule covers it: it used to be
    forwarded to the host); through the tunnel an inner 0.0.0.0 source, counted on the SA."""
    s = Setup("gcm.cfg")
    t = s.tunnels[10]
    by = Bystanders(s)
    transit = "02:00:00:00:00:fe"  # the upstream router 192.0.2.254
    inside = [IP(src="127.0.0.1", dst=REMOTE) / UDP(sport=1, dport=2) / Raw(b"loopback"),
              IP(src=HOST, dst="255.255.255.255") / UDP(sport=68, dport=67) / Raw(b"bcast")]
    outside = [l2(port_mac(0), transit) + bytes(IP(src="224.0.0.5", dst=HOST) /
                                                 UDP(sport=1, dport=2) / Raw(b"mcast")),
               esp_from_peer(t, IP(src="0.0.0.0", dst=HOST) / UDP(sport=1, dport=2) /
                             Raw(b"zero"), 1)]
    run = run_with(gw, s, by, {0: outside, 1: [from_inside(s, p) for p in inside]})
    check_outputs(ck, s, run, by.want)
    ck.drops(run, {"martian_address": 4}, {t.spi_in: {"martian_address": 1}})


def not_ipsec(ck: Checks, gw: Gateway) -> None:
    """RFC 4301 §5.2: cleartext arriving on the crypto map interface that matches the mirror of
    a PROTECT rule should have come in ESP: dropped (IOS RECVD_PKT_NOT_IPSEC), for either crypto
    map and for TCP too, and also when it is for the gateway itself (an echo request from the
    remote network to the inside address gets no reply in clear). Cleartext matching the mirror
    of the deny line (198.18.2.128/25, a BYPASS) and cleartext matching no rule are forwarded as
    before (split tunnelling)."""
    s = Setup("multi.cfg")
    by = Bystanders(s)
    transit = "02:00:00:00:00:fe"  # the upstream router 192.0.2.254
    spoofed = [IP(src=REMOTE, dst=HOST, id=0x501) / UDP(sport=1, dport=2) / Raw(b"inject"),
               IP(src="198.18.3.9", dst=HOST, id=0x502) / TCP(sport=80, dport=1024, flags="S"),
               IP(src=REMOTE, dst="198.18.7.7", id=0x503) / ICMP(type=8),
               IP(src=REMOTE, dst=INSIDE_GW, id=0x506) / ICMP(type=8, id=6, seq=1)]
    allowed = [IP(src="198.18.2.200", dst=HOST, id=0x504) / UDP(sport=3, dport=4) / Raw(b"deny"),
               IP(src="203.0.113.5", dst=HOST, id=0x505) / UDP(sport=5, dport=6) / Raw(b"web")]
    extra = [l2(port_mac(0), transit) + bytes(p) for p in spoofed + allowed]
    for p in allowed:
        by.want[1].frame(l2(s.mac(HOST), port_mac(1)) + forwarded(p))
    run = run_with(gw, s, by, {0: extra})
    check_outputs(ck, s, run, by.want)
    ck.drops(run, {"not_ipsec": len(spoofed)})


def ipv6_unsupported(ck: Checks, gw: Gateway) -> None:
    s = Setup("gcm.cfg")
    by = Bystanders(s)
    v6 = IPv6(src="2001:db8::1", dst="2001:db8::2") / UDP(sport=1, dport=2) / Raw(b"v6")
    extra = {1: [bytes(Ether(src=s.mac(HOST), dst=port_mac(1)) / v6)],
             0: [bytes(Ether(src="02:00:00:00:00:02", dst=port_mac(0)) / Dot1Q(vlan=7) / v6)]}
    run = run_with(gw, s, by, extra)
    check_outputs(ck, s, run, by.want)
    ck.drops(run, {"ipv6_unsupported": 2})


def unknown_ethertype(ck: Checks, gw: Gateway) -> None:
    s = Setup("gcm.cfg")
    by = Bystanders(s)
    extra = {1: [bytes(Ether(src=s.mac(HOST), dst=port_mac(1), type=0x88B5) / Raw(b"x" * 46)),
                 bytes(Ether(src=s.mac(HOST), dst=port_mac(1)) / Dot1Q(vlan=7, type=0x88B6)
                       / Raw(b"y" * 42))]}
    run = run_with(gw, s, by, extra)
    check_outputs(ck, s, run, by.want)
    ck.drops(run, {"unknown_ethertype": 2})


def ttl_expired(ck: Checks, gw: Gateway) -> None:
    """RFC 1812 §5.3.1: TTL 1 and TTL 0 are not forwarded; each gets an ICMP time exceeded from
    the address of the interface it came in on, quoting the header as received."""
    s = Setup("gcm.cfg")
    by = Bystanders(s)
    extra, want = [], by.want
    for ttl in (1, 0):
        p = IP(src=HOST, dst=REMOTE, id=0x710 + ttl, ttl=ttl) / UDP(sport=33434, dport=33435)
        extra.append(from_inside(s, p))
        want[1].frame(l2(s.mac(HOST), port_mac(1)) + icmp_error(INSIDE_GW, HOST, 11, 0, bytes(p)))
    last = IP(src=HOST, dst=REMOTE, id=0x712, ttl=2) / UDP(sport=33434, dport=33436)
    extra.append(from_inside(s, last))  # TTL 2 still goes through, with TTL 1
    want[0].inner(s.tunnels[10], forwarded(last))
    by.sa_packets[s.tunnels[10].spi_out] += 1
    run = run_with(gw, s, by, {1: extra})
    check_outputs(ck, s, run, want)
    ck.drops(run, {"ttl_expired": 2})
    check_sa_packets(ck, run, by.sa_packets)


def icmp_rate_limited(ck: Checks, gw: Gateway) -> None:
    """RFC 1812 §4.3.2.8: 150 TTL-1 packets in one burst are each dropped (ttl_expired), but the
    main lcore sends at most 100 ICMP time exceeded per second; each one it does not send counts
    icmp_rate_limited on the main lcore, so the two add up. The errors that leave quote the first
    packets in order; a TTL-2 packet sent after them still crosses the tunnel. (One lcore: the
    main lcore forwards too and its counters are that lcore's.)"""
    s = Setup("gcm.cfg")
    t = s.tunnels[10]
    n = 150
    dying = [IP(src=HOST, dst=REMOTE, id=0x900 + k, ttl=1) / UDP(sport=33434, dport=33435 + k)
             for k in range(n)]
    last = IP(src=HOST, dst=REMOTE, id=0x9FF, ttl=2) / UDP(sport=33434, dport=40000)
    run = gw.run(s.name, {1: [from_inside(s, p) for p in dying + [last]]})
    icmps = run.out.get(1, [])
    ck.expect(1 <= len(icmps) <= ICMP_RATE, f"{len(icmps)} ICMP messages, limit {ICMP_RATE}")
    for k, f in enumerate(icmps):
        ck.same_bytes(f, l2(s.mac(HOST), port_mac(1)) +
                      icmp_error(INSIDE_GW, HOST, 11, 0, bytes(dying[k])), f"ICMP {k}")
    want = Expected()
    want.inner(t, forwarded(last))
    match_port(ck, s, run.out.get(0, []), want, 0)
    ck.drops(run, {"ttl_expired": n, "icmp_rate_limited": n - len(icmps)})


def no_route(ck: Checks, gw: Gateway) -> None:
    """gcm.cfg has no default route: 198.51.100.0/24 is not reachable."""
    s = Setup("gcm.cfg")
    by = Bystanders(s)
    p = IP(src=HOST, dst="198.51.100.7") / UDP(sport=1, dport=2) / Raw(b"nowhere")
    run = run_with(gw, s, by, {1: [from_inside(s, p)]})
    check_outputs(ck, s, run, by.want)
    ck.drops(run, {"no_route": 1})


def no_neighbor(ck: Checks, gw: Gateway) -> None:
    """Two decapsulated packets for 198.18.1.99, which has no ARP entry: both dropped, and one
    ARP request asks for it (at most one a second per address)."""
    s = Setup("gcm.cfg")
    t = s.tunnels[10]
    by = Bystanders(s)
    extra = [esp_from_peer(t, IP(src=REMOTE, dst="198.18.1.99", id=k) / UDP(sport=1, dport=2)
                           / Raw(b"who?"), k) for k in (1, 2)]
    by.want[1].frame(arp_request(1, INSIDE_GW, "198.18.1.99"))
    by.sa_packets[t.spi_in] += 2
    run = run_with(gw, s, by, {0: extra})
    check_outputs(ck, s, run, by.want)
    ck.drops(run, {"no_neighbor": 2})
    check_sa_packets(ck, run, by.sa_packets)


def no_sa(ck: Checks, gw: Gateway) -> None:
    """A PROTECT rule whose outbound SA is missing: the dataplane's SA table holds one SA
    (--max-sas 1), so the outbound SA of crypto map 10 is refused (control logs
    CONFIG_PARTIAL) while its SPD rule is installed. The packet is dropped; the inbound SA
    still works. espgw-control exits after a partial first configuration, so the ACQUIRE
    (RFC 4301 §5.1) it would log is checked on the lcore's ring by the gtest instead."""
    s = Setup("gcm.cfg")
    by = Bystanders(s, outbound=False)
    p = IP(src=HOST, dst=REMOTE) / UDP(sport=1, dport=2) / Raw(b"no SA")
    run = run_with(gw, s, by, {1: [from_inside(s, p)]}, dataplane_args=["--max-sas", "1"],
                   config_line="%ESPGW-3-CONFIG_PARTIAL")
    check_outputs(ck, s, run, by.want)
    ck.drops(run, {"no_sa": 1})
    ck.expect([sa["spi"] for sa in run.sas] == [s.tunnels[10].spi_in],
              f"SAs installed: {[hex(sa['spi']) for sa in run.sas]}")


def df_too_big(ck: Checks, gw: Gateway) -> None:
    """RFC 1191 / RFC 4301 §8: a 1500-byte inner packet with DF cannot fit once encapsulated
    (df-bit copy keeps DF outside): dropped, counted on the SA (#PMTUs sent) and answered with
    ICMP fragmentation needed carrying the largest inner size that fits. 1446 bytes is the
    largest for AES-GCM (20 + 8 + 8 + 1448 + 16 = 1500): a DF packet of that size must pass and
    the advertised MTU must lie within the 4-byte padding granularity below it."""
    s = Setup("gcm.cfg")
    t = s.tunnels[10]
    by = Bystanders(s)
    big = udp_of_size(HOST, REMOTE, 1500, ip_id=0xDF1, df=True)
    fits = udp_of_size(HOST, REMOTE, 1446, ip_id=0xDF2, df=True)
    by.want[0].inner(t, forwarded(fits))
    by.sa_packets[t.spi_out] += 1
    run = run_with(gw, s, by, {1: [from_inside(s, big), from_inside(s, fits)]})
    # The advertised MTU is the gateway's choice within the padding granularity: read it, check
    # its range, then expect the whole message with it.
    icmps = [f for f in run.out.get(1, []) if f[14 + 9] == 1 and f[14 + 20] == 3]
    mtu = struct.unpack("!H", icmps[0][14 + 26:14 + 28])[0] if icmps else 0
    ck.expect(1443 <= mtu <= 1446, f"next-hop MTU {mtu}, expected 1443..1446")
    # The quoted header is the packet as it would have been forwarded (TTL already decremented).
    by.want[1].frame(l2(s.mac(HOST), port_mac(1)) +
                     icmp_error(INSIDE_GW, HOST, 3, 4, forwarded(big), mtu))
    check_outputs(ck, s, run, by.want)
    ck.drops(run, {"df_too_big": 1}, {t.spi_out: {"df_too_big": 1}})
    sa = run.sa(t.spi_out)
    ck.expect(sa["pmtu_sent"] == 1, f"#PMTUs sent {sa['pmtu_sent']}")
    check_sa_packets(ck, run, by.sa_packets)


def fragment_failed(ck: Checks, gw: Gateway) -> None:
    """An outside `ip mtu 256`: a 1400-byte packet without DF needs more fragments than the
    gateway makes of one packet, while a 400-byte one fits in a few. Before encryption
    (small-mtu.cfg, RFC 4459 §5) the inner packet is cut: #pre-frag failures, and the 400-byte
    one leaves in ESP packets of at most 256 bytes. After encryption (after-encryption.cfg,
    RFC 4459 §3) the ESP packet is cut: the 400-byte one leaves as outer fragments. Both
    failures are charged to the outbound SA."""
    for name, before in (("small-mtu.cfg", True), ("after-encryption.cfg", False)):
        s = Setup(name)
        t = s.tunnels[10]
        by = Bystanders(s, outbound=False)
        big = udp_of_size(HOST, REMOTE, 1400, ip_id=0xFF1)
        ok = udp_of_size(HOST, REMOTE, 400, ip_id=0xFF2)
        run = run_with(gw, s, by, {1: [from_inside(s, big), from_inside(s, ok)]})
        esp = [f for f in run.out.get(0, []) if f[14 + 9] == 50]
        if before:
            n = check_prefragmented(ck, t, esp, ok, 256)
        else:
            n = check_postfragmented(ck, t, esp, ok, 256)
        ck.expect(n >= 2, f"{name}: the 400-byte packet in {n} packet(s)")
        run.out[0] = [f for f in run.out.get(0, []) if f not in esp]  # checked: nothing else
        check_outputs(ck, s, run, by.want)
        ck.drops(run, {"fragment_failed": 1}, {t.spi_out: {"fragment_failed": 1}})
        sa = run.sa(t.spi_out)
        if before:
            ck.expect(sa["prefrag_fail"] == 1 and sa["prefrag_ok"] == 1 and
                      sa["fragments_created"] == n,
                      f"#pre-frag failures {sa['prefrag_fail']}, successes {sa['prefrag_ok']}, "
                      f"fragments {sa['fragments_created']}")
        else:
            ck.expect(sa["prefrag_fail"] == 0 and sa["prefrag_ok"] == 0,
                      "pre-fragmentation counters moved under after-encryption")


def reassembly_failed(ck: Checks, gw: Gateway) -> None:
    """Outer fragments of ESP packets for 192.0.2.1: a lone first fragment times out (2 s) and
    is counted when the expiry sweep reaps it; a first fragment received twice makes the
    reassembly fail at once (both copies); a complete pair is reassembled and decapsulated
    (#decapsulated frgs needing reassembly)."""
    s = Setup("gcm.cfg")
    t = s.tunnels[10]
    by = Bystanders(s)

    def esp_fragments(ip_id: int, seq: int, inner_dst: str = HOST):
        inner = IP(src=REMOTE, dst=inner_dst, id=ip_id) / UDP(sport=7, dport=8) / \
            Raw(bytes(range(200)))
        outer = IP(esp_from_peer(t, inner, seq)[14:])
        outer.id = ip_id
        del outer.chksum
        return inner, [l2(port_mac(0), s.mac(t.peer)) + bytes(f)
                       for f in fragment(IP(bytes(outer)), fragsize=128)]

    _, lone = esp_fragments(0x1111, 1)
    _, dup = esp_fragments(0x2222, 2)
    good_inner, good = esp_fragments(0x3333, 3)
    by.want[1].frame(l2(s.mac(HOST), port_mac(1)) + forwarded(good_inner))
    by.sa_packets[t.spi_in] += 1
    run = run_with(gw, s, by, {0: [lone[0], dup[0], dup[0]] + good},
                   until=lambda j: j["drops"]["reassembly_failed"] >= 3, timeout=10)
    check_outputs(ck, s, run, by.want)
    ck.drops(run, {"reassembly_failed": 3})
    ck.expect(run.sa(t.spi_in)["reassembly_needed"] == 1,
              f"#decapsulated frgs needing reassembly {run.sa(t.spi_in)['reassembly_needed']}")
    check_sa_packets(ck, run, by.sa_packets)


def to_self_unhandled(ck: Checks, gw: Gateway) -> None:
    """TCP and UDP (not IKE) to the gateway's addresses, and ICMP other than echo requests and
    fragmentation needed (a timestamp request): no service takes them. An echo request with a
    bad ICMP checksum (RFC 792) is not answered either: malformed, counted on the main lcore."""
    s = Setup("gcm.cfg")
    by = Bystanders(s)
    bad_sum = IP(src=HOST, dst=INSIDE_GW) / ICMP(type=8, id=7, seq=1, chksum=0x1234) / Raw(b"p")
    extra = {1: [from_inside(s, IP(src=HOST, dst=INSIDE_GW) / TCP(sport=40000, dport=22,
                                                                  flags="S")),
                 from_inside(s, IP(src=HOST, dst=INSIDE_GW) / ICMP(type=13)),
                 from_inside(s, bad_sum)],
             0: [l2(port_mac(0), s.mac("192.0.2.2")) +
                 bytes(IP(src="192.0.2.2", dst="192.0.2.1") / UDP(sport=53, dport=53)
                       / Raw(b"dns?"))]}
    run = run_with(gw, s, by, extra)
    check_outputs(ck, s, run, by.want)
    ck.drops(run, {"to_self_unhandled": 3, "malformed": 1})


def not_forwarding(ck: Checks, gw: Gateway) -> None:
    """A third DPDK port no interface of the configuration is bound to: its IPv4 and ARP frames
    are not forwarded nor answered."""
    s = Setup("gcm.cfg")
    by = Bystanders(s)
    mac = "02:00:00:00:02:02"
    extra = {2: [bytes(Ether(src=mac, dst=port_mac(2)) / IP(src="203.0.113.2", dst=REMOTE)
                       / UDP(sport=1, dport=2) / Raw(b"stray")),
                 bytes(Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / ARP(
                     op=1, hwsrc=mac, psrc="203.0.113.2", pdst="203.0.113.1"))]}
    run = run_with(gw, s, by, extra, ports=3)
    check_outputs(ck, s, run, by.want)
    ck.drops(run, {"not_forwarding": 2})


def pmtu_mismatch(ck: Checks, gw: Gateway) -> None:
    """ICMP fragmentation needed quoting the outbound SA's SPI, but with a quoted outer source
    or destination that is not the SA's (RFC 4301 §8.2: the quote must be our ESP packet):
    counted and ignored, the path MTU stays 1500 and #PMTUs rcvd 0. A third message with the
    right addresses but an SPI no SA has is ignored silently, as before."""
    s = Setup("gcm.cfg")
    t = s.tunnels[10]
    by = Bystanders(s)
    router = l2(port_mac(0), s.mac(t.peer))
    msgs = []
    for src, dst, spi in ((t.local, "192.0.2.77", t.spi_out), ("192.0.2.77", t.peer, t.spi_out),
                          (t.local, t.peer, 0x7777)):
        quoted = bytes(IP(src=src, dst=dst, proto=50, id=1) / Raw(struct.pack("!II", spi, 1)))
        msgs.append(router + bytes(IP(src="192.0.2.254", dst=t.local) /
                                   ICMP(type=3, code=4, nexthopmtu=600) / Raw(quoted)))
    run = run_with(gw, s, by, {0: msgs})
    check_outputs(ck, s, run, by.want)
    ck.drops(run, {"pmtu_mismatch": 2})
    sa = run.sa(t.spi_out)
    ck.expect(sa["path_mtu"] == 1500 and sa["pmtu_rcvd"] == 0,
              f"SA {t.spi_out:#x}: path MTU {sa['path_mtu']}, #PMTUs rcvd {sa['pmtu_rcvd']}")


BLACK_BOX = {
    "inner_policy_mismatch": inner_policy_mismatch,
    "martian_address": martian_address,
    "not_ipsec": not_ipsec,
    "ipv6_unsupported": ipv6_unsupported,
    "unknown_ethertype": unknown_ethertype,
    "ttl_expired": ttl_expired,
    "icmp_rate_limited": icmp_rate_limited,
    "no_route": no_route,
    "no_neighbor": no_neighbor,
    "no_sa": no_sa,
    "df_too_big": df_too_big,
    "fragment_failed": fragment_failed,
    "reassembly_failed": reassembly_failed,
    "to_self_unhandled": to_self_unhandled,
    "not_forwarding": not_forwarding,
    "pmtu_mismatch": pmtu_mismatch,
}


def check_coverage(ck: Checks) -> None:
    """Every kPipeline reason of the .def has a test: a scenario here, or an entry of the gtest
    scenario table in pipeline_drops_test.cc."""
    gtest_src = open(os.path.join(HERE, "pipeline_drops_test.cc")).read()
    in_gtest = set(re.findall(r"\{R::(k\w+),", gtest_src))
    pipeline = [r for r in drop_reasons() if r.layer == "kPipeline"]
    for r in pipeline:
        covered = r.label in BLACK_BOX or (r.label in GTEST and r.name in in_gtest)
        ck.expect(covered, f"no test triggers pipeline drop reason {r.label}")
    for label in list(BLACK_BOX) + list(GTEST):
        ck.expect(any(r.label == label for r in pipeline), f"{label} is not a kPipeline reason")
    for label in GTEST:
        name = next((r.name for r in pipeline if r.label == label), None)
        ck.expect(name in in_gtest, f"pipeline_drops_test.cc has no scenario for {label}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("build_root")
    ap.add_argument("--keep", help="copy every run's pcaps and logs here")
    ap.add_argument("--only", help="run only this reason (label)")
    a = ap.parse_args()
    gw = Gateway(a.build_root, a.keep)
    ck = Checks()
    for label, fn in BLACK_BOX.items():
        if a.only and a.only != label:
            continue
        ck.begin(label)
        try:
            fn(ck, gw)
        except Exception as e:  # a harness failure fails this reason, the rest still run
            ck.expect(False, f"{type(e).__name__}: {e}")
        ck.end()
    ck.begin("coverage of the kPipeline reasons")
    check_coverage(ck)
    ck.end()
    print(f"\n{'reason':24} test")
    for r in drop_reasons():
        if r.layer == "kPipeline":
            where = "black-box" if r.label in BLACK_BOX else ""
            if r.label in GTEST:
                where += (" + " if where else "") + "gtest PipelineDrops"
            print(f"{r.label:24} {where}")
    print(f"\n{len(ck.results)} checks, {len(ck.failures)} failure(s)")
    return 1 if ck.failures else 0


if __name__ == "__main__":
    sys.exit(main())
