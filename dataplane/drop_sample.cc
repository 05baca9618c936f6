#include <rte_cycles.h>

#include "dataplane/bytes.h"
#include "dataplane/drops.h"
#include "dataplane/ip_header.h"

namespace espgw::dataplane {
namespace {

bool sample_allowed(LcoreCtx& c) {
    const uint64_t now = rte_get_tsc_cycles();
    if (now - c.sample_window_tsc > rte_get_tsc_hz()) {
        c.sample_window_tsc = now;
        c.samples_in_window = 0;
    }
    return c.samples_in_window++ < kDropSamplesPerSecond;
}

// The ESP header of an outer IPv4 packet (raw or RFC 3948 UDP-encapsulated), or nullptr.
const uint8_t* esp_header(const uint8_t* ip, uint32_t len) {
    const uint32_t ihl = (ip[0] & 0xf) * 4u;
    if (ip[9] == kProtoEsp && len >= ihl + 8) return ip + ihl;
    if (ip[9] == kProtoUdp && len >= ihl + 16) return ip + ihl + 8;
    return nullptr;
}

}  // namespace

void sample_drop(void* user, const rte_mbuf* m, sadb::DropReason r, const sadb::SaRuntime* sa,
                 uint64_t seq) {
    auto& c = *static_cast<LcoreCtx*>(user);
    // The packet is about to be freed: a capture may borrow its headroom (capture.h).
    capture_drop(c, const_cast<rte_mbuf*>(m), r, sa, false);
    if (m == nullptr || m->data_len < 20 || !sample_allowed(c)) return;
    const uint8_t* ip = rte_pktmbuf_mtod(m, const uint8_t*);
    if ((ip[0] >> 4) != 4) return;  // frames dropped before L2 was stripped, IPv6: no sample
    ToMain t{};
    t.kind = ToMain::kDropSample;
    t.event_type = static_cast<uint8_t>(r);
    t.port = m->port;
    t.src = load_be32(ip + 12);
    t.dst = load_be32(ip + 16);
    t.proto = ip[9];
    t.seq = seq;
    if (sa != nullptr) {
        t.spi = sa->spi;
        t.conn_id = sa->sa_id;
        t.direction = static_cast<uint8_t>(sa->direction);
        if (sa->direction == sadb::Direction::kOutbound) t.seq = 0;  // only inbound has one
    }
    if (r == sadb::DropReason::kInnerPolicyMismatch) {
        // The packet was decapsulated: the inner header is what did not match (ASA 402116).
        t.inner_src = t.src;
        t.inner_dst = t.dst;
        t.inner_proto = t.proto;
    } else if (const uint8_t* esp = esp_header(ip, m->data_len); esp != nullptr && sa == nullptr) {
        t.spi = load_be32(esp);  // e.g. an unknown SPI: the packet says which
        t.seq = load_be32(esp + 4);
    }
    tell_main(c, t);
}

}  // namespace espgw::dataplane
