// The exposition of one scrape of espgw-exporter, built from the stats segment
// (sadb/stats_segment.h) through mgmt/stats_reader. Metric names follow Prometheus conventions:
// `espgw_` prefix, base units, `_total` on counters; label names sa, spi, peer, dir, reason,
// lcore, port, interface, rule, map, seq, ring.
#pragma once

#include <string>

#include "mgmt/stats_reader.h"

namespace espgw::mgmt::exporter {

struct MetricsOptions {
    // Per-SA drop series for every per-SA reason, or only those that counted something: at
    // 10,000 SAs the zeros are ~80% of the scrape (bench/results/exporter.md).
    bool sa_drops_all = false;
    std::string version;  // espgw_build_info
    std::string revision;
};

// `reader` is null when no dataplane segment can be read: the exposition then says
// espgw_up 0 and carries only the exporter's own families.
std::string render_metrics(const StatsReader* reader, const MetricsOptions& options);

}  // namespace espgw::mgmt::exporter
