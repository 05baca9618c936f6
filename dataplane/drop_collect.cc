#include "dataplane/drop_collect.h"

namespace espgw::dataplane {

uint16_t collect_drops(EspBurst& b, sadb::DropCounters& counters, const EspContext* ctx) {
    bool any = false;
    for (uint16_t k = 0; k < b.n; ++k) any |= b.drop[k] != sadb::DropReason::kNone;
    if (!any) return b.n;  // the common case: nothing to compact
    rte_mbuf* dead[kMaxBurst];
    uint16_t n_dead = 0;
    uint16_t n_live = 0;
    for (uint16_t k = 0; k < b.n; ++k) {
        if (b.drop[k] == sadb::DropReason::kNone) {
            b.pkts[n_live] = b.pkts[k];
            b.sa[n_live] = b.sa[k];
            b.in[n_live] = b.in[k];
            b.drop[n_live] = sadb::DropReason::kNone;
            ++n_live;
            continue;
        }
        ++counters.count[static_cast<size_t>(b.drop[k])];
        if (ctx != nullptr && ctx->drop_sampler != nullptr)
            ctx->drop_sampler(ctx->drop_sampler_user, b.pkts[k], b.drop[k], b.sa[k], b.in[k].seq);
        dead[n_dead++] = b.pkts[k];
    }
    if (n_dead != 0) rte_pktmbuf_free_bulk(dead, n_dead);
    b.n = n_live;
    return n_live;
}

}  // namespace espgw::dataplane
