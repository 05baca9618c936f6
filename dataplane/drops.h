// Counting and freeing dropped packets in the pipeline (outside the ESP stages, which mark and
// collect their own): every drop is counted once in the lcore's stats, by reason.
#pragma once

#include <rte_mbuf.h>

#include "dataplane/capture.h"
#include "dataplane/dataplane.h"

namespace espgw::dataplane {

inline void count_drop(LcoreCtx& c, sadb::DropReason r, uint32_t n = 1) {
    c.stats->drops.count[static_cast<size_t>(r)] += n;
}

// Sends the facts of a dropped packet to the main lcore for control's log (%CRYPTO-4-... lines),
// at most kDropSamplesPerSecond per lcore. Registered as the ESP stages' drop sampler too.
void sample_drop(void* lcore_ctx, const rte_mbuf* m, sadb::DropReason r,
                 const sadb::SaRuntime* sa, uint64_t seq);

inline void drop_packet(LcoreCtx& c, rte_mbuf* m, sadb::DropReason r) {
    count_drop(c, r);
    sample_drop(&c, m, r, nullptr, 0);
    rte_pktmbuf_free(m);
}

// A frame dropped before classify stripped its Ethernet header: counted and captured, not
// sampled (drop samples describe IPv4 packets).
inline void drop_frame(LcoreCtx& c, rte_mbuf* m, sadb::DropReason r) {
    count_drop(c, r);
    capture_drop(c, m, r, nullptr, true);
    rte_pktmbuf_free(m);
}

// Charges an SA too (per-SA reasons, `#send errors` / `#recv errors`).
inline void drop_sa_packet(LcoreCtx& c, rte_mbuf* m, sadb::SaRuntime* sa, sadb::DropReason r) {
    if (sa != nullptr && sadb::drop_reason_info(r).per_sa) sa->counters->drop(r);
    drop_packet(c, m, r);
}

}  // namespace espgw::dataplane
