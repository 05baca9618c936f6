// The exporter's and the dataplane's own state: up, build, start time, configuration
// generation, SA and tunnel counts.
#include <algorithm>
#include <set>

#include "mgmt/exporter/metric_groups.h"

namespace espgw::mgmt::exporter {
namespace {

namespace wire = sadb::wire;

// The two SAs of a tunnel name each other (pair_conn_id); a lone SA is a tunnel of its own.
size_t tunnel_count(const std::vector<SaSnapshot>& sas) {
    std::set<uint32_t> tunnels;
    for (const SaSnapshot& s : sas) {
        const wire::Sa& m = s.slot_copy.meta;
        tunnels.insert(m.pair_conn_id != 0 ? std::min(m.conn_id, m.pair_conn_id) : m.conn_id);
    }
    return tunnels.size();
}

void gauge(Exposition& e, std::string_view name, std::string_view help, uint64_t v) {
    e.family(name, MetricType::kGauge, help);
    e.sample(v);
}

}  // namespace

void exporter_metrics(Exposition& e, bool up, const MetricsOptions& o) {
    gauge(e, "espgw_up", "1 if the dataplane's statistics could be read, 0 otherwise", up);
    e.family("espgw_build_info", MetricType::kGauge, "espgw version and source revision");
    e.sample(Labels().add("version", o.version).add("revision", o.revision), uint64_t{1});
}

void gateway_metrics(Exposition& e, const StatsReader& r, const std::vector<SaSnapshot>& sas) {
    const sadb::StatsHeader& h = r.header();
    e.family("espgw_dataplane_start_time_seconds", MetricType::kGauge,
             "start time of the dataplane process since the Unix epoch");
    e.sample(static_cast<double>(sadb::shm_load(h.start_unix_ns)) / 1e9);
    gauge(e, "espgw_dataplane_forwarding",
          "1 once the dataplane applied a first full configuration", sadb::shm_load(h.forwarding));
    gauge(e, "espgw_config_generation", "configuration generation applied on every lcore",
          sadb::shm_load(h.config_generation));
    const auto out = static_cast<uint64_t>(std::count_if(sas.begin(), sas.end(), [](auto& s) {
        return s.slot_copy.meta.direction == wire::Direction::kOutbound;
    }));
    e.family("espgw_sas", MetricType::kGauge, "installed IPsec SAs by direction");
    e.sample(Labels().add("dir", "in"), uint64_t{sas.size() - out});
    e.sample(Labels().add("dir", "out"), out);
    gauge(e, "espgw_sa_capacity", "SA slots of the dataplane (--max-sas)", h.max_sas);
    gauge(e, "espgw_tunnels", "tunnels with at least one installed SA", tunnel_count(sas));
}

}  // namespace espgw::mgmt::exporter
