#!/usr/bin/python3
"""Black-box conformance of the gateway: pcaps in, pcaps out, compared with what scapy computes.

    /usr/bin/python3 conformance_test.py BUILD_ROOT [--keep DIR]

Each scenario is one run of espgw-dataplane + espgw-control on net_pcap ports (blackbox.py) with
a configuration of configs/. Every frame that comes out is matched with one expected frame and
compared byte for byte:

- ESP the gateway sends: Ethernet (peer's MAC from the static ARP entry, port MAC), outer IPv4
  header (addresses, TTL 64, DSCP/ECN copied, DF per the configuration's `df-bit`, length,
  checksum), UDP 4500 header with checksum 0 under NAT-T (RFC 3948), SPI, sequence numbers 1, 2, 3,
  ... per SA in transmit order, and the whole ciphertext and ICV: scapy re-encrypts the expected
  inner packet (the input with TTL - 1 and its checksum updated, RFC 1812 §5.3.1) with the sequence
  number, IV and IP ID taken from the packet and must produce the same bytes. IVs are unique.
- Decapsulated, bypassed and forwarded cleartext: exactly the input with TTL - 1, new checksum,
  the next hop's MAC and the egress port's MAC.
- What the gateway originates: ARP replies (RFC 826), ICMP echo replies (RFC 792; also to the
  inside address through a tunnel, and transport-mode ESP between the gateways), ARP requests
  for an unknown next hop, all with exactly the expected bytes.
Counters: no drop other than the scenario's, per-SA packet counts, pre-fragmentation counters.

Scenarios: the suites AES-GCM-128, AES-CBC-128 + HMAC-SHA1, 3DES + HMAC-MD5 and 3DES without
integrity (with a bad-padding packet), NAT-T, transport mode, pre-fragmentation, PMTU messages and
IKE for the gateway, the ICMP rate limit on fragmentation needed, a learnt path MTU applied, `crypto
ipsec df-bit set|clear` (global, interface, with after-encryption), and a hub (multi.cfg) with two
peers: hairpinning between them, a deny line that bypasses, traffic no policy matches, ICMP echo
through a tunnel, ARP replies and learning, 802.1Q, IPv4 options, TCP MSS clamping; and a crypto
ACL `permit ip any any` (gcm-any.cfg): decapsulated traffic routed to the inside leaves in the
clear, traffic routed back out of the crypto map interface is encrypted again.
"""
import argparse
import struct
import sys

from blackbox import (HOST, ICMP_RATE, INSIDE_GW, IP, NATT_PORT, REMOTE, UDP, Checks, Expected,
                      Gateway, Setup, arp_request, check_outputs, check_postfragmented,
                      check_prefragmented, check_sa_packets, echo_reply, esp_from_peer, forwarded,
                      from_inside, icmp_error, l2, match_port, port_mac, udp_of_size)
from scapy.layers.inet import ICMP, TCP, IPOption_Router_Alert
from scapy.layers.l2 import ARP, Dot1Q, Ether
from scapy.packet import Raw

# ---------------------------------------------------------------------------------------------
# Inner packets

def outbound_inners() -> list:
    """Inside -> remote packets: 16 consecutive UDP lengths (every padding residue of a 16-byte
    block), ICMP echo, a TCP SYN with options, DSCP/ECN values, DF set and clear, IP options."""
    pkts = []
    for n in range(16):
        pkts.append(IP(src=HOST, dst=REMOTE, id=100 + n, tos=(n % 4) * 0x29,
                       flags="DF" if n % 2 else 0) / UDP(sport=1024 + n, dport=2000)
                    / Raw(bytes(range(n + 20))))
    pkts.append(IP(src=HOST, dst=REMOTE, id=200) / ICMP(id=7, seq=1) / Raw(b"ping" * 10))
    pkts.append(IP(src=HOST, dst=REMOTE, id=201, tos=0xB8, flags="DF")
                / TCP(sport=40000, dport=443, flags="S", options=[("MSS", 1460), ("NOP", None),
                                                                  ("WScale", 7)]))
    pkts.append(IP(src=HOST, dst=REMOTE, id=202) / UDP(sport=9, dport=9) / Raw(b"\xaa" * 1300))
    # IPv4 options (RFC 2113 router alert): the SPD finds the ports behind them.
    pkts.append(IP(src=HOST, dst=REMOTE, id=203, options=[IPOption_Router_Alert()])
                / UDP(sport=11, dport=12) / Raw(b"options"))
    return pkts


def inbound_inners(dst: str = HOST, src: str = REMOTE) -> list:
    pkts = [IP(src=src, dst=dst, id=300 + n, tos=0x10 * (n % 3)) / UDP(sport=53, dport=5000 + n)
            / Raw(bytes(range(n * 7 % 251))) for n in range(12)]
    pkts.append(IP(src=src, dst=dst, id=320) / ICMP(type=0, id=7, seq=1) / Raw(b"pong" * 10))
    pkts.append(IP(src=src, dst=dst, id=321, flags="DF") / TCP(sport=443, dport=40000,
                                                              flags="SA", seq=1, ack=1))
    return pkts


# ---------------------------------------------------------------------------------------------
# Scenarios

def suite_scenario(ck: Checks, gw: Gateway, name: str, bad_padding: bool = False) -> None:
    """Both directions of one tunnel, plus cleartext no policy matches forwarded to its route."""
    s = Setup(name)
    t = s.tunnels[10]
    want = {0: Expected(), 1: Expected()}
    in1 = []
    for p in outbound_inners():
        in1.append(from_inside(s, p))
        want[0].inner(t, forwarded(p))
    # No SPD rule matches 198.18.1.10 -> 203.0.113.5: forwarded in clear to its static route.
    clear = IP(src=HOST, dst="203.0.113.5", id=400) / UDP(sport=7, dport=7) / Raw(b"clear")
    in1.append(from_inside(s, clear))
    want[0].frame(l2(s.mac("192.0.2.254"), port_mac(0)) + forwarded(clear))
    in0 = []
    for seq, p in enumerate(inbound_inners(), start=1):
        in0.append(esp_from_peer(t, p, seq))
        want[1].frame(l2(s.mac(HOST), port_mac(1)) + forwarded(p))
    drops, per_sa, n_in = {}, {}, len(in0)
    if bad_padding:
        in0.append(bad_padding_packet(t, len(in0) + 1))
        drops, per_sa = {"bad_padding": 1}, {t.spi_in: {"bad_padding": 1}}
    run = gw.run(name, {0: in0, 1: in1})
    check_outputs(ck, s, run, want)
    ck.drops(run, drops, per_sa)
    check_sa_packets(ck, run, {t.spi_in: n_in, t.spi_out: len(outbound_inners())})


def bad_padding_packet(t, seq: int) -> bytes:
    """3DES-CBC without integrity: flipping a bit of the next-to-last ciphertext block flips the
    same bit of the last plaintext block, here the first padding byte (1 -> 0x81): RFC 4303 §2.4
    padding the receiver must refuse. 37 inner bytes + 1 padding + 2 trailer = 5 blocks."""
    inner = IP(src=REMOTE, dst=HOST, id=999) / UDP(sport=1, dport=2) / Raw(b"x" * 9)
    assert len(inner) % 8 == 5
    esp = bytearray(esp_from_peer(t, inner, seq))
    esp[len(esp) - 16 + 5] ^= 0x80  # first padding byte sits at offset 5 of the last block
    return bytes(esp)


def natt_scenario(ck: Checks, gw: Gateway) -> None:
    """RFC 3948: ESP in UDP 4500 both ways; a NAT-keepalive is consumed (its own counter)."""
    s = Setup("natt.cfg")
    t = s.tunnels[10]
    want = {0: Expected(), 1: Expected()}
    in1 = [from_inside(s, p) for p in outbound_inners()]
    for p in outbound_inners():
        want[0].inner(t, forwarded(p))
    in0 = []
    for seq, p in enumerate(inbound_inners(), start=1):
        in0.append(esp_from_peer(t, p, seq))
        want[1].frame(l2(s.mac(HOST), port_mac(1)) + forwarded(p))
    keepalive = IP(src=t.peer, dst=t.local) / UDP(sport=NATT_PORT, dport=NATT_PORT, chksum=0) \
        / Raw(b"\xff")
    in0.append(l2(port_mac(0), s.mac(t.peer)) + bytes(keepalive))
    run = gw.run("natt.cfg", {0: in0, 1: in1})
    check_outputs(ck, s, run, want)
    ck.drops(run, {"natt_keepalive": 1})
    check_sa_packets(ck, run, {t.spi_in: len(inbound_inners()), t.spi_out: len(outbound_inners())})


def transport_scenario(ck: Checks, gw: Gateway) -> None:
    """The peer pings the gateway's own address in transport-mode ESP; the echo reply matches
    the host-to-host policy and leaves in transport-mode ESP (RFC 4303 §3.1.1)."""
    s = Setup("transport.cfg")
    t = s.tunnels[10]
    want = {0: Expected()}
    in0 = []
    for seq in range(1, 4):
        req = IP(src=t.peer, dst=t.local, id=500 + seq, tos=0x20) / \
            ICMP(type=8, id=0x4242, seq=seq) / Raw(bytes(range(seq * 30)))
        in0.append(esp_from_peer(t, req, seq))
        want[0].inner(t, echo_reply(req, t.local))
    run = gw.run("transport.cfg", {0: in0})
    check_outputs(ck, s, run, want)
    ck.drops(run, {})
    check_sa_packets(ck, run, {t.spi_in: 3, t.spi_out: 3})


def prefragment_scenario(ck: Checks, gw: Gateway) -> None:
    """RFC 4459 §5 pre-fragmentation (crypto ipsec fragmentation before-encryption): a 1500-byte
    inner packet without DF becomes inner fragments, each in an ESP packet that fits the MTU;
    the fragments reassemble to the forwarded packet. Counted as #pre-frag successes and
    #fragments created."""
    s = Setup("gcm.cfg")
    t = s.tunnels[10]
    big = udp_of_size(HOST, REMOTE, 1500, ip_id=0x777)
    run = gw.run("gcm.cfg", {1: [from_inside(s, big)]})
    n = check_prefragmented(ck, t, run.out.get(0, []), big, 1500)
    ck.expect(n == 2, f"{n} ESP packets, expected 2")
    sa = run.sa(t.spi_out)
    ck.expect(sa["prefrag_ok"] == 1 and sa["fragments_created"] == 2 and sa["prefrag_fail"] == 0,
              f"pre-fragmentation counters {sa['prefrag_ok']}/{sa['fragments_created']}/"
              f"{sa['prefrag_fail']}")
    ck.drops(run, {})


def services_scenario(ck: Checks, gw: Gateway) -> None:
    """Packets for the gateway that are not ESP: an ICMP fragmentation-needed message from a
    router on the path that quotes the gateway's own ESP (RFC 1191, RFC 4301 §6.1.2.1) lowers
    that SA's path MTU (#PMTUs rcvd); IKE on UDP 500, and on UDP 4500 behind the non-ESP marker
    (RFC 3948 §2.2), goes to control. None of them is a drop or produces output."""
    s = Setup("gcm.cfg")
    t = s.tunnels[10]
    router = l2(port_mac(0), s.mac(t.peer))
    quoted = bytes(IP(src=t.local, dst=t.peer, proto=50, id=1) /
                   Raw(struct.pack("!II", t.spi_out, 1)))
    pmtu = IP(src="192.0.2.254", dst=t.local) / ICMP(type=3, code=4, nexthopmtu=1400) / \
        Raw(quoted)
    ike500 = IP(src=t.peer, dst=t.local) / UDP(sport=500, dport=500) / Raw(b"\x11" * 40)
    ike4500 = IP(src=t.peer, dst=t.local) / UDP(sport=NATT_PORT, dport=NATT_PORT) / \
        Raw(b"\0\0\0\0" + b"\x22" * 40)
    run = gw.run("gcm.cfg", {0: [router + bytes(p) for p in (pmtu, ike500, ike4500)]})
    check_outputs(ck, s, run, {})
    ck.drops(run, {})
    ck.expect(run.total("punted") == 3, f"{run.total('punted')} packets to the main lcore")
    sa = run.sa(t.spi_out)
    ck.expect(sa["path_mtu"] == 1400 and sa["pmtu_rcvd"] == 1,
              f"SA {t.spi_out:#x}: path MTU {sa['path_mtu']}, #PMTUs rcvd {sa['pmtu_rcvd']}")
    ck.expect(run.sa(t.spi_in)["pmtu_rcvd"] == 0, "the inbound SA took the PMTU message")


def frag_needed_rate_scenario(ck: Checks, gw: Gateway) -> None:
    """150 DF 1500-byte packets for the tunnel in one burst: each one is refused (df_too_big,
    globally and on the SA), but the main lcore sends at most 100 ICMP fragmentation-needed
    messages per second (RFC 1812 §4.3.2.8): those that leave quote the first packets in order,
    each byte for byte, #PMTUs sent counts exactly the messages that left, and
    icmp_rate_limited the others."""
    s = Setup("gcm.cfg")
    t = s.tunnels[10]
    n = 150
    bigs = [udp_of_size(HOST, REMOTE, 1500, ip_id=0x100 + k, df=True) for k in range(n)]
    run = gw.run("gcm.cfg", {1: [from_inside(s, b) for b in bigs]})
    icmps = run.out.get(1, [])
    ck.expect(1 <= len(icmps) <= ICMP_RATE, f"{len(icmps)} ICMP messages, limit {ICMP_RATE}")
    mtu = struct.unpack("!H", icmps[0][14 + 26:14 + 28])[0] if icmps else 0
    ck.expect(1443 <= mtu <= 1446, f"next-hop MTU {mtu}, expected 1443..1446")
    for k, f in enumerate(icmps):
        ck.same_bytes(f, l2(s.mac(HOST), port_mac(1)) +
                      icmp_error(INSIDE_GW, HOST, 3, 4, forwarded(bigs[k]), mtu), f"ICMP {k}")
    ck.expect(not run.out.get(0), f"{len(run.out.get(0, []))} frames left the outside port")
    # Each message not sent is counted (icmp_rate_limited), so the two add up.
    ck.drops(run, {"df_too_big": n, "icmp_rate_limited": n - len(icmps)},
             {t.spi_out: {"df_too_big": n}})
    sent = run.sa(t.spi_out)["pmtu_sent"]
    ck.expect(sent == len(icmps), f"#PMTUs sent {sent}, {len(icmps)} ICMP messages left")


def is_outer_fragment(frame: bytes) -> bool:
    return (struct.unpack("!H", frame[14 + 6:14 + 8])[0] & 0x3FFF) != 0


def check_frag_needed(ck: Checks, s: Setup, frames: list, pkt, lo: int, hi: int) -> None:
    """`frames` is exactly one ICMP fragmentation needed for `pkt` with a next-hop MTU in
    [lo, hi] (the gateway's choice within the padding granularity), compared byte for byte."""
    if not ck.expect(len(frames) == 1, f"{len(frames)} frames on the inside port, want 1 ICMP"):
        return
    mtu = struct.unpack("!H", frames[0][14 + 26:14 + 28])[0]
    ck.expect(lo <= mtu <= hi, f"next-hop MTU {mtu}, expected {lo}..{hi}")
    ck.same_bytes(frames[0], l2(s.mac(HOST), port_mac(1)) +
                  icmp_error(INSIDE_GW, HOST, 3, 4, forwarded(pkt), mtu), "ICMP frag needed")


def df_bit_scenario(ck: Checks, gw: Gateway, config: str, mode: str) -> None:
    """`crypto ipsec df-bit set|clear` (global, or on the crypto map interface where it overrides
    the global one): two small packets, inner DF clear and set, get the outer DF the mode says
    (set: always, clear: never). A 1500-byte packet without DF is pre-fragmented (RFC 4459 §5;
    also under after-encryption with df-bit set: the ESP packet may not be fragmented, the inner
    packet may). A 1500-byte packet with DF gets ICMP fragmentation needed under set, and under
    clear leaves as one ESP packet fragmented after encryption (RFC 4459 §3, outer DF clear)."""
    s = Setup(config)
    t = s.tunnels[10]
    ck.expect(t.df == mode, f"{config}: the test reads df-bit {t.df}, the scenario is {mode}")
    small = [IP(src=HOST, dst=REMOTE, id=0xD0 + k, flags=f) / UDP(sport=1, dport=2) /
             Raw(b"df %d" % k) for k, f in enumerate((0, "DF"))]
    big = udp_of_size(HOST, REMOTE, 1500, ip_id=0xD10)
    big_df = udp_of_size(HOST, REMOTE, 1500, ip_id=0xD11, df=True)
    run = gw.run(config, {1: [from_inside(s, p) for p in small + [big, big_df]]})
    out0 = run.out.get(0, [])
    whole = [f for f in out0 if not is_outer_fragment(f)]
    want = Expected()
    for p in small:
        want.inner(t, forwarded(p))
    match_port(ck, s, whole[:2], want, 0)
    for n, (f, p) in enumerate(zip(whole[:2], small)):
        ck.expect(bool(IP(f[14:]).flags.DF) == (mode == "set"),
                  f"small packet {n} (inner DF {p.flags.DF}): outer flags {IP(f[14:]).flags}")
    n = check_prefragmented(ck, t, whole[2:], big, 1500)
    ck.expect(n == 2, f"{n} ESP packets carry the pre-fragmented packet, expected 2")
    sa = run.sa(t.spi_out)
    ck.expect(sa["prefrag_ok"] == 1 and sa["fragments_created"] == 2 and sa["prefrag_fail"] == 0,
              f"pre-fragmentation counters {sa['prefrag_ok']}/{sa['fragments_created']}/"
              f"{sa['prefrag_fail']}")
    frags = [f for f in out0 if is_outer_fragment(f)]
    if mode == "set":
        ck.expect(not frags, f"{len(frags)} outer fragments under df-bit set")
        check_frag_needed(ck, s, run.out.get(1, []), big_df, 1443, 1446)
        ck.drops(run, {"df_too_big": 1}, {t.spi_out: {"df_too_big": 1}})
        ck.expect(sa["pmtu_sent"] == 1, f"#PMTUs sent {sa['pmtu_sent']}")
    else:
        ck.expect(check_postfragmented(ck, t, frags, big_df, 1500) == 2,
                  f"{len(frags)} outer fragments, expected 2")
        ck.expect(not run.out.get(1), "frames on the inside port under df-bit clear")
        ck.drops(run, {})


def pmtu_learnt_scenario(ck: Checks, gw: Gateway) -> None:
    """A PMTU message from a router on the path quoting the SA's own ESP packet (local -> peer,
    its SPI) with next-hop MTU 1000 lowers the SA's path MTU, and the packets that follow obey it
    (300 packets later on the inside port: the message is handled first): 1100 bytes without DF
    is pre-fragmented into ESP packets of at most 1000 bytes; with DF the sender gets ICMP
    fragmentation needed whose MTU makes the ESP packet fit 1000 bytes."""
    s = Setup("gcm.cfg")
    t = s.tunnels[10]
    quoted = bytes(IP(src=t.local, dst=t.peer, proto=50, id=1) /
                   Raw(struct.pack("!II", t.spi_out, 1)))
    pmtu = l2(port_mac(0), s.mac(t.peer)) + bytes(IP(src="192.0.2.254", dst=t.local) / ICMP(
        type=3, code=4, nexthopmtu=1000) / Raw(quoted))
    fillers = [IP(src=HOST, dst=REMOTE, id=n + 1) / UDP(sport=1, dport=2) / Raw(b"%d" % n)
               for n in range(300)]
    big = udp_of_size(HOST, REMOTE, 1100, ip_id=0xB16)
    big_df = udp_of_size(HOST, REMOTE, 1100, ip_id=0xB17, df=True)
    run = gw.run("gcm.cfg", {0: [pmtu], 1: [from_inside(s, p) for p in fillers + [big, big_df]]})
    out0 = run.out.get(0, [])
    want = Expected()
    for p in fillers:
        want.inner(t, forwarded(p))
    match_port(ck, s, out0[:len(fillers)], want, 0)
    n = check_prefragmented(ck, t, out0[len(fillers):], big, 1000)
    ck.expect(n == 2, f"{n} ESP packets carry the pre-fragmented packet, expected 2")
    check_frag_needed(ck, s, run.out.get(1, []), big_df, 943, 946)
    ck.drops(run, {"df_too_big": 1}, {t.spi_out: {"df_too_big": 1}})
    sa = run.sa(t.spi_out)
    ck.expect(sa["path_mtu"] == 1000 and sa["pmtu_rcvd"] == 1 and sa["pmtu_sent"] == 1 and
              sa["prefrag_ok"] == 1, f"SA {t.spi_out:#x}: path MTU {sa['path_mtu']}, #PMTUs rcvd "
              f"{sa['pmtu_rcvd']}, sent {sa['pmtu_sent']}, pre-frag {sa['prefrag_ok']}")


def arp_scenario(ck: Checks, gw: Gateway) -> None:
    """ARP (RFC 826) for next hops: a decapsulated packet for 198.18.1.99, which has no entry,
    is dropped and one ARP request asks for it; the reply is learnt, so the same traffic later
    reaches its MAC. A request that claims the static entry's address with another MAC is
    answered but does not replace the static entry. "Later" is 300 packets later on the same
    port: the dataplane reads at most one burst (far fewer) per port and poll, and the main
    lcore handles ARP between polls."""
    s = Setup("gcm.cfg")
    t = s.tunnels[10]
    new_ip, new_mac, spoof_mac = "198.18.1.99", "02:00:00:00:01:99", "02:00:00:00:66:66"
    want = {1: Expected()}
    seq = iter(range(1, 1000))

    def to(dst, n):
        p = IP(src=REMOTE, dst=dst, id=n) / UDP(sport=1, dport=2) / Raw(b"%d" % n)
        return p, esp_from_peer(t, p, next(seq))

    in0 = []
    first, frame = to(new_ip, 1)
    in0.append(frame)
    want[1].frame(arp_request(1, INSIDE_GW, new_ip))
    for n in range(300):
        p, frame = to(HOST, 100 + n)
        in0.append(frame)
        want[1].frame(l2(s.mac(HOST), port_mac(1)) + forwarded(p))
    for dst, mac in ((new_ip, new_mac), (HOST, s.mac(HOST))):
        p, frame = to(dst, 2)
        in0.append(frame)
        want[1].frame(l2(mac, port_mac(1)) + forwarded(p))
    in1 = [bytes(Ether(src=new_mac, dst=port_mac(1)) / ARP(
               op=2, hwsrc=new_mac, psrc=new_ip, hwdst=port_mac(1), pdst=INSIDE_GW)),
           bytes(Ether(src=spoof_mac, dst="ff:ff:ff:ff:ff:ff") / ARP(
               op=1, hwsrc=spoof_mac, psrc=HOST, pdst=INSIDE_GW))]
    want[1].frame(bytes(Ether(src=port_mac(1), dst=spoof_mac) / ARP(
        op=2, hwsrc=port_mac(1), psrc=INSIDE_GW, hwdst=spoof_mac, pdst=HOST)))
    run = gw.run("gcm.cfg", {0: in0, 1: in1})
    check_outputs(ck, s, run, want)
    ck.drops(run, {"no_neighbor": 1})


def mss_clamped(syn, opts, mss: int) -> bytes:
    """`syn` (sent with TCP options `opts`) as the gateway forwards it under `ip tcp adjust-mss
    mss`: TTL - 1, the MSS option lowered, the TCP checksum recomputed."""
    out = IP(forwarded(syn))
    out[TCP].options = [("MSS", mss) if o[0] == "MSS" else o for o in opts]
    del out[TCP].chksum
    return bytes(out)


def hub_scenario(ck: Checks, gw: Gateway) -> None:
    """multi.cfg: two peers, a deny line, hairpinning, ICMP and ARP services."""
    s = Setup("multi.cfg")
    t2, t3 = s.tunnels[10], s.tunnels[20]
    spoke3 = "198.18.3.10"
    want = {0: Expected(), 1: Expected()}
    in0, in1 = [], []
    # Inside -> spoke 2: crypto map 10's permit line.
    p = IP(src=HOST, dst=REMOTE, id=1) / UDP(sport=1, dport=2) / Raw(b"to spoke 2")
    in1.append(from_inside(s, p))
    want[0].inner(t2, forwarded(p))
    # Inside -> 198.18.2.200: crypto map 10's deny line comes first, so BYPASS: clear, to the
    # default route, although the permit line behind it covers the address too.
    p = IP(src=HOST, dst="198.18.2.200", id=2) / UDP(sport=1, dport=2) / Raw(b"denied")
    in1.append(from_inside(s, p))
    want[0].frame(l2(s.mac("192.0.2.254"), port_mac(0)) + forwarded(p))
    # Inside -> spoke 3: crypto map 20.
    p = IP(src=HOST, dst=spoke3, id=3) / UDP(sport=1, dport=2) / Raw(b"to spoke 3")
    in1.append(from_inside(s, p))
    want[0].inner(t3, forwarded(p))
    # An 802.1Q-tagged frame: the tag is removed, the packet protected like any other.
    p = IP(src=HOST, dst=REMOTE, id=10) / UDP(sport=5, dport=6) / Raw(b"tagged")
    in1.append(bytes(Ether(src=s.mac(HOST), dst=port_mac(1)) / Dot1Q(vlan=12) / p))
    want[0].inner(t2, forwarded(p))
    # `ip tcp adjust-mss 1360` (RFC 6691): SYNs offering more are lowered, the TCP checksum
    # updated, also with the option at an odd offset (after one NOP); a smaller MSS and a
    # segment that is not a SYN stay as they are.
    for n, (opts, flags, clamped) in enumerate((
            ([("MSS", 1460), ("SAckOK", b"")], "S", True),
            ([("NOP", None), ("MSS", 1400), ("NOP", None), ("NOP", None), ("NOP", None)], "S",
             True),
            ([("MSS", 1200)], "S", False),
            ([("MSS", 1460)], "A", False))):
        syn = IP(src=HOST, dst=REMOTE, id=20 + n) / TCP(sport=1000 + n, dport=80, flags=flags,
                                                         options=opts)
        in1.append(from_inside(s, syn))
        want[0].inner(t2, mss_clamped(syn, opts, 1360) if clamped else forwarded(syn))
    # No policy at all: clear, default route.
    p = IP(src=HOST, dst="203.0.113.9", id=4) / ICMP(id=1, seq=1)
    in1.append(from_inside(s, p))
    want[0].frame(l2(s.mac("192.0.2.254"), port_mac(0)) + forwarded(p))
    # Hairpin: spoke 2 -> spoke 3 arrives in SA 0x1601, leaves in SA 0x2701 (TTL - 1 once).
    hp = IP(src=REMOTE, dst=spoke3, id=5) / UDP(sport=3, dport=4) / Raw(b"hairpin")
    in0.append(esp_from_peer(t2, hp, 1))
    want[0].inner(t3, forwarded(hp))
    # Spoke 3 -> inside host: decapsulated.
    p = IP(src=spoke3, dst=HOST, id=6) / UDP(sport=3, dport=4) / Raw(b"from spoke 3")
    in0.append(esp_from_peer(t3, p, 1))
    want[1].frame(l2(s.mac(HOST), port_mac(1)) + forwarded(p))
    # A SYN from spoke 3 leaves by the inside interface: its adjust-mss clamps it on the way
    # out too (the outside interface it arrived on has none).
    syn = IP(src=spoke3, dst=HOST, id=11) / TCP(sport=5000, dport=22, flags="S",
                                                 options=[("MSS", 1460)])
    in0.append(esp_from_peer(t3, syn, 2))
    want[1].frame(l2(s.mac(HOST), port_mac(1)) + mss_clamped(syn, [("MSS", 1460)], 1360))
    # Ping of the gateway's inside address from spoke 2, through the tunnel: the reply matches
    # crypto map 10 (198.18.1.1 is inside 198.18.0.0/16) and goes back encrypted.
    req = IP(src=REMOTE, dst=INSIDE_GW, id=7) / ICMP(type=8, id=9, seq=1) / Raw(b"through")
    in0.append(esp_from_peer(t2, req, 2))
    want[0].inner(t2, echo_reply(req, INSIDE_GW))
    # ARP (RFC 826): a request for each gateway address gets a reply from the port's MAC; a
    # request for another address gets nothing. The new host 198.18.1.20 is learnt from its
    # request, so the echo reply that follows reaches its MAC.
    new_mac, new_ip = "02:00:00:00:01:20", "198.18.1.20"
    for port, gw_ip, mac, ip in ((1, INSIDE_GW, new_mac, new_ip),
                                 (0, "192.0.2.1", "02:00:00:00:00:fe", "192.0.2.254")):
        req_arp = Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / ARP(
            op=1, hwsrc=mac, psrc=ip, hwdst="00:00:00:00:00:00", pdst=gw_ip)
        (in1 if port == 1 else in0).append(bytes(req_arp))
        want[port].frame(bytes(Ether(src=port_mac(port), dst=mac) / ARP(
            op=2, hwsrc=port_mac(port), psrc=gw_ip, hwdst=mac, pdst=ip)))
    in1.append(bytes(Ether(src=new_mac, dst="ff:ff:ff:ff:ff:ff") / ARP(
        op=1, hwsrc=new_mac, psrc=new_ip, pdst="198.18.1.77")))
    req = IP(src=new_ip, dst=INSIDE_GW, id=8) / ICMP(type=8, id=10, seq=1) / Raw(b"learnt")
    in1.append(from_inside(s, req, host_mac=new_mac))
    want[1].frame(l2(new_mac, port_mac(1)) + echo_reply(req, INSIDE_GW))
    run = gw.run("multi.cfg", {0: in0, 1: in1})
    check_outputs(ck, s, run, want)
    ck.drops(run, {})
    check_sa_packets(ck, run, {t2.spi_in: 2, t2.spi_out: 7, t3.spi_in: 2, t3.spi_out: 2})


def any_any_scenario(ck: Checks, gw: Gateway) -> None:
    """gcm-any.cfg, crypto ACL `permit ip any any`: decapsulated packets for the inside leave in
    the clear by their route (the old SPD-first forwarding sent them back into the tunnel), those
    routed out of the crypto map interface are encrypted again; inside traffic is protected."""
    s = Setup("gcm-any.cfg")
    t = s.tunnels[10]
    want = {0: Expected(), 1: Expected()}
    in0, in1 = [], []
    for seq, p in enumerate(inbound_inners(), start=1):
        in0.append(esp_from_peer(t, p, seq))
        want[1].frame(l2(s.mac(HOST), port_mac(1)) + forwarded(p))
    n_in = len(in0)
    back = IP(src=REMOTE, dst="203.0.113.7", id=500) / UDP(sport=8, dport=9) / Raw(b"back out")
    in0.append(esp_from_peer(t, back, n_in + 1))
    want[0].inner(t, forwarded(back))
    out = IP(src=HOST, dst="203.0.113.5", id=501) / UDP(sport=7, dport=7) / Raw(b"full tunnel")
    in1.append(from_inside(s, out))
    want[0].inner(t, forwarded(out))
    run = gw.run("gcm-any.cfg", {0: in0, 1: in1})
    check_outputs(ck, s, run, want)
    ck.drops(run, {})
    check_sa_packets(ck, run, {t.spi_in: n_in + 1, t.spi_out: 2})


def mss_outside_scenario(ck: Checks, gw: Gateway) -> None:
    """`ip tcp adjust-mss 1300` on the crypto map interface only: a SYN from inside is clamped
    before it is encrypted (it leaves by that interface), one arriving through the tunnel on
    arrival; a SYN with a smaller MSS and a non-SYN segment pass unchanged."""
    s = Setup("mss-outside.cfg")
    t = s.tunnels[10]
    want = {0: Expected(), 1: Expected()}
    in0, in1 = [], []
    for n, (mss, flags, clamped) in enumerate(((1460, "S", True), (1200, "S", False),
                                                (1460, "A", False))):
        seg = IP(src=HOST, dst=REMOTE, id=30 + n) / TCP(sport=2000 + n, dport=443, flags=flags,
                                                         options=[("MSS", mss)])
        in1.append(from_inside(s, seg))
        want[0].inner(t, mss_clamped(seg, [("MSS", mss)], 1300) if clamped else forwarded(seg))
    syn = IP(src=REMOTE, dst=HOST, id=40) / TCP(sport=6000, dport=22, flags="SA",
                                                 options=[("MSS", 1460)])
    in0.append(esp_from_peer(t, syn, 1))
    want[1].frame(l2(s.mac(HOST), port_mac(1)) + mss_clamped(syn, [("MSS", 1460)], 1300))
    run = gw.run("mss-outside.cfg", {0: in0, 1: in1})
    check_outputs(ck, s, run, want)
    ck.drops(run, {})
    check_sa_packets(ck, run, {t.spi_in: 1, t.spi_out: 3})


def egress_mtu_scenario(ck: Checks, gw: Gateway) -> None:
    """`ip mtu 1400` on the inside interface (inside-mtu.cfg): a decapsulated 1500-byte packet
    without DF leaves it in two fragments (RFC 791: ID, offsets, MF, header copied, checksums),
    one with DF is refused with ICMP fragmentation needed, MTU 1400, which goes back through
    the tunnel it came from (RFC 1191); a 1500-byte packet to the outside (MTU 1500) is not
    cut."""
    s = Setup("inside-mtu.cfg")
    t = s.tunnels[10]
    want = {0: Expected(), 1: Expected()}
    big = udp_of_size(REMOTE, HOST, 1500, ip_id=0x4D1)
    big_df = udp_of_size(REMOTE, HOST, 1500, ip_id=0x4D2, df=True)
    out_big = udp_of_size(HOST, "203.0.113.9", 1500, ip_id=0x4D3)
    fw = IP(forwarded(big))
    payload = bytes(fw.payload)
    step = (1400 - 20) // 8 * 8
    for off in range(0, len(payload), step):
        f = fw.copy()
        f.remove_payload()
        f.flags = "MF" if off + step < len(payload) else 0
        f.frag = off // 8
        del f.len
        del f.chksum
        want[1].frame(l2(s.mac(HOST), port_mac(1)) + bytes(f / Raw(payload[off:off + step])))
    want[0].inner(t, icmp_error(INSIDE_GW, REMOTE, 3, 4, forwarded(big_df), 1400))
    want[0].frame(l2(s.mac("192.0.2.254"), port_mac(0)) + forwarded(out_big))
    run = gw.run("inside-mtu.cfg", {0: [esp_from_peer(t, big, 1), esp_from_peer(t, big_df, 2)],
                                    1: [from_inside(s, out_big)]})
    check_outputs(ck, s, run, want)
    ck.drops(run, {"df_too_big": 1})
    check_sa_packets(ck, run, {t.spi_in: 2, t.spi_out: 1})


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("build_root")
    ap.add_argument("--keep", help="copy every run's pcaps and logs here")
    ap.add_argument("--only", help="run the scenarios whose name contains this")
    a = ap.parse_args()
    gw = Gateway(a.build_root, a.keep)
    ck = Checks()
    scenarios = [
        ("AES-GCM-128 tunnel, both directions", lambda: suite_scenario(ck, gw, "gcm.cfg")),
        ("AES-CBC-128 + HMAC-SHA1-96", lambda: suite_scenario(ck, gw, "cbc-sha1.cfg")),
        ("3DES + HMAC-MD5-96", lambda: suite_scenario(ck, gw, "3des-md5.cfg")),
        ("3DES alone, one packet with bad padding",
         lambda: suite_scenario(ck, gw, "3des.cfg", bad_padding=True)),
        ("NAT-T (UDP 4500) and a NAT keepalive", lambda: natt_scenario(ck, gw)),
        ("transport mode: ICMP echo between the gateways", lambda: transport_scenario(ck, gw)),
        ("pre-fragmentation of a 1500-byte packet", lambda: prefragment_scenario(ck, gw)),
        ("PMTU message from the path, IKE to control", lambda: services_scenario(ck, gw)),
        ("ICMP fragmentation needed under its rate limit",
         lambda: frag_needed_rate_scenario(ck, gw)),
        ("PMTU message learnt: pre-fragmentation and ICMP at the new MTU",
         lambda: pmtu_learnt_scenario(ck, gw)),
        ("df-bit set (global)", lambda: df_bit_scenario(ck, gw, "df-set.cfg", "set")),
        ("df-bit set (interface over global clear)",
         lambda: df_bit_scenario(ck, gw, "df-set-if.cfg", "set")),
        ("df-bit clear (global)", lambda: df_bit_scenario(ck, gw, "df-clear.cfg", "clear")),
        ("df-bit clear (interface over global set)",
         lambda: df_bit_scenario(ck, gw, "df-clear-if.cfg", "clear")),
        ("df-bit set with fragmentation after-encryption",
         lambda: df_bit_scenario(ck, gw, "df-set-after.cfg", "set")),
        ("ARP resolution of a next hop; static entries kept", lambda: arp_scenario(ck, gw)),
        ("hub: hairpin, deny bypass, no policy, echo through a tunnel, ARP",
         lambda: hub_scenario(ck, gw)),
        ("crypto ACL any any: decapsulated traffic routed inside leaves in the clear",
         lambda: any_any_scenario(ck, gw)),
        ("ip tcp adjust-mss on the crypto map interface", lambda: mss_outside_scenario(ck, gw)),
        ("ip mtu of a cleartext egress: fragments, or ICMP through the tunnel",
         lambda: egress_mtu_scenario(ck, gw)),
    ]
    for name, fn in scenarios:
        if a.only and a.only not in name:
            continue
        ck.begin(name)
        try:
            fn()
        except Exception as e:  # a harness failure fails this scenario, the rest still run
            ck.expect(False, f"{type(e).__name__}: {e}")
        ck.end()
    print(f"\n{len(ck.results)} scenarios, {len(ck.failures)} failure(s)")
    return 1 if ck.failures else 0


if __name__ == "__main__":
    sys.exit(main())
