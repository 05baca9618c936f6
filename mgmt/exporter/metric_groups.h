// The metric families, one group per file, each adding complete families to an Exposition.
#pragma once

#include <vector>

#include "mgmt/exporter/exposition.h"
#include "mgmt/exporter/metrics.h"
#include "mgmt/stats_reader.h"

namespace espgw::mgmt::exporter {

// A counter family whose samples are one field of a row of the segment (an lcore, a port).
template <typename Row>
struct CounterField {
    std::string_view name;
    std::string_view help;
    uint64_t Row::*value;
};

// Each field's family, with one sample per row (labels[k] belongs to rows[k]).
template <typename Row, size_t N>
void counter_families(Exposition& e, const CounterField<Row> (&fields)[N],
                      const std::vector<Row>& rows, const std::vector<Labels>& labels) {
    for (const CounterField<Row>& f : fields) {
        e.family(f.name, MetricType::kCounter, f.help);
        for (size_t k = 0; k < rows.size(); ++k)
            e.sample(labels[k], rows[k].*f.value);
    }
}

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
