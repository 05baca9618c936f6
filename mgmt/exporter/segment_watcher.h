// The stats segment of one instance as the exporter sees it across dataplane restarts: opened
// on demand, re-opened when the dataplane re-created it (another file behind the same name), and
// reported absent while no dataplane is alive (the file of a dataplane that crashed stays).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "mgmt/stats_reader.h"

namespace espgw::mgmt::exporter {

class SegmentWatcher {
  public:
    explicit SegmentWatcher(std::string instance) : instance_(std::move(instance)) {}

    // The reader for this scrape, or null with `why` set. Not thread-safe: one scrape at a time.
    const StatsReader* get(std::string* why);

  private:
    std::string instance_;
    std::unique_ptr<StatsReader> reader_;
    dev_t dev_ = 0;
    ino_t ino_ = 0;
};

}  // namespace espgw::mgmt::exporter
