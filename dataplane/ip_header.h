// IPv4/IPv6 header facts the ESP stages need: validation of inner packets, header checksum,
// IPv6 extension-header walk (RFC 8200 §4.1 order; ESP sits after hop-by-hop, routing and
// fragment headers, RFC 4303 §3.1.1).
#pragma once

#include <rte_ip.h>

#include <cstdint>

#include "dataplane/bytes.h"

namespace espgw::dataplane {

inline constexpr uint8_t kProtoIcmp = 1;
inline constexpr uint8_t kProtoIpv4 = 4;  // IP-in-IP next header
inline constexpr uint8_t kProtoTcp = 6;
inline constexpr uint8_t kProtoIpv6 = 41;
inline constexpr uint8_t kProtoUdp = 17;
inline constexpr uint8_t kProtoEsp = 50;
inline constexpr uint8_t kProtoNone = 59;  // RFC 4303 §2.6 dummy packet
inline constexpr uint16_t kIkePort = 500;  // IKE (RFC 7296 §2)
inline constexpr uint16_t kNattPort = 4500;

// ICMP types (RFC 792) the gateway sends or must tell apart.
inline constexpr uint8_t kIcmpEchoReply = 0, kIcmpUnreachable = 3, kIcmpEcho = 8,
                         kIcmpTimeExceeded = 11, kIcmpParamProblem = 12;

// A fragment other than the first (RFC 791: fragment offset not 0). It carries no transport
// header, so it has no ports (RFC 4301 §7).
inline bool ipv4_later_fragment(const uint8_t* ip) {
    return (load_be16(ip + 6) & 0x1fff) != 0;
}

// Protocols whose first 4 header bytes are selectors (RFC 4301 §4.4.1.1): TCP and UDP ports,
// ICMP type and code (sadb/spd_match.h). The SPD and the inner policy check read them.
inline bool has_selector_ports(uint8_t proto) {
    return proto == kProtoTcp || proto == kProtoUdp || proto == kProtoIcmp;
}

// True when a packet of `len` bytes has those 4 bytes behind its IPv4 header or needs none
// (another protocol, or a non-initial fragment, RFC 4301 §7). A TCP, UDP or ICMP header cut
// shorter cannot be classified and is malformed anyway (RFC 9293 §3.1, RFC 768, RFC 792 headers
// are 20, 8 and 8 bytes).
inline bool ipv4_selectors_present(const uint8_t* ip, uint32_t len) {
    if (!has_selector_ports(ip[9])) return true;
    return (ip[0] & 0xfu) * 4 + 4 <= len || ipv4_later_fragment(ip);
}

// One's-complement sum (RFC 1071) of a header of `ihl` bytes, folded to 16 bits. The common
// 20-byte header is summed as five 32-bit words instead of DPDK's generic byte loop.
inline uint16_t ipv4_header_sum(const uint8_t* ip, uint32_t ihl) {
    if (ihl != 20) return static_cast<uint16_t>(rte_raw_cksum(ip, ihl));
    uint64_t a, b;
    uint32_t c;
    std::memcpy(&a, ip, 8);
    std::memcpy(&b, ip + 8, 8);
    std::memcpy(&c, ip + 16, 4);
    uint64_t s = (a & 0xffffffff) + (a >> 32) + (b & 0xffffffff) + (b >> 32) + c;
    s = (s & 0xffffffff) + (s >> 32);
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return static_cast<uint16_t>((s & 0xffff) + (s >> 16));
}

inline uint16_t fold_sum(uint32_t sum) {
    sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>((sum & 0xffff) + (sum >> 16));
}

// RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'): updates the checksum for a 16-bit word that changed
// from `old_word` to `new_word` without reading the rest of the header back (a wide load over
// freshly written bytes stalls store forwarding).
inline void ipv4_checksum_update(uint8_t* ip, uint16_t old_word, uint16_t new_word) {
    const uint32_t sum = uint32_t{static_cast<uint16_t>(~load_be16(ip + 10))} +
                         static_cast<uint16_t>(~old_word) + new_word;
    store_be16(ip + 10, static_cast<uint16_t>(~fold_sum(sum)));
}

inline void set_ipv4_checksum(uint8_t* ip) {
    ip[10] = ip[11] = 0;
    const uint16_t c = static_cast<uint16_t>(~ipv4_header_sum(ip, (ip[0] & 0xf) * 4u));
    std::memcpy(ip + 10, &c, 2);  // the sum is byte-order neutral: store it as computed
}

inline bool ipv4_checksum_ok(const uint8_t* ip, uint32_t ihl) {
    return ipv4_header_sum(ip, ihl) == 0xffff;
}

// Addresses (host order) no router forwards from or to, RFC 1812 §5.3.7 and §4.2.2.11: "this
// network" 0/8, loopback 127/8, class E 240/4 with the limited broadcast, and multicast 224/4
// (espgw routes no multicast; as a source it is never valid). Nor does the gateway answer them
// (RFC 1122 §3.2.1.3).
inline bool martian_ipv4(uint32_t src, uint32_t dst) {
    const auto bad = [](uint32_t a) {
        const uint32_t top = a >> 24;
        return top == 0 || top == 127 || top >= 224;
    };
    return bad(src) || bad(dst);
}

// Length of a well-formed IP packet (from its header), or 0 when the header is not valid for a
// buffer of `len` bytes. With `verify_checksum` the IPv4 header checksum must be right too.
inline uint32_t ip_packet_length(const uint8_t* p, uint32_t len, bool verify_checksum = true) {
    if (len < 20) return 0;
    const uint8_t ver = p[0] >> 4;
    if (ver == 4) {
        const uint32_t ihl = (p[0] & 0xf) * 4u;
        const uint32_t tot = load_be16(p + 2);
        if (ihl < 20 || tot < ihl || tot > len) return 0;
        if (verify_checksum && !ipv4_checksum_ok(p, ihl)) return 0;
        return tot;
    }
    if (ver == 6 && len >= 40) {
        const uint32_t tot = 40u + load_be16(p + 4);
        return tot <= len ? tot : 0;
    }
    return 0;
}

// Walks IPv6 extension headers that precede ESP. Returns the offset of the first header that is
// not hop-by-hop/routing/destination options and sets `nh_field` to the offset of the byte that
// names it; returns 0 if the chain is truncated. `*fragment` is set when a fragment header is met.
inline uint32_t ipv6_skip_ext(const uint8_t* p, uint32_t len, uint32_t* nh_field, uint8_t* nh,
                              bool* fragment) {
    uint32_t off = 40;
    uint32_t field = 6;
    uint8_t next = p[6];
    *fragment = false;
    while (next == 0 || next == 43 || next == 60 || next == 44) {
        if (off + 8 > len) return 0;
        if (next == 44) *fragment = true;
        const uint32_t hlen = next == 44 ? 8u : (p[off + 1] + 1u) * 8u;
        field = off;
        next = p[off];
        off += hlen;
        if (off > len) return 0;
    }
    *nh_field = field;
    *nh = next;
    return off;
}

}  // namespace espgw::dataplane
