// Control's read-only view of the dataplane's stats segment (sadb/stats_segment.h), for its SA
// timers (sa_timers.h): when the dataplane installed an SA and the SA's packet counter. The
// segment is mapped and checked by sadb::StatsMapping, as the CLI's reader does
// (mgmt/stats_reader.h); control needs only these two fields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "sadb/stats_mapping.h"
#include "sadb/stats_segment.h"

namespace espgw::control {

class SaStatsReader {
  public:
    SaStatsReader() = default;
    SaStatsReader(const SaStatsReader&) = delete;
    SaStatsReader& operator=(const SaStatsReader&) = delete;
    ~SaStatsReader() = default;

    // (Re)maps the segment of `instance` (a restarted dataplane creates a new one).
    bool open(const std::string& instance, std::string* error);
    // Reads a segment already in memory (tests); it must outlive the reader.
    bool attach(void* base, size_t size, std::string* error);
    bool is_open() const { return map_.is_open(); }

    // CLOCK_REALTIME nanoseconds when the dataplane installed the SA of `conn_id`.
    std::optional<uint64_t> installed_unix_ns(uint32_t conn_id);
    // The SA's packet counter (#pkts encaps or decaps).
    std::optional<uint64_t> packets(uint32_t conn_id);

  private:
    const sadb::SaSlot* slot(uint32_t conn_id);

    sadb::StatsMapping map_;
    std::unordered_map<uint32_t, uint32_t> slot_of_;  // conn id -> slot, checked on each read
};

}  // namespace espgw::control
