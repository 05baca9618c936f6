#!/usr/bin/python3
"""Cross-implementation proof of the espgw ESP engine against scapy and tshark.

    /usr/bin/python3 esp_interop.py path/to/espgw-esp-pcap [--keep DIR]

The matrix is every valid suite (cipher x integrity) x mode (tunnel 4in4, 6in4, 4in6, 6in6;
transport over IPv4 and IPv6) x NAT-T (RFC 3948) off/on, each SA carrying 19 inner packets
(ICMP, UDP, TCP; 16 consecutive lengths so the ESP payload hits every padding residue of a
16-byte block, a minimal one, a 1400-byte one, one with IPv4 options or an IPv6 hop-by-hop
header). Per SA:

  S  espgw encap -> scapy SecurityAssociation decrypts and verifies; inner packet byte-identical;
     outer header, UDP, sequence numbers (1, 2, 3, ... after "seq") and IV uniqueness checked.
  T  the same ESP -> one tshark run with an esp_sa UAT of all SAs: ICV good (HMAC and GCM),
     decrypted data == inner packet || RFC 4303 §2.4 padding 1, 2, 3, ... || pad length || next
     header, inner protocols dissected, outer checksums good.
  D  scapy encrypts the same inner packets -> espgw decap (both crypto backends) -> byte-identical
     output, zero drops, per-SA counters and replay top.

Plus outer-header options in tunnel mode (24 SAs: DF set / clear / copied x DSCP copied or zero
x TTL 1, 17, 64, 200, 255, over 4in4, 6in4, 4in6, 6in6; inner DF on and off, DSCP/ECN values):
outer DF bit, TOS / traffic class (ECN copied with the DSCP, RFC 6040 normal mode, or both
zero), TTL / hop limit and the outer IPv4 checksum recomputed here, then S and T as above.
Plus extended sequence numbers across 2^32 for every suite (espgw encap checked by a Python
HMAC / scapy GCM with the high bits, espgw -> espgw, scapy -> espgw), sequence-number exhaustion
without ESN, and negative controls proving each checker can fail: flipped key bits make scapy
raise, tshark report icv_bad and espgw drop with icv_mismatch.

All ESP goes through ONE espgw-esp-pcap invocation (EAL start-up dominates otherwise). Prints a
suite x mode x NAT-T table and exits non-zero on any failure.
"""
import dataclasses
import hashlib
import hmac
import json
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field

warnings.filterwarnings("ignore")  # cryptography deprecates (3)DES and scapy says so per SA

from scapy.all import conf  # noqa: E402
from scapy.layers.inet import ICMP, IP, TCP, UDP, IPOption_Router_Alert  # noqa: E402
from scapy.layers.inet6 import (IPv6, ICMPv6EchoRequest, IPv6ExtHdrHopByHop,  # noqa: E402
                                RouterAlert)
from scapy.layers.ipsec import ESP, IPSecIntegrityError, SecurityAssociation  # noqa: E402
from scapy.packet import Raw  # noqa: E402

conf.verb = 0

# ---------------------------------------------------------------------------------------------
# Algorithm tables. Names: espgw JSON, scapy CRYPT_ALGOS/AUTH_ALGOS, tshark esp_sa UAT.

@dataclass(frozen=True)
class Cipher:
    name: str
    scapy: str
    key_len: int   # without the salt
    salt_len: int  # RFC 3686 §5.1 / RFC 4106 §8.1 nonce salt appended to the key
    align: int     # RFC 4303 §2.4 payload alignment: cipher block, or 4 for stream modes
    iv_len: int
    icv_len: int   # AEAD tag (RFC 4106: 16 octets)
    tshark: str


CIPHERS = [
    Cipher("null", "NULL", 0, 0, 4, 0, 0, "NULL"),
    Cipher("des", "DES", 8, 0, 8, 8, 0, "DES-CBC [RFC2405]"),
    Cipher("3des", "3DES", 24, 0, 8, 8, 0, "TripleDES-CBC [RFC2451]"),
    Cipher("aes128cbc", "AES-CBC", 16, 0, 16, 16, 0, "AES-CBC [RFC3602]"),
    Cipher("aes192cbc", "AES-CBC", 24, 0, 16, 16, 0, "AES-CBC [RFC3602]"),
    Cipher("aes256cbc", "AES-CBC", 32, 0, 16, 16, 0, "AES-CBC [RFC3602]"),
    Cipher("aes128ctr", "AES-CTR", 16, 4, 4, 8, 0, "AES-CTR [RFC3686]"),
    Cipher("aes192ctr", "AES-CTR", 24, 4, 4, 8, 0, "AES-CTR [RFC3686]"),
    Cipher("aes256ctr", "AES-CTR", 32, 4, 4, 8, 0, "AES-CTR [RFC3686]"),
    Cipher("aes128gcm", "AES-GCM", 16, 4, 4, 8, 16, "AES-GCM with 16 octet ICV [RFC4106]"),
    Cipher("aes192gcm", "AES-GCM", 24, 4, 4, 8, 16, "AES-GCM with 16 octet ICV [RFC4106]"),
    Cipher("aes256gcm", "AES-GCM", 32, 4, 4, 8, 16, "AES-GCM with 16 octet ICV [RFC4106]"),
]


@dataclass(frozen=True)
class Integrity:
    name: str
    scapy: str | None
    key_len: int  # RFC 2403/2404/4868 key sizes
    icv_len: int  # truncated ICV
    digest: object
    tshark: str


INTEGRITIES = [
    Integrity("none", None, 0, 0, None, "NULL"),
    Integrity("md5", "HMAC-MD5-96", 16, 12, hashlib.md5, "HMAC-MD5-96 [RFC2403]"),
    Integrity("sha1", "HMAC-SHA1-96", 20, 12, hashlib.sha1, "HMAC-SHA-1-96 [RFC2404]"),
    Integrity("sha256", "SHA2-256-128", 32, 16, hashlib.sha256, "HMAC-SHA-256-128 [RFC4868]"),
    Integrity("sha384", "SHA2-384-192", 48, 24, hashlib.sha384, "HMAC-SHA-384-192 [RFC4868]"),
    Integrity("sha512", "SHA2-512-256", 64, 32, hashlib.sha512, "HMAC-SHA-512-256 [RFC4868]"),
]


def valid_suite(c: Cipher, i: Integrity) -> bool:
    # GCM carries its own ICV (RFC 4106); NULL without integrity protects nothing (RFC 4303
    # §3.2 forbids it).
    if c.name.endswith("gcm"):
        return i.name == "none"
    if c.name == "null":
        return i.name != "none"
    return True


SUITES = [(c, i) for c in CIPHERS for i in INTEGRITIES if valid_suite(c, i)]

# (label, mode, outer version, inner version). Transport mode has one IP header: the packet's.
MODES = [("4in4", "tunnel", 4, 4), ("6in4", "tunnel", 4, 6), ("4in6", "tunnel", 6, 4),
         ("6in6", "tunnel", 6, 6), ("tr4", "transport", 4, 4), ("tr6", "transport", 6, 6)]

# Documentation addresses only (RFC 5737, RFC 3849).
GW = {4: ("192.0.2.1", "192.0.2.2"), 6: ("2001:db8::1", "2001:db8::2")}
HOSTS = {4: ("198.51.100.7", "203.0.113.9"), 6: ("2001:db8:1::7", "2001:db8:2::9")}
TRANSPORT_HOSTS = {4: ("192.0.2.11", "192.0.2.12"), 6: ("2001:db8::11", "2001:db8::12")}
NATT_PORT = 4500  # RFC 3948 §2
TTL = 64
ETH = bytes.fromhex("020000000002" "020000000001")

ESN_START = 2**32 - 3  # first sequence number of the ESN SAs: crosses 2^32 on the 4th packet
ESN_PACKETS = 6

# ---------------------------------------------------------------------------------------------
# Minimal pcap I/O (faster than scapy's and independent of it).


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for k, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1, k, len(fr), len(fr)))
            f.write(fr)


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    frames, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "IIII", data[off:off + 16])[2]
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


# ---------------------------------------------------------------------------------------------
# Checksums (RFC 1071) for the outer-header checks.


def csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def ipv4_header_ok(h: bytes) -> bool:
    return csum(h) == 0xFFFF


def udp6_checksum_ok(ip6: bytes, udp: bytes) -> bool:
    # RFC 8200 §8.1 pseudo-header; a zero checksum is not allowed over IPv6.
    if udp[6:8] == b"\0\0":
        return False
    pseudo = ip6[8:40] + struct.pack("!IxxxB", len(udp), 17)
    return csum(pseudo + udp) == 0xFFFF


# ---------------------------------------------------------------------------------------------
# Inner packets.

@dataclass
class Inner:
    data: bytes     # the IP packet
    l4: str         # tshark name of the upper protocol, for the dissection check
    hbh: bool       # IPv6 hop-by-hop header (stays in front of ESP in transport mode)


def ipv6_tc(b: bytes) -> int:
    return ((b[0] & 0x0F) << 4) | (b[1] >> 4)


def esp_payload(mode: str, orig: bytes):
    """What ESP protects and the next-header value for it: the whole packet in tunnel mode
    (RFC 4303 §3.1.2), the bytes after the IP header and hop-by-hop options in transport mode
    (§3.1.1)."""
    if mode == "tunnel":
        return orig, 4 if orig[0] >> 4 == 4 else 41
    if orig[0] >> 4 == 4:
        return orig[(orig[0] & 0xF) * 4:], orig[9]
    if orig[6] == 0:
        return orig[40 + (orig[41] + 1) * 8:], orig[40]
    return orig[40:], orig[6]


def build_templates(ver: int, mode: str) -> list[Inner]:
    """19 inner packets whose ESP payload lengths cover residues 0..15 mod 16 (the largest
    alignment, AES-CBC; RFC 4303 §2.4), plus minimal, 1400-byte and option-carrying ones."""
    src, dst = HOSTS[ver] if mode == "tunnel" else TRANSPORT_HOSTS[ver]
    ip_len = 20 if ver == 4 else 40

    def ip(tos=0, df=False, ext=False):
        if ver == 4:
            opts = [IPOption_Router_Alert()] if ext else []
            return IP(src=src, dst=dst, tos=tos, flags="DF" if df else 0, ttl=61, id=0,
                      options=opts)
        h = IPv6(src=src, dst=dst, tc=tos, hlim=61)
        return h / IPv6ExtHdrHopByHop(options=[RouterAlert()]) if ext else h

    def l4(kind, payload_len, k):
        body = bytes((k * 7 + j) & 0xFF for j in range(payload_len))
        if kind == "icmp":
            hdr = (ICMP(type=8, id=0x4303, seq=k) if ver == 4
                   else ICMPv6EchoRequest(id=0x4303, seq=k))
            return hdr / Raw(body), 8
        if kind == "udp":
            return UDP(sport=40000 + k, dport=33434) / Raw(body), 8
        return TCP(sport=40000 + k, dport=33434, flags="PA", seq=1000 * k, ack=1) / Raw(body), 20

    names = {"icmp": "icmp" if ver == 4 else "icmpv6", "udp": "udp", "tcp": "tcp"}

    def make(kind, total_payload, k, tos=0, df=False, ext=False):
        # total_payload: the ESP payload length (the whole packet in tunnel mode, the bytes
        # after the IP header(s) in transport mode, RFC 4303 §3.1.1).
        base = ip(tos, df, ext)
        hdr_len = len(base)
        _, l4_hdr = l4(kind, 0, k)
        body = total_payload - l4_hdr - (hdr_len if mode == "tunnel" else 0)
        pkt, _ = l4(kind, body, k)
        return Inner(bytes(base / pkt), names[kind], ext and ver == 6)

    out = []
    base_len = 100 if mode == "tunnel" else 60
    kinds = ["icmp", "udp", "tcp"]
    for k in range(16):
        tos = 0xB9 if k % 4 == 1 else (0x02 if k % 4 == 3 else 0)  # DSCP EF + ECT(1); ECT(0)
        out.append(make(kinds[k % 3], base_len + k, k, tos=tos, df=(k % 2 == 0)))
    # Smallest: a bare TCP header (or empty UDP datagram over IPv6).
    tiny_kind = "tcp" if ver == 4 else "udp"
    out.append(make(tiny_kind, (ip_len if mode == "tunnel" else 0) +
                    (20 if ver == 4 else 8), 16))
    out.append(make("udp", 1400 - (0 if mode == "tunnel" else ip_len), 17, df=True))
    out.append(make("udp", 77 + (ip_len if mode == "tunnel" else 0), 18, ext=True))
    residues = sorted((len(esp_payload(mode, p.data)[0]) + 2) % 16 for p in out[:16])
    assert residues == list(range(16)) and max(len(p.data) for p in out) == 1400
    return out


def stamp(data: bytes, ident: int) -> bytes:
    """Gives an inner packet a unique identity (IPv4 ID / IPv6 flow label) so every packet can
    be traced; neither field is covered by the TCP/UDP/ICMPv6 checksums."""
    b = bytearray(data)
    if b[0] >> 4 == 4:
        b[4:6] = struct.pack("!H", ident)
        ihl = (b[0] & 0xF) * 4
        b[10:12] = b"\0\0"
        b[10:12] = struct.pack("!H", (~csum(bytes(b[:ihl]))) & 0xFFFF)
    else:
        b[1] = (b[1] & 0xF0) | ((ident >> 16) & 0xF)
        b[2:4] = struct.pack("!H", ident & 0xFFFF)
    return bytes(b)


def eth(l3: bytes) -> bytes:
    return ETH + (b"\x08\x00" if l3[0] >> 4 == 4 else b"\x86\xdd") + l3


# ---------------------------------------------------------------------------------------------
# SA configurations.

@dataclass
class Config:
    idx: int
    spi: int
    cipher: Cipher
    integ: Integrity
    label: str
    mode: str
    outer: int
    inner: int
    natt: bool
    ckey: bytes
    akey: bytes
    seq_start: int = 0   # outbound: last number used; the first packet carries seq_start + 1
    esn: bool = False
    kind: str = "matrix"  # matrix, openssl, esn, neg, exhaust, hdr
    packets: list = field(default_factory=list)  # Inner (stamped)
    # Outer header options (tunnel mode): `crypto ipsec df-bit copy|set|clear`, DSCP copied or
    # zero, TTL / hop limit.
    df: str = "copy"
    copy_dscp: bool = True
    ttl: int = TTL

    @property
    def suite(self):
        return f"{self.cipher.name}/{self.integ.name}"

    @property
    def icv_len(self):
        return self.cipher.icv_len or self.integ.icv_len

    def sa_json(self, **extra):
        local, peer = GW[self.outer]
        j = {"spi": self.spi, "mode": self.mode, "cipher": self.cipher.name,
             "integrity": self.integ.name, "cipher_key": self.ckey.hex(),
             "auth_key": self.akey.hex(), "udp_encap": self.natt, "esn": self.esn,
             "seq": self.seq_start, "df": self.df, "copy_dscp": self.copy_dscp, "ttl": self.ttl}
        if self.mode == "tunnel":
            j["local"], j["peer"] = local, peer
        j.update(extra)
        return j

    def scapy_sa(self, ckey=None, akey=None, inbound_to_espgw=False):
        ckey = self.ckey if ckey is None else ckey
        akey = self.akey if akey is None else akey
        tunnel = None
        if self.mode == "tunnel":
            a, b = GW[self.outer]
            if inbound_to_espgw:
                a, b = b, a
            tunnel = IP(src=a, dst=b) if self.outer == 4 else IPv6(src=a, dst=b)
        return SecurityAssociation(
            ESP, spi=self.spi,  # the sequence number is set per packet (scapy_encrypt)
            crypt_algo=self.cipher.scapy, crypt_key=ckey or None,
            auth_algo=self.integ.scapy, auth_key=akey or None, tunnel_header=tunnel,
            nat_t_header=UDP(sport=NATT_PORT, dport=NATT_PORT) if self.natt else None)

    def uat(self, ckey=None, akey=None):
        ckey = self.ckey if ckey is None else ckey
        akey = self.akey if akey is None else akey
        proto = "IPv4" if self.outer == 4 else "IPv6"
        ck = "0x" + ckey.hex() if ckey else ""
        ak = "0x" + akey.hex() if akey else ""
        return (f'uat:esp_sa:"{proto}","*","*","0x{self.spi:08x}","{self.cipher.tshark}",'
                f'"{ck}","{self.integ.tshark}","{ak}"')


def flip(key: bytes) -> bytes:
    """One flipped bit in the middle of the key (not the salt, not a DES parity bit)."""
    b = bytearray(key)
    b[len(b) // 4] ^= 0x10
    return bytes(b)


# ---------------------------------------------------------------------------------------------
# Parsing ESP packets emitted by espgw, with checks of everything outside the ESP payload.

class Fail(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise Fail(msg)


def expected_outer(cfg: Config, orig: bytes):
    """(TOS / traffic class, DF) the outer header must carry for inner packet `orig`.
    RFC 4301 §5.1.2.1: DSCP copied from the inner header, or zero when copying is off; ECN is
    copied with it (RFC 6040 §4.1 normal mode) and zero (Not-ECT, RFC 6040 §4.1 compatibility
    mode) when it is not. DF (IPv4 outer only, §8.1): set, clear, or copied from an IPv4 inner
    header (an IPv6 inner packet has no DF: clear)."""
    inner_v4 = orig[0] >> 4 == 4
    tos = (orig[1] if inner_v4 else ipv6_tc(orig)) if cfg.copy_dscp else 0
    df = {"set": True, "clear": False}.get(cfg.df, inner_v4 and bool(orig[6] & 0x40))
    return tos, df


def ipv4_checksum(h: bytes) -> int:
    """The RFC 1071 header checksum computed from scratch (checksum field taken as zero)."""
    return (~csum(h[:10] + b"\0\0" + h[12:])) & 0xFFFF


def check_outer_tunnel(cfg: Config, l3: bytes, orig: bytes, proto: int) -> int:
    """Every field of the outer header espgw built in tunnel mode; returns its length."""
    src, dst = GW[cfg.outer]
    tos, df = expected_outer(cfg, orig)
    if cfg.outer == 4:
        expect(l3[0] == 0x45, "outer IPv4 version/IHL")
        expect(struct.unpack("!H", l3[10:12])[0] == ipv4_checksum(l3[:20]),
               f"outer IPv4 checksum {l3[10:12].hex()}, expected {ipv4_checksum(l3[:20]):04x}")
        expect(struct.unpack("!H", l3[2:4])[0] == len(l3), "outer IPv4 total length")
        expect(l3[9] == proto, "outer protocol")
        expect(l3[8] == cfg.ttl, f"outer TTL {l3[8]}, expected {cfg.ttl}")
        expect(l3[12:20] == socket.inet_pton(socket.AF_INET, src) +
               socket.inet_pton(socket.AF_INET, dst), "outer addresses")
        expect(l3[1] == tos, f"outer TOS {l3[1]:#x}, expected {tos:#x} (df={cfg.df} "
                             f"copy_dscp={cfg.copy_dscp})")
        flags = struct.unpack("!H", l3[6:8])[0]
        expect(bool(flags & 0x4000) == df and (flags & 0xBFFF) == 0,
               f"outer flags/fragment {flags:#06x}, DF expected {df} (df={cfg.df})")
        return 20
    expect(struct.unpack("!H", l3[4:6])[0] == len(l3) - 40, "outer IPv6 payload len")
    expect(l3[6] == proto, "outer next header")
    expect(l3[7] == cfg.ttl, f"outer hop limit {l3[7]}, expected {cfg.ttl}")
    expect(l3[8:40] == socket.inet_pton(socket.AF_INET6, src) +
           socket.inet_pton(socket.AF_INET6, dst), "outer addresses")
    expect(l3[0] >> 4 == 6 and ipv6_tc(l3) == tos,
           f"outer traffic class {ipv6_tc(l3):#x}, expected {tos:#x}")
    expect(l3[1] & 0x0F == 0 and l3[2:4] == b"\0\0", "outer flow label not zero")
    return 40


def split_esp(cfg: Config, frame: bytes, orig: bytes):
    """Checks the L2/L3/UDP headers espgw wrote and returns (l3, esp_offset)."""
    expect(frame[:12] == ETH, "Ethernet addresses not preserved")
    l3 = frame[14:]
    ver = l3[0] >> 4
    expect(frame[12:14] == (b"\x08\x00" if ver == 4 else b"\x86\xdd"), "wrong ethertype")
    expect(ver == cfg.outer, f"outer IP version {ver}")
    proto = 17 if cfg.natt else 50
    if cfg.mode == "tunnel":
        off = check_outer_tunnel(cfg, l3, orig, proto)
    else:
        # Transport (RFC 4303 §3.1.1): the original header, only length/protocol/checksum
        # changed; ESP after the IPv4 options or the IPv6 hop-by-hop header.
        if ver == 4:
            ihl = (orig[0] & 0xF) * 4
            expect(ipv4_header_ok(l3[:ihl]), "IPv4 header checksum")
            expect(struct.unpack("!H", l3[2:4])[0] == len(l3), "IPv4 total length")
            expect(l3[0:2] == orig[0:2] and l3[4:9] == orig[4:9] and l3[12:ihl] == orig[12:ihl],
                   "IPv4 header fields changed")
            expect(l3[9] == proto, "IPv4 protocol")
            off = ihl
        else:
            expect(struct.unpack("!H", l3[4:6])[0] == len(l3) - 40, "IPv6 payload length")
            off, nh_at = 40, 6
            if orig[6] == 0:  # hop-by-hop stays in front of ESP
                nh_at, off = 40, 40 + (orig[41] + 1) * 8
                expect(l3[6] == 0 and l3[42:off] == orig[42:off], "hop-by-hop header changed")
            expect(l3[nh_at] == proto, "IPv6 next header")
            expect(l3[:4] == orig[:4] and l3[7:40] == orig[7:40], "IPv6 header fields changed")
    if cfg.natt:
        udp = l3[off:]
        sport, dport, ulen, uck = struct.unpack("!HHHH", udp[:8])
        expect(sport == NATT_PORT and dport == NATT_PORT, "UDP ports")
        expect(ulen == len(udp), "UDP length")
        if ver == 4:
            expect(uck == 0, "UDP checksum over IPv4 should be zero (RFC 3948 §2.1)")
        else:
            expect(udp6_checksum_ok(l3, udp), "UDP checksum over IPv6 (RFC 8200 §8.1)")
        off += 8
    return l3, off


def strip_udp(l3: bytes, esp_off: int):
    """IP/UDP/ESP -> IP/ESP for scapy: its transport-mode decrypt rewrites the next-header of
    the layer under ESP, which is UDP here (scapy 2.5)."""
    b = bytearray(l3[:esp_off - 8] + l3[esp_off:])
    if b[0] >> 4 == 4:
        ihl = (b[0] & 0xF) * 4
        b[9] = 50
        b[2:4] = struct.pack("!H", len(b))
        b[10:12] = b"\0\0"
        b[10:12] = struct.pack("!H", (~csum(bytes(b[:ihl]))) & 0xFFFF)
    else:
        nh_at = 6 if esp_off - 8 == 40 else 40  # no ext header, or the hop-by-hop one
        b[nh_at] = 50
        b[4:6] = struct.pack("!H", len(b) - 40)
    return bytes(b), esp_off - 8


def scapy_decrypt(sa, l3: bytes, verify=True, esn_hi=None):
    pkt = IP(l3) if l3[0] >> 4 == 4 else IPv6(l3)
    if esn_hi is None:
        return bytes(sa.decrypt(pkt, verify=verify))
    return bytes(sa.decrypt(pkt, verify=verify, esn_en=True, esn=esn_hi))


def hmac_icv(integ: Integrity, key: bytes, esp_without_icv: bytes, seq_hi=None) -> bytes:
    # RFC 4303 §2.2.1 / §3.3.2.1: with ESN the high-order 32 bits are appended (not sent).
    data = esp_without_icv + (struct.pack("!I", seq_hi) if seq_hi is not None else b"")
    return hmac.new(key, data, integ.digest).digest()[:integ.icv_len]


def check_encap_output(cfg: Config, frames, ckey=None, akey=None):
    """S: every packet espgw emitted for cfg decrypts in scapy to the original inner packet.
    ckey/akey replace the SA's keys (negative controls)."""
    expect(len(frames) == len(cfg.packets),
           f"espgw emitted {len(frames)} packets, expected {len(cfg.packets)}")
    sa = cfg.scapy_sa(ckey, akey)
    akey = cfg.akey if akey is None else akey
    ivs = set()
    for k, (frame, inner) in enumerate(zip(frames, cfg.packets)):
        orig = inner.data
        l3, esp_off = split_esp(cfg, frame, orig)
        spi, seq_lo = struct.unpack("!II", l3[esp_off:esp_off + 8])
        seq = cfg.seq_start + k + 1
        expect(spi == cfg.spi, f"SPI {spi:#x}")
        # RFC 4303 §3.3.3: the first packet of an SA carries 1 (here: "seq" + 1), then +1.
        expect(seq_lo == seq & 0xFFFFFFFF, f"packet {k}: sequence {seq_lo}, expected {seq}")
        ivs.add(l3[esp_off + 8:esp_off + 8 + cfg.cipher.iv_len])
        esp_len = len(l3) - esp_off
        expect((esp_len - 8 - cfg.cipher.iv_len - cfg.icv_len) % cfg.cipher.align == 0,
               "ESP payload not aligned (RFC 4303 §2.4)")
        if cfg.natt:
            l3, esp_off = strip_udp(l3, esp_off)
        hi = seq >> 32
        try:
            if cfg.esn and cfg.integ.icv_len:
                # scapy 2.5 leaves the ESN high bits out of HMAC ICVs: verify here (RFC 4303
                # §2.2.1: ICV over ESP || seq_hi), then let scapy decrypt without verifying.
                esp = l3[esp_off:]
                icv = esp[-cfg.integ.icv_len:]
                expect(icv == hmac_icv(cfg.integ, akey, esp[:-len(icv)], hi),
                       f"packet {k} (seq {seq:#x}): ESN HMAC ICV mismatch")
                expect(icv != hmac_icv(cfg.integ, akey, esp[:-len(icv)]),
                       f"packet {k}: ICV leaves out the ESN high bits")
                got = scapy_decrypt(sa, l3, verify=False)
            elif cfg.esn and cfg.cipher.icv_len:
                # RFC 4106 §5: AAD = SPI || seq_hi || seq_lo; without seq_hi it must not verify.
                got = scapy_decrypt(sa, l3, esn_hi=hi)
                try:
                    scapy_decrypt(sa, l3)
                except IPSecIntegrityError:
                    pass
                else:
                    raise Fail(f"packet {k}: GCM tag verifies without the ESN high bits")
            else:
                got = scapy_decrypt(sa, l3)
        except Fail:
            raise
        except IPSecIntegrityError as e:
            raise Fail(f"packet {k}: scapy integrity error {str(e)[:50]}")
        except Exception as e:  # garbage plaintext (wrong key, no ICV) can break scapy parsing
            raise Fail(f"packet {k}: scapy cannot decrypt: {type(e).__name__}")
        expect(got == orig, f"packet {k}: decrypted inner packet differs "
                            f"(len {len(got)} vs {len(orig)})")
    if cfg.cipher.iv_len:
        # RFC 3602 §3 (CBC: unpredictable), RFC 3686 §3 / RFC 4106 §3.1 (never repeated).
        expect(len(ivs) == len(frames), "IV repeated within an SA")


# ---------------------------------------------------------------------------------------------
# scapy as the sender (D).

def scapy_encrypt(cfg: Config, sa, inner: bytes, seq: int, ckey=None, akey=None,
                  scapy_esn_icv=False) -> bytes:
    """ESP for espgw to decapsulate. With ESN and HMAC the ICV is computed here (scapy 2.5 leaves
    the high bits out, RFC 4303 §2.2.1 puts them in) unless scapy_esn_icv asks for scapy's."""
    pkt = IP(inner) if inner[0] >> 4 == 4 else IPv6(inner)
    lo, hi = seq & 0xFFFFFFFF, seq >> 32
    # scapy uses "seq_num or self.seq_num" and "esn or self.esn": 0 would be replaced, so set
    # the SA fields rather than passing the numbers.
    sa.seq_num, sa.esn, sa.esn_en = lo, hi, cfg.esn
    own_icv = cfg.esn and cfg.integ.icv_len and not scapy_esn_icv
    if own_icv:
        auth = sa.auth_algo
        sa.auth_algo = SecurityAssociation(ESP, spi=0).auth_algo  # NULL: sign below
    out = sa.encrypt(pkt)
    if own_icv:
        sa.auth_algo = auth
        out[ESP].data += hmac_icv(cfg.integ, akey or cfg.akey, bytes(out[ESP]), hi)
    if cfg.natt:
        # scapy 2.5 freezes the UDP length at 8 (IPv4) and sets a zero checksum over IPv6; it
        # also leaves next header 50 in an IPv6 extension header in front of the UDP header.
        u = out[UDP]
        under = u.underlayer
        if isinstance(under, IP):
            under.proto = 17
        else:
            under.nh = 17
        del u.len
        if out.version == 4:
            u.chksum = 0  # RFC 3948 §2.1
        else:
            del u.chksum
    if out.version == 4:
        del out.len
        del out.chksum
    else:
        del out.plen
    return bytes(out)


# ---------------------------------------------------------------------------------------------
# tshark (T).

TSHARK_FIELDS = ["frame.number", "esp.spi", "esp.sequence", "esp.icv_good", "esp.icv_bad",
                 "esp.decrypted_data", "frame.protocols", "ip.checksum.status",
                 "udp.checksum.status"]


CHILDREN = []  # tshark runs in the background; main() stops it if the checks raise


def start_tshark(pcap, uats, out_path):
    # Every -o uat:esp_sa:... adds one record (checked: tshark 4.0 keeps all of them).
    args = ["tshark", "-n", "-r", pcap, "-o", "esp.enable_encryption_decode:TRUE",
            "-o", "esp.enable_authentication_check:TRUE", "-o", "ip.check_checksum:TRUE",
            "-o", "udp.check_checksum:TRUE", "-T", "fields", "-E", "occurrence=a",
            "-E", "separator=/t"]
    for u in uats:
        args += ["-o", u]
    for f in TSHARK_FIELDS:
        args += ["-e", f]
    out = open(out_path, "w")
    proc = subprocess.Popen(args, stdout=out, stderr=subprocess.PIPE, text=True)
    CHILDREN.append(proc)
    return proc, out


def read_tshark(out_path):
    rows = []
    with open(out_path) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            rows.append(dict(zip(TSHARK_FIELDS, cols + [""] * (len(TSHARK_FIELDS) - len(cols)))))
    return rows


def expected_plaintext(cfg: Config, orig: bytes) -> bytes:
    """RFC 4303 §2.4: payload || 1, 2, 3, ... || pad length || next header, minimal padding."""
    payload, nh = esp_payload(cfg.mode, orig)
    pad = -(len(payload) + 2) % cfg.cipher.align
    return payload + bytes(range(1, pad + 1)) + bytes([pad, nh])


def tshark_protocols(cfg: Config, inner: Inner) -> str:
    """frame.protocols tshark must show once it decrypted the packet."""
    def name(v):
        return "ip" if v == 4 else "ipv6"
    s = f"eth:ethertype:{name(cfg.outer)}:"
    if cfg.mode == "transport" and inner.hbh:
        s += "ipv6.hopopts:"
    s += ("udp:udpencap:" if cfg.natt else "") + "esp:"
    if cfg.mode == "tunnel":
        s += name(cfg.inner) + ":" + ("ipv6.hopopts:" if inner.hbh else "")
    return s + inner.l4


def check_tshark_row(cfg: Config, row, k: int):
    inner = cfg.packets[k]
    seq = cfg.seq_start + k + 1
    expect(row["esp.spi"] == f"0x{cfg.spi:08x}", f"tshark SPI {row['esp.spi']}")
    expect(row["esp.sequence"] == str(seq), f"tshark sequence {row['esp.sequence']}")
    if cfg.icv_len:
        expect(row["esp.icv_good"] == "1" and row["esp.icv_bad"] == "0",
               f"tshark ICV good={row['esp.icv_good']} bad={row['esp.icv_bad']}")
    expect(row["esp.decrypted_data"] == expected_plaintext(cfg, inner.data).hex(),
           "tshark decrypted data differs from inner || padding || trailer")
    protos = tshark_protocols(cfg, inner)
    expect(row["frame.protocols"].startswith(protos),
           f"tshark dissection {row['frame.protocols']}, expected {protos}")
    # Bad checksums (outer and inner IPv4 headers, IPv6 NAT-T UDP, inner UDP) show as 0.
    for f in ("ip.checksum.status", "udp.checksum.status"):
        expect("0" not in row[f].split(","), f"tshark {f} = {row[f]}")


def neg_keys(cfg: Config):
    """Keys for a negative control: a flipped integrity-key bit where HMAC protects the packet,
    else a flipped cipher-key bit (GCM: the tag fails; no ICV: the plaintext is garbage)."""
    if cfg.integ.icv_len:
        return cfg.ckey, flip(cfg.akey)
    return flip(cfg.ckey), cfg.akey


# ---------------------------------------------------------------------------------------------
# The run.

CELL_CHECKS = {"S": "scapy decrypts+verifies espgw ESP (per SA)",
               "T": "tshark decrypts+verifies espgw ESP (per packet)",
               "D": "espgw ipsec-mb decaps scapy ESP (per SA)",
               "O": "OpenSSL backend: tshark on its ESP, decap of scapy ESP"}


class Harness:
    def __init__(self, tmp):
        self.tmp = tmp
        self.rng = random.Random(4303)  # fixed: a failure reproduces with the same keys
        self.cases = []                 # the espgw-esp-pcap batch
        self.templates = {}
        self.cell = {}                  # (suite, label, natt) -> {letter: ok}
        self.failures = []
        self.checks = 0
        self.tally = {}                 # check group -> [passed, total]
        self.n_configs = 0

    def config(self, spi, c, i, label, natt, kind, npkts=None, **kw):
        _, mode, outer, inner = next(m for m in MODES if m[0] == label)
        cfg = Config(self.n_configs, spi, c, i, label, mode, outer, inner, natt,
                     self.rng.randbytes(c.key_len + c.salt_len),
                     self.rng.randbytes(i.key_len), kind=kind, **kw)
        self.n_configs += 1
        tpl = self.templates.setdefault((inner, mode), build_templates(inner, mode))
        sel = tpl if npkts is None else [tpl[(cfg.idx + k) % len(tpl)] for k in range(npkts)]
        cfg.packets = [Inner(stamp(p.data, cfg.idx * 32 + k), p.l4, p.hbh)
                       for k, p in enumerate(sel)]
        if kind == "matrix":
            self.cell[(cfg.suite, label, natt)] = {}
        return cfg

    def path(self, name):
        return os.path.join(self.tmp, name)

    def case(self, dir, inp, out, sas, backend="ipsec-mb"):
        self.cases.append({"dir": dir, "in": self.path(inp), "out": self.path(out),
                           "backend": backend, "sas": sas})
        return len(self.cases) - 1

    def record(self, cfg, what, ok, msg):
        """One check. `what` is a cell letter for an SA (matrix and OpenSSL-matrix SAs mark
        their table cell; ESN SAs count apart), or the name of a check group."""
        self.checks += 1
        group = what
        if cfg is not None and cfg.kind in ("matrix", "openssl"):
            cell = self.cell[(cfg.suite, cfg.label, cfg.natt)]
            cell[what] = cell.get(what, True) and ok
            group = f"matrix {what}: {CELL_CHECKS[what]}"
        elif cfg is not None:
            desc = "espgw OpenSSL decaps scapy ESP (per SA)" if what == "O" else CELL_CHECKS[what]
            group = f"{cfg.kind} {what}: {desc}"
        t = self.tally.setdefault(group, [0, 0])
        t[0] += bool(ok)
        t[1] += 1
        if not ok:
            self.failures.append(msg)


def check_bad_backend(h, tool):
    """A misspelt backend name is refused, not silently replaced by intel-ipsec-mb."""
    write_pcap(h.path("bad_backend.pcap"), [])
    case = {"dir": "encap", "in": h.path("bad_backend.pcap"), "out": h.path("bad_out.pcap"),
            "backend": "OpenSSL", "sas": [{"spi": 0x6000, "cipher": "aes128gcm",
                                          "cipher_key": "00" * 20, "local": GW[4][0],
                                          "peer": GW[4][1]}]}
    with open(h.path("bad_backend.json"), "w") as f:
        json.dump([case], f)
    proc = subprocess.run([tool, "--batch", h.path("bad_backend.json")], capture_output=True,
                          text=True, timeout=120)
    h.record(None, "harness: unknown backend name refused",
             proc.returncode == 1 and "bad value for backend: OpenSSL" in proc.stderr,
             f"backend OpenSSL: exit {proc.returncode}, stderr {proc.stderr[-200:]!r}")


def run(tool, tmp):
    t0 = time.monotonic()
    h = Harness(tmp)
    timing = {}

    # The matrix: every suite x mode x NAT-T, 19 packets each; half the SAs start at a
    # non-zero sequence number ("seq" = last number used).
    matrix = []
    for si, (c, i) in enumerate(SUITES):
        for mi, m in enumerate(MODES):
            for natt in (False, True):
                start = 0 if (si + mi + natt) % 2 == 0 else 1000 * (si + 1)
                matrix.append(h.config(0x1000 + len(matrix), c, i, m[0], natt, "matrix",
                                       seq_start=start))
    # The same SAs and packets through the OpenSSL backend (other SPIs for tshark's UAT).
    ossl = [dataclasses.replace(cfg, spi=cfg.spi + 0x8000, kind="openssl") for cfg in matrix]
    # ESN across 2^32, one SA per suite, mode and NAT-T rotating (RFC 4303 §2.2.1, App. A).
    esn = [h.config(0x20000 + si, c, i, MODES[si % 6][0], bool(si // 6 % 2), "esn",
                    npkts=ESN_PACKETS, seq_start=ESN_START - 1, esn=True)
           for si, (c, i) in enumerate(SUITES)]
    # Negative controls: one SA per suite; its checkers get a key with one bit flipped.
    neg = [h.config(0x30000 + si, c, i, MODES[si % 6][0], bool(si % 2), "neg", npkts=2)
           for si, (c, i) in enumerate(SUITES)]
    # Outer header options (RFC 4301 §5.1.2.1, §8.1): DF set / clear / copied, DSCP copied or
    # zero, TTL other than 64, for each tunnel mode (IPv4/IPv6 inner and outer); the inner
    # packets alternate DF and carry DSCP EF + ECT(1), ECT(0) and 0.
    hdr_opts = [("set", True, 64), ("clear", True, 64), ("set", False, 17), ("clear", False, 255),
                ("copy", False, 1), ("copy", True, 200)]
    hdr = []
    for oi, (df, dscp, ttl) in enumerate(hdr_opts):
        for mi, m in enumerate(MODES[:4]):
            c, i = SUITES[(oi * 4 + mi) * 7 % len(SUITES)]
            cfg = h.config(0x50000 + len(hdr), c, i, m[0], bool(mi % 2), "hdr")
            cfg.df, cfg.copy_dscp, cfg.ttl = df, dscp, ttl
            hdr.append(cfg)
    # Sequence-number exhaustion without ESN (RFC 4303 §3.3.3): 2 sent, 3 refused.
    exhaust = h.config(0x40000, *SUITES[0], "4in4", False, "exhaust", npkts=5,
                       seq_start=2**32 - 3)

    # Inner packets, and espgw encap cases (one per SA: encap uses the case's first SA).
    enc, enc_ossl = {}, {}
    for cfg in matrix + esn + neg + hdr + [exhaust]:
        write_pcap(h.path(f"in{cfg.idx}.pcap"), [eth(p.data) for p in cfg.packets])
        enc[cfg.idx] = h.case("encap", f"in{cfg.idx}.pcap", f"enc{cfg.idx}.pcap",
                              [cfg.sa_json()])
    for cfg in ossl:
        enc_ossl[cfg.idx] = h.case("encap", f"in{cfg.idx}.pcap", f"ossl{cfg.idx}.pcap",
                                   [cfg.sa_json()], backend="openssl")

    # scapy as the sender: the matrix and the ESN SAs; wrong keys for the negative SAs;
    # scapy's own ESN+HMAC ICVs (without the high bits), which espgw must refuse.
    t = time.monotonic()
    dec_in = []
    for cfg in matrix + esn:
        sa = cfg.scapy_sa(inbound_to_espgw=True)
        dec_in += [eth(scapy_encrypt(cfg, sa, p.data, cfg.seq_start + k + 1))
                   for k, p in enumerate(cfg.packets)]
    neg_in = []
    for cfg in neg:
        ck, ak = neg_keys(cfg)
        sa = cfg.scapy_sa(ck, ak, inbound_to_espgw=True)
        neg_in += [eth(scapy_encrypt(cfg, sa, p.data, k + 1, akey=ak))
                   for k, p in enumerate(cfg.packets)]
    esn_hmac = [cfg for cfg in esn if cfg.integ.icv_len]
    scapy_esn_in = []
    for cfg in esn_hmac:
        sa = cfg.scapy_sa(inbound_to_espgw=True)
        scapy_esn_in += [eth(scapy_encrypt(cfg, sa, p.data, cfg.seq_start + k + 1,
                                           scapy_esn_icv=True))
                         for k, p in enumerate(cfg.packets)]
    write_pcap(h.path("dec_in.pcap"), dec_in)
    write_pcap(h.path("neg_in.pcap"), neg_in)
    write_pcap(h.path("scapy_esn_in.pcap"), scapy_esn_in)
    timing["scapy encrypt"] = time.monotonic() - t

    # Decap cases: all SAs in one case, looked up by SPI, for each backend.
    inbound = [cfg.sa_json() for cfg in matrix] + \
              [cfg.sa_json(replay_top=ESN_START - 1) for cfg in esn]
    dec = {b: h.case("decap", "dec_in.pcap", f"dec_out_{b}.pcap", inbound, backend=b)
           for b in ("ipsec-mb", "openssl")}
    neg_dec = h.case("decap", "neg_in.pcap", "neg_out.pcap", [cfg.sa_json() for cfg in neg])
    scapy_esn_dec = h.case("decap", "scapy_esn_in.pcap", "scapy_esn_out.pcap",
                           [cfg.sa_json(replay_top=ESN_START - 1) for cfg in esn_hmac])
    # espgw -> espgw across 2^32: the encap output of each ESN SA (written by an earlier case
    # of the same batch) into an inbound SA that has already seen ESN_START - 1.
    chain = {cfg.idx: h.case("decap", f"enc{cfg.idx}.pcap", f"chain{cfg.idx}.pcap",
                             [cfg.sa_json(replay_top=ESN_START - 1)]) for cfg in esn}

    with open(h.path("batch.json"), "w") as f:
        json.dump(h.cases, f)
    t = time.monotonic()
    proc = subprocess.run([tool, "--batch", h.path("batch.json")], capture_output=True,
                          text=True, timeout=600)
    timing["espgw (one run, %d cases)" % len(h.cases)] = time.monotonic() - t
    check_bad_backend(h, tool)
    if proc.returncode != 0:
        print(proc.stderr[-2000:])
        h.record(None, "harness", False, f"espgw-esp-pcap exit status {proc.returncode}")
        return h, timing
    res = json.loads(proc.stdout)
    for r in res:
        h.record(None, "harness: no mbuf leak", r["mbufs_in_use"] == 0,
                 f"case {r['case']}: {r['mbufs_in_use']} mbufs leaked")

    # T: one tshark run over all non-ESN espgw ESP (tshark 4.0 has no ESN), started now so it
    # runs on the other core while scapy works.
    t = time.monotonic()
    frames, expect_rows = [], []
    for cfg in matrix + ossl + neg + hdr:
        name = "ossl" if cfg.kind == "openssl" else "enc"
        for k, fr in enumerate(read_pcap(h.path(f"{name}{cfg.idx}.pcap"))):
            frames.append(fr)
            expect_rows.append((cfg, k))
    write_pcap(h.path("tshark.pcap"), frames)
    uats = [cfg.uat() for cfg in matrix + ossl + hdr] + \
        [cfg.uat(*neg_keys(cfg)) for cfg in neg]
    tshark, tshark_out = start_tshark(h.path("tshark.pcap"), uats, h.path("tshark.txt"))

    # S: scapy decrypts and verifies espgw's ESP.
    for cfg in matrix + esn + hdr:
        r = res[enc[cfg.idx]]
        try:
            expect(r["rx"] == r["tx"] == len(cfg.packets) and not r["drops"],
                   f"espgw encap rx {r['rx']} tx {r['tx']} drops {r['drops']}")
            expect(r["sas"][0]["seq"] == cfg.seq_start + len(cfg.packets), "SA seq counter")
            check_encap_output(cfg, read_pcap(h.path(f"enc{cfg.idx}.pcap")))
            h.record(cfg, "S", True, "")
        except Fail as e:
            h.record(cfg, "S", False, f"S {cfg.suite} {cfg.label} natt={cfg.natt} "
                                      f"esn={cfg.esn} spi={cfg.spi:#x}: {e}")

    # Negative control for S: with one flipped key bit every packet must fail the check, and
    # with the right key the same packets pass (the failure is about the key).
    for cfg in neg:
        fr = read_pcap(h.path(f"enc{cfg.idx}.pcap"))
        caught = 0
        for k in range(len(fr)):
            one = dataclasses.replace(cfg, packets=[cfg.packets[k]], seq_start=k)
            try:
                check_encap_output(one, [fr[k]], *neg_keys(cfg))
            except Fail:
                caught += 1
        h.record(None, "negative: scapy rejects a flipped key", caught == len(fr) == 2,
                 f"NEG-S {cfg.suite}: scapy accepted {len(fr) - caught} packets with a wrong key")
        try:
            check_encap_output(cfg, fr)
            h.record(None, "negative: scapy rejects a flipped key", True, "")
        except Fail as e:
            h.record(None, "negative: scapy rejects a flipped key", False,
                     f"NEG-S {cfg.suite} control with the right key: {e}")

    # Sequence-number exhaustion.
    r = res[enc[exhaust.idx]]
    seqs = [struct.unpack("!I", fr[38:42])[0] for fr in read_pcap(h.path(f"enc{exhaust.idx}.pcap"))]
    h.record(None, "sequence exhaustion without ESN",
             r["tx"] == 2 and seqs == [2**32 - 2, 2**32 - 1]
             and r["drops"] == {"seq_exhausted": 3}
             and [e["type"] for e in r["events"]] == ["seq_exhausted"],
             f"SEQ exhaustion: tx {r['tx']} seqs {seqs} drops {r['drops']} events {r['events']}")

    # D: espgw decapsulates scapy's ESP, both backends, byte-identical and in order.
    want = [p.data for cfg in matrix + esn for p in cfg.packets]
    for backend, cno in dec.items():
        r = res[cno]
        frames_out = read_pcap(h.path(f"dec_out_{backend}.pcap"))
        out = [fr[14:] for fr in frames_out]
        got = set(out)
        stats = {s["spi"]: s for s in r["sas"]}
        letter = "D" if backend == "ipsec-mb" else "O"
        for cfg in matrix + esn:
            s, n = stats[cfg.spi], len(cfg.packets)
            missing = [k for k, p in enumerate(cfg.packets) if p.data not in got]
            h.record(cfg, letter, s["packets"] == n and not s["drops"] and not missing
                     and s["replay_top"] == cfg.seq_start + n,
                     f"D[{backend}] {cfg.suite} {cfg.label} natt={cfg.natt} esn={cfg.esn} "
                     f"spi={cfg.spi:#x}: packets {s['packets']}/{n} drops {s['drops']} "
                     f"replay_top {s['replay_top']:#x} missing {missing}")
        h.record(None, "D: whole decap output in order",
                 r["rx"] == r["tx"] == len(want) and not r["drops"] and out == want,
                 f"D[{backend}] rx {r['rx']} tx {r['tx']} drops {r['drops']} "
                 f"identical-in-order {out == want}")
        h.record(None, "D: L2 header restored on decap output",
                 all(fr[12:14] == (b"\x08\x00" if fr[14] >> 4 == 4 else b"\x86\xdd")
                     and fr[:12] == ETH for fr in frames_out),
                 f"D[{backend}] L2 header not restored")

    # Negative control for D: ESP made with a wrong key never comes out as the original.
    r = res[neg_dec]
    out = set(fr[14:] for fr in read_pcap(h.path("neg_out.pcap")))
    stats = {s["spi"]: s for s in r["sas"]}
    for cfg in neg:
        s = stats[cfg.spi]
        leaked = [k for k, p in enumerate(cfg.packets) if p.data in out]
        ok = (s["drops"] == {"icv_mismatch": 2} and s["packets"] == 0) if cfg.icv_len else \
            s["packets"] + sum(s["drops"].values()) == 2
        h.record(None, "negative: espgw drops wrong-key ESP", ok and not leaked,
                 f"NEG-D {cfg.suite}: wrong-key ESP gave packets {s['packets']} "
                 f"drops {s['drops']} identical {leaked}")
    r = res[scapy_esn_dec]
    h.record(None, "negative: espgw drops scapy's ESN ICV (no seq_hi)",
             r["tx"] == 0 and r["drops"] == {"icv_mismatch": len(scapy_esn_in)},
             f"NEG-E scapy ESN ICV without seq_hi: tx {r['tx']} drops {r['drops']}")

    # espgw -> espgw across 2^32.
    for cfg in esn:
        r = res[chain[cfg.idx]]
        out = [fr[14:] for fr in read_pcap(h.path(f"chain{cfg.idx}.pcap"))]
        same = out == [p.data for p in cfg.packets]
        h.record(None, "ESN: espgw -> espgw across 2^32", same and not r["drops"]
                 and r["sas"][0]["replay_top"] == cfg.seq_start + ESN_PACKETS,
                 f"ESN chain {cfg.suite} {cfg.label}: identical {same} drops {r['drops']} "
                 f"top {r['sas'][0]['replay_top']:#x}")
    timing["scapy decrypt + checks"] = time.monotonic() - t

    _, err = tshark.communicate(timeout=600)
    tshark_out.close()
    h.record(None, "T: tshark run", tshark.returncode == 0,
             f"tshark exit {tshark.returncode}: {err[-300:]}")
    timing["tshark (parallel, %d packets, %d SAs)" % (len(frames), len(uats))] = \
        time.monotonic() - t
    rows = read_tshark(h.path("tshark.txt"))
    h.record(None, "T: tshark run", len(rows) == len(expect_rows),
             f"tshark printed {len(rows)} rows for {len(expect_rows)} packets")
    neg_caught = {}
    for row, (cfg, k) in zip(rows, expect_rows):
        if cfg.kind == "neg":
            # Flipped key: icv_bad for ICV suites, otherwise not the original plaintext.
            if cfg.icv_len:
                bad = row["esp.icv_bad"] == "1" and row["esp.icv_good"] == "0"
            else:
                bad = row["esp.decrypted_data"] != \
                    expected_plaintext(cfg, cfg.packets[k].data).hex()
            neg_caught[cfg.idx] = neg_caught.get(cfg.idx, 0) + bad
            continue
        try:
            check_tshark_row(cfg, row, k)
            ok, msg = True, ""
        except Fail as e:
            ok, msg = False, str(e)
        h.record(cfg, "O" if cfg.kind == "openssl" else "T", ok,
                 f"T[{cfg.kind}] {cfg.suite} {cfg.label} natt={cfg.natt} pkt {k}: {msg}")
    for cfg in neg:
        h.record(None, "negative: tshark icv_bad / wrong plaintext",
                 neg_caught.get(cfg.idx, 0) == 2,
                 f"NEG-T {cfg.suite}: tshark accepted a wrong key "
                 f"({2 - neg_caught.get(cfg.idx, 0)} of 2 packets)")
    timing["total"] = time.monotonic() - t0
    return h, timing


def report(h: Harness, timing):
    labels = [m[0] for m in MODES]
    print("suite x mode x NAT-T, cell = plain|natt: ok when S (scapy decrypts espgw ESP), "
          "T (tshark does), D (espgw decaps scapy ESP) and O (OpenSSL backend: tshark + decap) "
          "all pass, else the failing letters")
    print(f"{'suite':17}" + "".join(f"{lab:^12}" for lab in labels))
    for c, i in SUITES:
        suite = f"{c.name}/{i.name}"
        cells = []
        for lab in labels:
            pair = []
            for natt in (False, True):
                res = h.cell[(suite, lab, natt)]
                bad = "".join(k for k in "STDO" if not res.get(k, False))
                pair.append(bad or "ok")
            cells.append(f"{pair[0]:>5}|{pair[1]:<5}")
        print(f"{suite:17}" + " ".join(cells))
    print("\nchecks by group (passed/total):")
    for group, (passed, total) in sorted(h.tally.items()):
        print(f"  {group:62} {passed:6}/{total:<6} {'ok' if passed == total else 'FAIL'}")
    good = sum(1 for v in h.cell.values() if all(v.get(k) for k in "STDO"))
    print(f"{good}/{len(h.cell)} matrix cells pass; {h.checks} checks; "
          f"{len(h.failures)} failures")
    print("timing: " + ", ".join(f"{k} {v:.1f}s" for k, v in timing.items()))
    for f in h.failures[:40]:
        print("FAIL", f)
    if len(h.failures) > 40:
        print(f"... and {len(h.failures) - 40} more")


def main():
    if len(sys.argv) not in (2, 4) or (len(sys.argv) == 4 and sys.argv[2] != "--keep"):
        print("usage: esp_interop.py ESPGW_ESP_PCAP [--keep DIR]")
        return 2
    if shutil.which("tshark") is None:
        print("FAIL: tshark is not installed")
        return 1
    keep = sys.argv[3] if len(sys.argv) == 4 else None
    tmp = keep or tempfile.mkdtemp(prefix="espgw-interop-")
    os.makedirs(tmp, exist_ok=True)
    try:
        h, timing = run(sys.argv[1], tmp)
        report(h, timing)
        ok = not h.failures and all(all(v.get(k) for k in "STDO") for v in h.cell.values())
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        for proc in CHILDREN:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
