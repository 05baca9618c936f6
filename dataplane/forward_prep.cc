#include "dataplane/forward_prep.h"

#include "dataplane/drops.h"
#include "dataplane/ip_header.h"

namespace espgw::dataplane {
namespace {

constexpr uint8_t kTcpSyn = 0x02;
constexpr uint8_t kOptEnd = 0, kOptNop = 1, kOptMss = 2;

// RFC 1624 update of a TCP checksum for one 16-bit word change.
void tcp_checksum_update(uint8_t* tcp, uint16_t old_word, uint16_t new_word) {
    const uint32_t sum = uint32_t{static_cast<uint16_t>(~load_be16(tcp + 16))} +
                         static_cast<uint16_t>(~old_word) + new_word;
    store_be16(tcp + 16, static_cast<uint16_t>(~fold_sum(sum)));
}

// Finds the MSS option in a TCP header of `hlen` bytes; returns its offset or 0.
uint32_t find_mss_option(const uint8_t* tcp, uint32_t hlen) {
    for (uint32_t off = 20; off + 4 <= hlen;) {
        const uint8_t kind = tcp[off];
        if (kind == kOptEnd) return 0;
        if (kind == kOptNop) {
            ++off;
            continue;
        }
        const uint8_t len = tcp[off + 1];
        if (len < 2) return 0;
        if (kind == kOptMss && len == 4) return off;
        off += len;
    }
    return 0;
}

// The accounting rule of forward_prep.h: the drop, and only the drop, is counted here.
void refuse_with_icmp(LcoreCtx& c, rte_mbuf* m, sadb::DropReason r, ToMain t) {
    count_drop(c, r);
    capture_drop(c, m, r, nullptr, false);
    t.port = m->port;
    t.via = m->hash.usr & (kViaSa | kViaSlotMask);
    t.m = m;
    if (!tell_main(c, t)) rte_pktmbuf_free(m);
}

}  // namespace

void ttl_expired(LcoreCtx& c, rte_mbuf* m) {
    ToMain t{};
    t.kind = ToMain::kTimeExceeded;
    refuse_with_icmp(c, m, sadb::DropReason::kTtlExpired, t);
}

void frag_needed(LcoreCtx& c, rte_mbuf* m, uint16_t mtu, uint32_t conn_id) {
    ToMain t{};
    t.kind = ToMain::kFragNeeded;
    t.param = mtu;
    t.conn_id = conn_id;
    refuse_with_icmp(c, m, sadb::DropReason::kDfTooBig, t);
}

void clamp_mss(rte_mbuf* m, uint16_t mss) {
    uint8_t* ip = rte_pktmbuf_mtod(m, uint8_t*);
    const uint32_t ihl = (ip[0] & 0xf) * 4u;
    if (ip[9] != kProtoTcp || ipv4_later_fragment(ip) || m->pkt_len < ihl + 20) return;
    uint8_t* tcp = ip + ihl;
    const uint32_t hlen = (tcp[12] >> 4) * 4u;
    if ((tcp[13] & kTcpSyn) == 0 || hlen < 20 || m->pkt_len < ihl + hlen) return;
    const uint32_t off = find_mss_option(tcp, hlen);
    if (off == 0 || load_be16(tcp + off + 2) <= mss) return;
    const uint16_t old_mss = load_be16(tcp + off + 2);
    store_be16(tcp + off + 2, mss);
    // The option is 16-bit aligned only if its offset is even; update the word it sits in.
    if ((off & 1) == 0) {
        tcp_checksum_update(tcp, old_mss, mss);
    } else {
        const uint16_t w_old_a = static_cast<uint16_t>((tcp[off + 1] << 8) | (old_mss >> 8));
        const uint16_t w_new_a = static_cast<uint16_t>((tcp[off + 1] << 8) | (mss >> 8));
        const uint16_t w_old_b = static_cast<uint16_t>(((old_mss & 0xff) << 8) | tcp[off + 4]);
        const uint16_t w_new_b = static_cast<uint16_t>(((mss & 0xff) << 8) | tcp[off + 4]);
        tcp_checksum_update(tcp, w_old_a, w_new_a);
        tcp_checksum_update(tcp, w_old_b, w_new_b);
    }
}

}  // namespace espgw::dataplane
