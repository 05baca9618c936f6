#include "dataplane/capture.h"

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_pcapng.h>

#include <cstring>

namespace espgw::dataplane {
namespace {

namespace wire = sadb::wire;

rte_pcapng_direction pcapng_direction(uint8_t dir) {
    if (dir == wire::kCaptureIn) return RTE_PCAPNG_DIRECTION_IN;
    if (dir == wire::kCaptureOut) return RTE_PCAPNG_DIRECTION_OUT;
    return RTE_PCAPNG_DIRECTION_UNKNOWN;
}

struct CopySpec {
    uint16_t port;
    uint8_t dir;  // kCaptureIn, kCaptureOut or 0
    bool l3;      // data starts at the IP header
    std::string_view comment;
    uint64_t tsc;
};

// The file's interfaces are the DPDK ports; a packet the pipeline made itself may carry no
// valid port, and rte_pcapng_write_packets indexes its port table with it.
uint16_t file_port(const CaptureSession& s, uint16_t port) {
    return port < s.n_ports ? port : 0;
}

// rte_pcapng_copy of a packet whose data starts at the IP header: a zero-address Ethernet
// header is written into its headroom for the copy and removed again (the headroom holds no
// packet data; an indirect or shared first segment is left alone and the copy is lost).
rte_mbuf* copy_l3(CaptureSession& s, LcoreCtx& c, rte_mbuf* m, const CopySpec& spec) {
    if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1 ||
        rte_pktmbuf_headroom(m) < RTE_ETHER_HDR_LEN)
        return nullptr;
    const bool v6 = m->data_len > 0 && (rte_pktmbuf_mtod(m, const uint8_t*)[0] >> 4) == 6;
    auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_prepend(m, RTE_ETHER_HDR_LEN));
    std::memset(eth, 0, 2 * RTE_ETHER_ADDR_LEN);
    eth->ether_type = rte_cpu_to_be_16(v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
    rte_mbuf* mc = rte_pcapng_copy(spec.port, c.index, m, s.pool, s.cfg.snaplen, spec.tsc,
                                   pcapng_direction(spec.dir));
    rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);
    return mc;
}

// One pcapng block for `m`, or nullptr (capture pool empty, no room for the comment).
rte_mbuf* make_block(CaptureSession& s, LcoreCtx& c, rte_mbuf* m, CopySpec spec) {
    spec.port = file_port(s, spec.port);
    rte_mbuf* mc = spec.l3 ? copy_l3(s, c, m, spec)
                           : rte_pcapng_copy(spec.port, c.index, m, s.pool, s.cfg.snaplen, spec.tsc,
                                             pcapng_direction(spec.dir));
    if (mc == nullptr) return nullptr;
    // The pool's data room holds a whole block; a chained copy would fail the writer's check.
    if (mc->nb_segs != 1 || (!spec.comment.empty() && !epb_append_comment(mc, spec.comment))) {
        rte_pktmbuf_free(mc);
        return nullptr;
    }
    epb_set_timestamp(mc, s.clock.ns(spec.tsc));
    return mc;
}

// Copies of one hook call, enqueued together; lost ones are counted on this lcore's lane.
class CopyBatch {
  public:
    CopyBatch(CaptureSession& s, LcoreCtx& c) : s_(s), c_(c), lane_(s.lanes[c.index]) {}
    ~CopyBatch() { flush(); }
    CopyBatch(const CopyBatch&) = delete;
    CopyBatch& operator=(const CopyBatch&) = delete;

    void add(rte_mbuf* m, const CopySpec& spec) {
        rte_mbuf* mc = make_block(s_, c_, m, spec);
        if (mc == nullptr) {
            ++lane_.lost;
            return;
        }
        copies_[n_++] = mc;
        if (n_ == kMaxBurst) flush();
    }

  private:
    void flush() {
        if (n_ == 0) return;
        const unsigned sent =
            rte_ring_mp_enqueue_burst(s_.ring, reinterpret_cast<void**>(copies_), n_, nullptr);
        lane_.copied += sent;
        lane_.lost += n_ - sent;
        if (sent < n_) rte_pktmbuf_free_bulk(copies_ + sent, n_ - sent);
        n_ = 0;
    }

    CaptureSession& s_;
    LcoreCtx& c_;
    CaptureSession::Lane& lane_;
    rte_mbuf* copies_[kMaxBurst];
    unsigned n_ = 0;
};

bool sa_matches(const CaptureSession& s, const sadb::SaRuntime* sa) {
    return sa != nullptr && sa->spi == s.cfg.spi;
}

// The live packets of the captured SA in an ESP-stage burst.
void copy_sa_packets(CaptureSession& s, LcoreCtx& c, const EspBurst& b, uint8_t dir) {
    CopyBatch batch(s, c);
    const uint64_t tsc = rte_get_tsc_cycles();
    for (uint16_t k = 0; k < b.n; ++k) {
        if (b.drop[k] != sadb::DropReason::kNone || !sa_matches(s, b.sa[k])) continue;
        // Outbound packets leave by the crypto map's interface; inbound came in on their port.
        const uint16_t port = dir == wire::kCaptureOut ? b.sa[k]->port : b.pkts[k]->port;
        batch.add(b.pkts[k], {port, dir, true, {}, tsc});
    }
}

}  // namespace

void capture_port_burst(CaptureSession& s, LcoreCtx& c, uint16_t port, rte_mbuf* const* pkts,
                        uint16_t n, uint8_t dir) {
    if (s.cfg.scope != wire::CaptureScope::kInterface || s.cfg.port != port ||
        (s.cfg.dir & dir) == 0)
        return;
    CopyBatch batch(s, c);
    const CopySpec spec{port, dir, false, {}, rte_get_tsc_cycles()};
    for (uint16_t k = 0; k < n; ++k)
        batch.add(pkts[k], spec);
}

void capture_esp_burst(CaptureSession& s, LcoreCtx& c, const EspBurst& b, uint8_t dir) {
    if (s.cfg.scope != wire::CaptureScope::kSa || (s.cfg.dir & dir) == 0) return;
    copy_sa_packets(s, c, b, dir);
}

void capture_clear_burst(CaptureSession& s, LcoreCtx& c, const EspBurst& b, uint8_t dir) {
    // The clear side of an outbound SA is captured before encap, of an inbound one after decap:
    // `dir` is the SA's direction, which the start request resolved from the SPI.
    if (s.cfg.scope != wire::CaptureScope::kSa || s.cfg.inner == 0 || (s.cfg.dir & dir) == 0)
        return;
    copy_sa_packets(s, c, b, dir);
}

void capture_dropped(CaptureSession& s, LcoreCtx& c, rte_mbuf* m, sadb::DropReason r,
                     const sadb::SaRuntime* sa, bool l2) {
    if (s.cfg.scope != wire::CaptureScope::kDrops || m == nullptr) return;
    uint8_t dir = l2 ? wire::kCaptureIn : 0;
    if (sa != nullptr)
        dir = sa->direction == sadb::Direction::kInbound ? wire::kCaptureIn : wire::kCaptureOut;
    CopyBatch batch(s, c);
    batch.add(m, {m->port, dir, !l2, sadb::drop_reason_info(r).label, rte_get_tsc_cycles()});
}

}  // namespace espgw::dataplane
