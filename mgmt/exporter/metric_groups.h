// The metric families, one group per file, each adding complete families to an Exposition.
#pragma once

#include <vector>

#include "mgmt/exporter/exposition.h"
#include "mgmt/exporter/metrics.h"
#include "mgmt/stats_reader.h"

namespace espgw::mgmt::exporter {

// espgw_up, espgw_build_info: always present, also without a dataplane.
void exporter_metrics(Exposition& e, bool up, const MetricsOptions& o);
// Start time, forwarding, configuration generation, SA / tunnel counts and capacity.
void gateway_metrics(Exposition& e, const StatsReader& r, const std::vector<SaSnapshot>& sas);
// Per SA: packets, bytes, errors, drops by reason.
void sa_metrics(Exposition& e, const std::vector<SaSnapshot>& sas, bool all_drops);
// Per lcore: polls, rx/tx, handoffs, punts, drops by reason.
void lcore_metrics(Exposition& e, const StatsReader& r);
// Per port: packets, bytes, errors, missed, no-mbuf.
void port_metrics(Exposition& e, const StatsReader& r);
// SPD rule hits.
void spd_metrics(Exposition& e, const StatsReader& r);
// Ring depths and drops, mbuf pool use.
void resource_metrics(Exposition& e, const StatsReader& r);

}  // namespace espgw::mgmt::exporter
