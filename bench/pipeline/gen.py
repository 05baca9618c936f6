#!/usr/bin/python3
"""Configurations and pcaps of the full-pipeline benchmark, the same SAs for both gateways.

    gen.py espgw-config --suite S --tunnels T --out FILE   IOS startup config for espgw-control
    gen.py secgw-config --suite S --tunnels T --out FILE   sa/sp/rt/neigh file for ipsec-secgw
    gen.py pcap --suite S --tunnels T --size Z --dir encap|decap --out FILE

Topology (both gateways): port 0 = outside (unprotected), port 1 = inside (protected).
Tunnel i (0-based) protects 198.18.0.0+4i/30 (inside) <-> 198.19.0.0+4i/30 (behind peer i);
peer i is 198.19.128.0+1+i, reached by the default route through 192.0.2.2. Decapsulated
packets go to 198.18.0.0/16 through 198.51.100.2. Every next hop has a static MAC, so nothing
waits for ARP. The MTU is 2000 on both gateways (espgw `ip mtu 2000`, ipsec-secgw `--mtu 2000`,
the most ipsec-secgw allows without multi-segment mbufs) so that IMIX's 1518-byte inner packets
are encapsulated whole: ipsec-secgw drops what exceeds its MTU unless fragmentation is set up,
espgw would pre-fragment. Both do the same work per packet.

Keys are derived from the suite, tunnel and direction, so the two configurations and the pcaps
agree without sharing state. Anti-replay is off in both (the pcap is replayed forever: its
sequence numbers repeat).
"""
import argparse
import hashlib
import ipaddress
import sys

SUITES = ("aes128gcm", "aes128cbc-sha1")
GW_OUTSIDE = "192.0.2.1"
GW_OUTSIDE_NH = "192.0.2.2"
GW_INSIDE = "198.51.100.1"
GW_INSIDE_NH = "198.51.100.2"
MAC_OUTSIDE_NH = "02:00:00:00:00:02"
MAC_INSIDE_NH = "02:00:00:00:01:02"
MAC_SRC_FRAMES = "02:00:00:00:09:09"  # source MAC of the frames in the pcaps
IMIX = (64, 594, 64, 64, 594, 64, 1518, 64, 594, 64, 594, 64)  # 7x64, 4x594, 1x1518
MIN_PCAP_PACKETS = 1008  # a multiple of len(IMIX)


def local_net(i):
    return ipaddress.IPv4Address(int(ipaddress.IPv4Address("198.18.0.0")) + 4 * i)


def remote_net(i):
    return ipaddress.IPv4Address(int(ipaddress.IPv4Address("198.19.0.0")) + 4 * i)


def peer(i):
    return ipaddress.IPv4Address(int(ipaddress.IPv4Address("198.19.128.0")) + 1 + i)


def check_tunnels(t):
    # 198.18.0.0/16 holds 16384 /30s; peers stay inside 198.19.128.0/17.
    if not 1 <= t <= 16000:
        sys.exit(f"gen.py: --tunnels {t} out of range 1..16000")


def keys(suite, i, direction):
    """(cipher key incl. GCM salt, auth key or b'') of tunnel i, direction 'out' or 'in'."""
    d = hashlib.sha512(f"espgw-pbench/{suite}/{i}/{direction}".encode()).digest()
    if suite == "aes128gcm":
        return d[:20], b""  # 16-byte key || 4-byte salt (RFC 4106 §8.1)
    return d[:16], d[16:36]


def _spread(j):
    """A bijection on 32 bits (odd multipliers and xorshifts), as bench/suites.cc spreads SPIs."""
    x = (j + 1) & 0xFFFFFFFF
    x ^= x >> 16
    x = (x * 0x7FEB352D) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x846CA68B) & 0xFFFFFFFF
    return x ^ (x >> 16)


def _make_spis(n):
    """SPIs as a peer's IKE picks them: spread over the space, not consecutive (consecutive SPIs
    would flatter any lookup indexed by the SPI's low bits). 31 bits: ipsec-secgw parses SPIs
    with atoi. Distinct and >= 256 (RFC 4303 §2.1), checked here."""
    out = [(_spread(2 * i) & 0x7FFFFFFF, _spread(2 * i + 1) & 0x7FFFFFFF) for i in range(n)]
    flat = [s for pair in out for s in pair]
    assert len(set(flat)) == len(flat) and min(flat) >= 256, "SPI table not distinct"
    return out


_SPIS = _make_spis(16000)
TUNNEL_OF_OUT_SPI = {o: i for i, (o, _) in enumerate(_SPIS)}


def spis(i):
    """(outbound SPI: gateway -> peer i, inbound SPI: peer i -> gateway) of tunnel i."""
    return _SPIS[i]


def espgw_config(suite, tunnels):
    ts = "GCM128 esp-gcm 128" if suite == "aes128gcm" else "CBCSHA esp-aes 128 esp-sha-hmac"
    lines = [
        "hostname pbench",
        "interface port0",
        " description outside",
        " dpdk-port 0",
        f" ip address {GW_OUTSIDE} 255.255.255.0",
        " ip mtu 2000",
        " crypto map VPN",
        "interface port1",
        " description inside",
        " dpdk-port 1",
        f" ip address {GW_INSIDE} 255.255.255.0",
        " ip mtu 2000",
        f"ip route 0.0.0.0 0.0.0.0 {GW_OUTSIDE_NH}",
        f"ip route 198.18.0.0 255.255.0.0 {GW_INSIDE_NH}",
        f"arp {GW_OUTSIDE_NH} {ios_mac(MAC_OUTSIDE_NH)} ARPA",
        f"arp {GW_INSIDE_NH} {ios_mac(MAC_INSIDE_NH)} ARPA",
        f"crypto ipsec transform-set {ts}",
        " mode tunnel",
        "crypto ipsec security-association replay disable",
    ]
    for i in range(tunnels):
        lines += [f"ip access-list extended T{i}",
                  f" permit ip {local_net(i)} 0.0.0.3 {remote_net(i)} 0.0.0.3"]
    for i in range(tunnels):
        out_spi, in_spi = spis(i)
        (oc, oa), (ic, ia) = keys(suite, i, "out"), keys(suite, i, "in")
        lines += [f"crypto map VPN {i + 1} ipsec-manual",
                  f" set peer {peer(i)}",
                  f" set transform-set {ts.split()[0]}",
                  f" match address T{i}",
                  f" set session-key inbound esp {in_spi} {session_key(ic, ia)}",
                  f" set session-key outbound esp {out_spi} {session_key(oc, oa)}"]
    return "\n".join(lines) + "\n"


def ios_mac(mac):
    h = mac.replace(":", "")
    return f"{h[0:4]}.{h[4:8]}.{h[8:12]}"


def session_key(cipher, auth):
    return f"cipher {cipher.hex()}" + (f" authenticator {auth.hex()}" if auth else "")


def colon_hex(b):
    return ":".join(f"{x:02x}" for x in b)


def secgw_algo(suite, cipher, auth):
    if suite == "aes128gcm":
        return f"aead_algo aes-128-gcm aead_key {colon_hex(cipher)}"
    return (f"cipher_algo aes-128-cbc cipher_key {colon_hex(cipher)} "
            f"auth_algo sha1-hmac auth_key {colon_hex(auth)}")


def secgw_config(suite, tunnels, sa_type):
    lines = []
    for i in range(tunnels):
        out_spi, in_spi = spis(i)
        ln, rn = local_net(i), remote_net(i)
        # One priority for all: the selectors are disjoint, as in espgw's SPD.
        lines.append(f"sp ipv4 out esp protect {out_spi} pri 1 src {ln}/30 dst {rn}/30 "
                     "sport 0:65535 dport 0:65535")
        lines.append(f"sp ipv4 in esp protect {in_spi} pri 1 src {rn}/30 dst {ln}/30 "
                     "sport 0:65535 dport 0:65535")
    for i in range(tunnels):
        out_spi, in_spi = spis(i)
        oc, oa = keys(suite, i, "out")
        ic, ia = keys(suite, i, "in")
        lines.append(f"sa out {out_spi} {secgw_algo(suite, oc, oa)} mode ipv4-tunnel "
                     f"src {GW_OUTSIDE} dst {peer(i)} type {sa_type}")
        lines.append(f"sa in {in_spi} {secgw_algo(suite, ic, ia)} mode ipv4-tunnel "
                     f"src {peer(i)} dst {GW_OUTSIDE} type {sa_type}")
    lines += ["rt ipv4 dst 198.19.128.0/17 port 0",
              "rt ipv4 dst 198.18.0.0/16 port 1",
              f"neigh port 0 {MAC_OUTSIDE_NH}",
              f"neigh port 1 {MAC_INSIDE_NH}"]
    return "\n".join(lines) + "\n"


def pcap_len(tunnels):
    n = -(-tunnels // len(IMIX)) * len(IMIX)
    return max(n, MIN_PCAP_PACKETS)


def sizes(size_name, n):
    if size_name == "imix":
        return [IMIX[k % len(IMIX)] for k in range(n)]
    return [int(size_name)] * n


def inner_packet(src, dst, size, k):
    from scapy.layers.inet import IP, UDP
    from scapy.packet import Raw
    pkt = IP(src=str(src), dst=str(dst), ttl=64, id=k & 0xffff) / UDP(sport=1024, dport=9)
    return pkt / Raw(b"\x00" * (size - 28))


def make_pcap(suite, tunnels, size_name, direction, out):
    from scapy.layers.inet import IP
    from scapy.layers.ipsec import ESP, SecurityAssociation
    from scapy.layers.l2 import Ether
    from scapy.utils import PcapWriter
    n = pcap_len(tunnels)
    szs = sizes(size_name, n)
    sas = {}
    w = PcapWriter(out, linktype=1, sync=False)
    for k in range(n):
        i = k % tunnels  # consecutive packets belong to different tunnels
        host = 1 + (k // tunnels) % 2  # both hosts of the /30
        if direction == "encap":
            ip = inner_packet(local_net(i) + host, remote_net(i) + host, szs[k], k)
            w.write(Ether(src=MAC_SRC_FRAMES, dst="02:00:00:00:01:01") / ip)
            continue
        sa = sas.get(i)
        if sa is None:
            c, a = keys(suite, i, "in")
            _, in_spi = spis(i)
            hdr = IP(src=str(peer(i)), dst=GW_OUTSIDE, ttl=64)
            if suite == "aes128gcm":
                sa = SecurityAssociation(ESP, spi=in_spi, crypt_algo="AES-GCM", crypt_key=c,
                                         tunnel_header=hdr)
            else:
                sa = SecurityAssociation(ESP, spi=in_spi, crypt_algo="AES-CBC", crypt_key=c,
                                         auth_algo="HMAC-SHA1-96", auth_key=a,
                                         tunnel_header=hdr)
            sas[i] = sa
        ip = inner_packet(remote_net(i) + host, local_net(i) + host, szs[k], k)
        seq = 1 + k // tunnels
        iv = (seq.to_bytes(8, "big") if suite == "aes128gcm" else
              hashlib.sha256(f"{k}".encode()).digest()[:16])
        esp = sa.encrypt(ip, seq_num=seq, iv=iv)
        w.write(Ether(src=MAC_SRC_FRAMES, dst="02:00:00:00:00:01") / IP(bytes(esp)))
    w.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("espgw-config", "secgw-config", "pcap"))
    ap.add_argument("--suite", choices=SUITES, required=True)
    ap.add_argument("--tunnels", type=int, required=True)
    ap.add_argument("--size", default="64")
    ap.add_argument("--dir", choices=("encap", "decap"), default="encap")
    ap.add_argument("--secgw-type", default="cpu-crypto", choices=("cpu-crypto", "no-offload"))
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    check_tunnels(a.tunnels)
    if a.what == "pcap":
        make_pcap(a.suite, a.tunnels, a.size, a.dir, a.out)
        return
    text = (espgw_config(a.suite, a.tunnels) if a.what == "espgw-config" else
            secgw_config(a.suite, a.tunnels, a.secgw_type))
    with open(a.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
