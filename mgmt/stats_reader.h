// Read-only view of a dataplane's stats segment (sadb/stats_segment.h) for the CLI and the
// exporter: maps /dev/shm/espgw.<instance>.stats and copies counters consistently (retrying an
// lcore's seqlock while that lcore is writing).
#pragma once

#include <string>
#include <vector>

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
    ~StatsReader();

    bool open(const std::string& instance, std::string* error);
    const sadb::StatsHeader& header() const { return *view_.header(); }

    std::vector<SaSnapshot> sas() const;
    sadb::LcoreStats lcore(uint32_t index) const;
    sadb::PortStats port(uint32_t index) const;
    // Drop counters summed over every lcore.
    sadb::DropCounters drops() const;

private:
    sadb::StatsView view_;
    size_t size_ = 0;
};

}  // namespace espgw::mgmt
