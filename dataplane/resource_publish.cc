#include "dataplane/resource_publish.h"

#include <rte_mempool.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace espgw::dataplane {
namespace {

void set_ring(sadb::RingStats& s, const char* name, int32_t lcore, const rte_ring* r) {
    std::memset(&s, 0, sizeof s);
    std::strncpy(s.name, name, sizeof s.name - 1);
    s.lcore = lcore;
    s.capacity = rte_ring_get_capacity(r);
    s.depth = rte_ring_count(r);
}

const rte_ring* region_ring(const sadb::RingRegionHeader& h, uint64_t off) {
    return reinterpret_cast<const rte_ring*>(reinterpret_cast<const uint8_t*>(&h) + off);
}

// Command and event ring first, then each forwarding lcore's three rings while they fit.
uint32_t fill_rings(sadb::ResourceRegion& r, const Dataplane& dp, const sadb::RingRegionHeader& h,
                    uint64_t events_lost) {
    uint32_t n = 0;
    set_ring(r.rings[n++], "command", -1, region_ring(h, h.cmd_off));
    sadb::RingStats& evt = r.rings[n++];
    set_ring(evt, "event", -1, region_ring(h, h.evt_off));
    evt.has_drops = 1;
    evt.drops = events_lost;
    for (const auto& c : dp.lcores) {
        if (n + 3 > sadb::kMaxRingStats) break;
        const auto id = static_cast<int32_t>(c->lcore_id);
        set_ring(r.rings[n++], "handoff", id, c->handoff_in);
        sadb::RingStats& to_main = r.rings[n++];
        set_ring(to_main, "to_main", id, c->to_main);
        to_main.has_drops = 1;
        to_main.drops = c->to_main_lost.load(std::memory_order_relaxed);
        set_ring(r.rings[n++], "from_main", id, c->from_main);
    }
    return n;
}

}  // namespace

uint32_t publish_resources(const Dataplane& dp, const sadb::RingRegionHeader& ring_region,
                           uint64_t events_lost) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    sadb::ResourceRegion* r = dp.stats.resources();
    sadb::seq_write_begin(&r->seq);
    r->published_unix_ns = static_cast<uint64_t>(now / std::chrono::nanoseconds(1));
    std::strncpy(r->mbuf_pool, dp.pool->name, sizeof r->mbuf_pool - 1);
    r->mbuf_pool_size = dp.pool->size;
    r->mbuf_in_use = rte_mempool_in_use_count(dp.pool);
    r->ring_count = fill_rings(*r, dp, ring_region, events_lost);
    sadb::seq_write_end(&r->seq);
    return r->ring_count;
}

void publish_spd_rules(const sadb::StatsView& stats, const SpdSnapshot* spd) {
    sadb::SpdRuleRegion* t = stats.spd_rules();
    const uint32_t n = spd ? std::min(spd->size(), stats.header()->max_spd_rules) : 0;
    sadb::seq_write_begin(&t->seq);
    for (uint32_t k = 0; k < n; ++k) {
        const sadb::wire::SpdRule& w = spd->rule(k);
        *stats.spd_rule(k) = {
            w.id, w.map_seq, w.acl_line, w.sa_conn_id, w.port, static_cast<uint8_t>(w.action), 0};
    }
    t->count = n;
    sadb::seq_write_end(&t->seq);
}

}  // namespace espgw::dataplane
