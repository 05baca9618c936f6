// Read-only view of a dataplane's stats segment (sadb/stats_segment.h) for the CLI and the
// exporter: maps /dev/shm/espgw.<instance>.stats and copies counters consistently (retrying an
// lcore's seqlock while that lcore is writing).
#pragma once

#include <string>
#include <vector>

#include "sadb/stats_mapping.h"
#include "sadb/stats_segment.h"

namespace espgw::mgmt {

struct SaSnapshot {
    uint32_t slot;
    sadb::SaSlot slot_copy;  // counters copied under the owner lcore's seqlock
};

class StatsReader {
  public:
    StatsReader() = default;
    StatsReader(const StatsReader&) = delete;
    StatsReader& operator=(const StatsReader&) = delete;
    ~StatsReader() = default;

    bool open(const std::string& instance, std::string* error);
    // Reads a segment already in memory (tests build one from sadb::StatsLayout); the memory
    // stays the caller's and must outlive the reader.
    bool attach(const void* base, size_t size, std::string* error);
    const sadb::StatsHeader& header() const { return *view().header(); }

    std::vector<SaSnapshot> sas() const;
    sadb::LcoreStats lcore(uint32_t index) const;
    sadb::PortStats port(uint32_t index) const;
    // Drop counters summed over every lcore.
    sadb::DropCounters drops() const;
    // Ring depths and mbuf pool use as the main lcore last published them.
    sadb::ResourceRegion resources() const;
    // The live SPD snapshot's rules; index k is SPD hit counter k.
    std::vector<sadb::SpdRuleInfo> spd_rules() const;
    // Hits of rules [0, n) summed over every lcore.
    std::vector<uint64_t> spd_hits(uint32_t n) const;
    // The ARP cache as the main lcore last published it; `total` (optional) is how many entries
    // the dataplane's table held (more than returned when the region was full).
    std::vector<sadb::NeighborSlot> neighbors(uint32_t* total = nullptr) const;

  private:
    const sadb::StatsView& view() const { return map_.view(); }

    sadb::StatsMapping map_;  // maps and checks the format (shared with control's reader)
};

}  // namespace espgw::mgmt
