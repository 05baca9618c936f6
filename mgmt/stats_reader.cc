#include "mgmt/stats_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace espgw::mgmt {
namespace {

// Runs `copy` until it ran between two equal even values of the region's seqlock (a region the
// main lcore rewrites whole); after 1000 tries the last copy stands (a busy writer: best effort).
template <typename F>
void read_seqlocked(const uint64_t& seq, F copy) {
    for (int tries = 0; tries < 1000; ++tries) {
        const uint64_t before = sadb::shm_load(seq);
        if (before & 1) continue;
        copy();
        std::atomic_thread_fence(std::memory_order_acquire);
        if (sadb::shm_load(seq) == before) return;
    }
    copy();
}

// Copies `src`, written by the lcore that owns `seq`, while the lcore is between bursts.
template <typename T>
T read_consistent(const uint64_t& seq, const T& src) {
    T out;
    read_seqlocked(seq, [&] { std::memcpy(static_cast<void*>(&out), &src, sizeof out); });
    return out;
}

}  // namespace

bool StatsReader::open(const std::string& instance, std::string* error) {
    return map_.open(instance, error);
}

bool StatsReader::attach(const void* base, size_t size, std::string* error) {
    return map_.attach(base, size, error);
}

std::vector<SaSnapshot> StatsReader::sas() const {
    std::vector<SaSnapshot> out;
    for (uint32_t k = 0; k < header().max_sas; ++k) {
        const sadb::SaSlot* s = view().sa(k);
        if (sadb::shm_load(s->in_use) == 0) continue;
        const sadb::LcoreStats* owner = view().lcore(s->owner_lcore);
        out.push_back({k, read_consistent(owner->seq, *s)});
    }
    return out;
}

sadb::LcoreStats StatsReader::lcore(uint32_t i) const {
    const sadb::LcoreStats* l = view().lcore(i);
    return read_consistent(l->seq, *l);
}

sadb::PortStats StatsReader::port(uint32_t i) const {
    const sadb::PortStats* p = view().port(i);
    return read_consistent(p->seq, *p);
}

sadb::DropCounters StatsReader::drops() const {
    sadb::DropCounters sum{};
    for (uint32_t l = 0; l < header().max_lcores; ++l) {
        const sadb::LcoreStats s = lcore(l);
        if (!s.active) continue;
        for (size_t k = 0; k < sum.count.size(); ++k)
            sum.count[k] += s.drops.count[k];
    }
    return sum;
}

sadb::ResourceRegion StatsReader::resources() const {
    const sadb::ResourceRegion* r = view().resources();
    return read_consistent(r->seq, *r);
}

std::vector<sadb::SpdRuleInfo> StatsReader::spd_rules() const {
    const sadb::SpdRuleRegion* t = view().spd_rules();
    std::vector<sadb::SpdRuleInfo> out;
    for (int tries = 0; tries < 1000; ++tries) {
        const uint64_t before = sadb::shm_load(t->seq);
        if (before & 1) continue;
        const uint32_t n = std::min(sadb::shm_load(t->count), header().max_spd_rules);
        out.assign(view().spd_rule(0), view().spd_rule(0) + n);
        std::atomic_thread_fence(std::memory_order_acquire);
        if (sadb::shm_load(t->seq) == before) break;
    }
    return out;
}

std::vector<sadb::NeighborSlot> StatsReader::neighbors(uint32_t* total) const {
    const sadb::NeighborRegion* r = view().neighbors();
    std::vector<sadb::NeighborSlot> out;
    read_seqlocked(r->seq, [&] {
        const uint32_t n = std::min(sadb::shm_load(r->count), header().max_neighbors);
        out.assign(view().neighbor(0), view().neighbor(0) + n);
        if (total != nullptr) *total = sadb::shm_load(r->total);
    });
    return out;
}

std::vector<uint64_t> StatsReader::spd_hits(uint32_t n) const {
    n = std::min(n, header().max_spd_rules);
    std::vector<uint64_t> sum(n, 0);
    for (uint32_t l = 0; l < header().max_lcores; ++l) {
        if (!sadb::shm_load(view().lcore(l)->active)) continue;
        const uint64_t* hits = view().spd_hits(l);
        for (uint32_t k = 0; k < n; ++k)
            sum[k] += sadb::shm_load(hits[k]);
    }
    return sum;
}

}  // namespace espgw::mgmt
