#include "dataplane/neighbor_publish.h"

#include <cstring>

namespace espgw::dataplane {
namespace {

sadb::NeighborSlotState slot_state(NeighborState s) {
    switch (s) {
        case NeighborState::kIncomplete:
            return sadb::NeighborSlotState::kIncomplete;
        case NeighborState::kReachable:
            return sadb::NeighborSlotState::kReachable;
        case NeighborState::kStatic:
            break;
    }
    return sadb::NeighborSlotState::kStatic;
}

// Wall-clock time of a TSC stamp taken in the past (a stamp from the future counts as now).
uint64_t unix_ns_of(uint64_t tsc, uint64_t now_tsc, uint64_t tsc_hz, uint64_t now_unix_ns) {
    if (tsc >= now_tsc || tsc_hz == 0) return now_unix_ns;
    const long double ago_ns = static_cast<long double>(now_tsc - tsc) * 1e9L / tsc_hz;
    const auto ago = static_cast<uint64_t>(ago_ns);
    return ago >= now_unix_ns ? 0 : now_unix_ns - ago;
}

}  // namespace

uint32_t publish_neighbors(const NeighborTable& table, const sadb::StatsView& stats,
                           uint64_t now_tsc, uint64_t tsc_hz, uint64_t now_unix_ns) {
    sadb::NeighborRegion* region = stats.neighbors();
    const uint32_t max = stats.header()->max_neighbors;
    uint32_t count = 0, total = 0;
    sadb::seq_write_begin(&region->seq);
    table.for_each([&](uint32_t ip, const Neighbor& n) {
        ++total;
        if (count == max) return;
        sadb::NeighborSlot* s = stats.neighbor(count++);
        *s = sadb::NeighborSlot{};
        s->addr = ip;
        s->port = n.port;
        s->state = slot_state(n.state);
        std::memcpy(s->mac, n.mac.addr_bytes, sizeof s->mac);
        s->updated_unix_ns = unix_ns_of(n.updated_tsc, now_tsc, tsc_hz, now_unix_ns);
    });
    region->count = count;
    region->total = total;
    region->published_unix_ns = now_unix_ns;
    sadb::seq_write_end(&region->seq);
    return count;
}

}  // namespace espgw::dataplane
