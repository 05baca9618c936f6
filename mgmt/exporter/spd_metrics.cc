// SPD rule hits: packets that matched each rule of the live snapshot, summed over lcores. The
// map is the crypto map applied to the rule's interface; seq is its crypto map entry.
#include <cstring>

#include "mgmt/exporter/metric_groups.h"

namespace espgw::mgmt::exporter {

void spd_metrics(Exposition& e, const StatsReader& r) {
    const std::vector<sadb::SpdRuleInfo> rules = r.spd_rules();
    const std::vector<uint64_t> hits = r.spd_hits(static_cast<uint32_t>(rules.size()));
    std::vector<std::string> map_of_port(r.header().max_ports);
    for (uint32_t p = 0; p < map_of_port.size(); ++p) {
        const sadb::PortStats s = r.port(p);
        map_of_port[p] = std::string(s.crypto_map, strnlen(s.crypto_map, sizeof s.crypto_map));
    }
    e.family("espgw_spd_rule_hits_total", MetricType::kCounter,
             "outbound packets that matched the SPD rule (first match in rule order)");
    for (size_t k = 0; k < hits.size(); ++k) {
        const sadb::SpdRuleInfo& i = rules[k];
        const std::string map = i.port < map_of_port.size() ? map_of_port[i.port] : "";
        e.sample(Labels()
                     .add("rule", std::to_string(i.id))
                     .add("map", map)
                     .add("seq", std::to_string(i.map_seq)),
                 hits[k]);
    }
}

}  // namespace espgw::mgmt::exporter
