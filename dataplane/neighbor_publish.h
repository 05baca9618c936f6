// Publication of the ARP cache into the stats segment's neighbour region (sadb/stats_segment.h)
// for `show arp`: the CLI cannot walk the dataplane's rte_hash, so the main lcore copies the
// table out about once a second. Bounded by the region's size; the region is a seqlock, so a
// reader copies a whole publication or retries.
#pragma once

#include <cstdint>

#include "dataplane/neighbor_table.h"
#include "sadb/stats_segment.h"

namespace espgw::dataplane {

// Main lcore only (the region has one writer). `now_tsc`/`tsc_hz`/`now_unix_ns` turn the
// table's TSC timestamps into wall-clock times. Returns the number of entries published.
uint32_t publish_neighbors(const NeighborTable& table, const sadb::StatsView& stats,
                           uint64_t now_tsc, uint64_t tsc_hz, uint64_t now_unix_ns);

}  // namespace espgw::dataplane
