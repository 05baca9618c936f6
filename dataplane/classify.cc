#include "dataplane/classify.h"

#include <rte_ether.h>

#include "dataplane/ip_header.h"

namespace espgw::dataplane {
namespace {

using sadb::DropReason;

Classified drop(DropReason r) {
    return {PacketClass::kDrop, r, false};
}

Classified drop_stripped(DropReason r) {
    return {PacketClass::kDrop, r, true};
}

// Ethernet and at most one 802.1Q tag: returns the ethertype and the L2 length (0 if runt).
uint16_t parse_l2(const rte_mbuf* m, uint16_t* l2_len) {
    const auto* p = rte_pktmbuf_mtod(m, const uint8_t*);
    if (m->data_len < RTE_ETHER_HDR_LEN) return *l2_len = 0;
    uint16_t type = load_be16(p + 12);
    *l2_len = RTE_ETHER_HDR_LEN;
    if (type == RTE_ETHER_TYPE_VLAN && m->data_len >= RTE_ETHER_HDR_LEN + 4) {
        type = load_be16(p + 16);
        *l2_len += 4;
    }
    return type;
}

// Valid IPv4 header and total length inside the frame; trims link padding.
bool ipv4_ok(rte_mbuf* m) {
    const auto* ip = rte_pktmbuf_mtod(m, const uint8_t*);
    if (m->pkt_len < 20 || (ip[0] >> 4) != 4) return false;
    const uint32_t ihl = (ip[0] & 0xf) * 4u;
    const uint32_t tot = load_be16(ip + 2);
    if (ihl < 20 || tot < ihl || tot > m->pkt_len || m->data_len < ihl) return false;
    const bool hw_ok = (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_GOOD;
    if (!hw_ok && !ipv4_checksum_ok(ip, ihl)) return false;
    if (tot < m->pkt_len) rte_pktmbuf_trim(m, static_cast<uint16_t>(m->pkt_len - tot));
    // The ESP stages rely on this check (esp_parse trusts the flag).
    m->ol_flags = (m->ol_flags & ~RTE_MBUF_F_RX_IP_CKSUM_MASK) | RTE_MBUF_F_RX_IP_CKSUM_GOOD;
    return true;
}

// A packet for one of the gateway's addresses: ESP goes inbound, the rest to the slow path.
PacketClass local_class(const uint8_t* ip, uint32_t len) {
    const uint32_t ihl = (ip[0] & 0xf) * 4u;
    const bool first_fragment = !ipv4_later_fragment(ip);
    if (ip[9] == kProtoEsp) return PacketClass::kInbound;
    if (ip[9] != kProtoUdp || !first_fragment) {
        // Fragments of UDP-encapsulated ESP cannot be told from IKE before reassembly; the
        // inbound stage reassembles and re-checks (RFC 3948 §2.2 needs the whole payload start).
        return (load_be16(ip + 6) & 0x3fff) != 0 ? PacketClass::kInbound : PacketClass::kSlowLocal;
    }
    // A NAT-keepalive (RFC 3948 §2.3) is one payload byte: shorter than the marker it is told
    // from, so only a UDP header without payload stays on the slow path.
    if (ihl + 8 >= len) return PacketClass::kSlowLocal;
    const uint16_t dport = load_be16(ip + ihl + 2);
    if (dport == kIkePort || dport != kNattPort) return PacketClass::kSlowLocal;
    const uint8_t* payload = ip + ihl + 8;
    const uint32_t plen = len - ihl - 8;
    const bool marker = plen >= 4 && load_be32(payload) == 0;  // non-ESP marker: IKE
    const bool keepalive = plen == 1 && payload[0] == 0xff;    // handled by esp_parse
    return marker && !keepalive ? PacketClass::kSlowLocal : PacketClass::kInbound;
}

}  // namespace

Classified classify_ipv4_local(const rte_mbuf* m, const Policy& policy) {
    (void)policy;
    return {local_class(rte_pktmbuf_mtod(m, const uint8_t*), m->pkt_len), DropReason::kNone};
}

Classified classify_frame(rte_mbuf* m, const Policy& policy) {
    if (m->nb_segs != 1 && rte_pktmbuf_linearize(m) != 0) return drop(DropReason::kChainedMbuf);
    uint16_t l2_len = 0;
    const uint16_t type = parse_l2(m, &l2_len);
    if (l2_len == 0) return drop(DropReason::kMalformed);
    if (type == RTE_ETHER_TYPE_ARP) return {PacketClass::kSlowArp, DropReason::kNone};
    if (type == RTE_ETHER_TYPE_IPV6) return drop(DropReason::kIpv6Unsupported);
    if (type != RTE_ETHER_TYPE_IPV4) return drop(DropReason::kUnknownEthertype);
    if (policy.iface(m->port) == nullptr) return drop(DropReason::kNotForwarding);
    rte_pktmbuf_adj(m, l2_len);
    if (!ipv4_ok(m)) return drop_stripped(DropReason::kMalformed);
    const auto* ip = rte_pktmbuf_mtod(m, const uint8_t*);
    if (!ipv4_selectors_present(ip, m->pkt_len)) return drop_stripped(DropReason::kMalformed);
    const uint32_t dst = load_be32(ip + 16);
    if (martian_ipv4(load_be32(ip + 12), dst)) return drop_stripped(DropReason::kMartian);
    if (policy.local(dst) == nullptr) return {PacketClass::kOutbound, DropReason::kNone};
    return {local_class(ip, m->pkt_len), DropReason::kNone};
}

}  // namespace espgw::dataplane
