// A read-only mapping of a dataplane's statistics segment (stats_segment.h) in another process:
// the CLI and the exporter (mgmt/stats_reader.h) and control's SA timers
// (control/sa_stats_reader.h). One place maps /dev/shm/espgw.<instance>.stats and refuses a
// segment of another format version, or one whose regions do not fit the file, before anything
// reads a region.
#pragma once

#include <cstddef>
#include <string>

#include "sadb/stats_segment.h"

namespace espgw::sadb {

class StatsMapping {
  public:
    StatsMapping() = default;
    StatsMapping(const StatsMapping&) = delete;
    StatsMapping& operator=(const StatsMapping&) = delete;
    ~StatsMapping() { close(); }

    // Maps the segment of `instance`; false with a one-line error (no segment: is the dataplane
    // running?; another version; truncated).
    bool open(const std::string& instance, std::string* error);
    // Checks a segment already in memory (tests); the memory stays the caller's.
    bool attach(const void* base, size_t size, std::string* error);
    void close();

    bool is_open() const { return view_.base != nullptr; }
    const StatsView& view() const { return view_; }

  private:
    bool check(const std::string& instance, std::string* error);

    StatsView view_;
    size_t size_ = 0;
    bool mapped_ = false;  // open() mapped it; attach() did not
};

}  // namespace espgw::sadb
