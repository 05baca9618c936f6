// Inbound ESP, first stage: validate the outer IP (and RFC 3948 UDP) header, find the ESP header
// and look up the SA by SPI for the whole burst at once.
#include "dataplane/esp_parse.h"

#include "dataplane/contiguous.h"
#include "dataplane/ip_header.h"
#include "sadb/spi_index.h"

namespace espgw::dataplane {
namespace {

using sadb::DropReason;

// Outer IPv4 header: returns the offset after it and the protocol, or a drop reason.
DropReason parse_ipv4(const rte_mbuf* m, const uint8_t* p, uint32_t len, uint32_t* off,
                      uint8_t* proto, uint32_t* tot) {
    const uint32_t ihl = (p[0] & 0xf) * 4u;
    *tot = load_be16(p + 2);
    if (ihl < 20 || *tot < ihl || *tot > len) return DropReason::kMalformed;
    const bool hw_ok = (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_GOOD;
    if (!hw_ok && !ipv4_checksum_ok(p, ihl)) return DropReason::kMalformed;
    if ((load_be16(p + 6) & 0x3fff) != 0) return DropReason::kOuterFragment;  // MF or offset
    *off = ihl;
    *proto = p[9];
    return DropReason::kNone;
}

DropReason parse_ipv6(const uint8_t* p, uint32_t len, uint32_t* off, uint8_t* proto, uint32_t* tot,
                      uint16_t* nh_field) {
    *tot = 40u + load_be16(p + 4);
    if (len < 40 || *tot > len) return DropReason::kMalformed;
    uint32_t field = 0;
    bool fragment = false;
    *off = ipv6_skip_ext(p, *tot, &field, proto, &fragment);
    if (*off == 0) return DropReason::kMalformed;
    if (fragment) return DropReason::kOuterFragment;
    *nh_field = static_cast<uint16_t>(field);
    return DropReason::kNone;
}

// RFC 3948 §2.2/§2.3: after the UDP header comes ESP (SPI != 0), the non-ESP marker of IKE
// (four zero bytes) or a one-byte 0xFF keepalive.
DropReason parse_udp(const uint8_t* p, uint32_t off, uint32_t tot, uint32_t* esp_off) {
    if (off + 8 > tot || load_be16(p + off + 4) != tot - off) return DropReason::kMalformed;
    const uint32_t payload = tot - off - 8;
    const uint8_t* q = p + off + 8;
    if (payload == 1 && q[0] == 0xff) return DropReason::kNattKeepalive;
    if (payload >= 4 && load_be32(q) == 0) return DropReason::kNotEsp;
    *esp_off = off + 8;
    return DropReason::kNone;
}

DropReason parse_one(rte_mbuf** pm, InboundMeta& in) {
    if ((*pm)->nb_segs != 1) {
        if (const DropReason r = make_contiguous(pm); r != DropReason::kNone) return r;
    }
    rte_mbuf* m = *pm;
    const uint8_t* p = rte_pktmbuf_mtod(m, const uint8_t*);
    const uint32_t len = m->pkt_len;
    if (len < 20) return DropReason::kMalformed;
    uint32_t off = 0, tot = 0, esp_off = 0;
    uint8_t proto = 0;
    in.nh_field = 9;
    const uint8_t ver = p[0] >> 4;
    DropReason r = ver == 4   ? parse_ipv4(m, p, len, &off, &proto, &tot)
                   : ver == 6 ? parse_ipv6(p, len, &off, &proto, &tot, &in.nh_field)
                              : DropReason::kMalformed;
    if (r != DropReason::kNone) return r;
    in.udp = proto == kProtoUdp;
    if (in.udp) {
        r = parse_udp(p, off, tot, &esp_off);
        if (r != DropReason::kNone) return r;
    } else if (proto == kProtoEsp) {
        esp_off = off;
    } else {
        return DropReason::kNotEsp;
    }
    if (esp_off + 8 > tot) return DropReason::kMalformed;
    if (tot < len) rte_pktmbuf_trim(m, static_cast<uint16_t>(len - tot));  // link padding
    in.esp_off = static_cast<uint16_t>(esp_off);
    in.esp_len = static_cast<uint16_t>(tot - esp_off);
    return DropReason::kNone;
}

}  // namespace

// Packets of one SA arrive in runs: each run costs one hash lookup, not one per packet.
void esp_parse(EspContext& ctx, EspBurst& b) {
    uint32_t spis[kMaxBurst];  // distinct consecutive SPIs
    uint16_t slot[kMaxBurst];  // per parsed packet: its entry in spis
    uint16_t idx[kMaxBurst];   // per parsed packet: its index in the burst
    uint16_t n = 0, runs = 0;
    for (uint16_t k = 0; k < b.n; ++k) {
        b.sa[k] = nullptr;
        if (b.drop[k] != DropReason::kNone) continue;
        const DropReason r = parse_one(&b.pkts[k], b.in[k]);
        if (r != DropReason::kNone) {
            mark_drop(b, k, r);
            continue;
        }
        const uint32_t spi =
            load_be32(rte_pktmbuf_mtod(b.pkts[k], const uint8_t*) + b.in[k].esp_off);
        if (runs == 0 || spis[runs - 1] != spi) spis[runs++] = spi;
        slot[n] = static_cast<uint16_t>(runs - 1);
        idx[n++] = k;
    }
    sadb::SaRuntime* found[kMaxBurst];
    if (runs != 0) ctx.spi_index->find_bulk(spis, runs, found);
    for (uint16_t r = 0; r < runs; ++r)
        if (found[r] != nullptr) sadb::prefetch_sa_inbound(found[r]);
    for (uint16_t i = 0; i < n; ++i) {
        const uint16_t k = idx[i];
        b.sa[k] = found[slot[i]];
        if (b.sa[k] == nullptr) {
            mark_drop(b, k, DropReason::kInvalidSpi);
        } else if (b.sa[k]->has(sadb::kFlagUdpEncap) != b.in[k].udp) [[unlikely]] {
            // Another lcore's SA: its owner parses the packet again after the handoff and
            // counts the drop on the SA (single writer).
            if (ctx.lcore == kAnyLcore || b.sa[k]->owner_lcore == ctx.lcore)
                mark_drop(b, k, DropReason::kEncapMismatch);
        }
    }
}

}  // namespace espgw::dataplane
