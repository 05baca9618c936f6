// Per-lcore families: poll loop load, packets in and out, handoffs between lcores (SA owner),
// punts to the main lcore, and every drop reason (global drops are their sum over lcores).
#include "mgmt/exporter/metric_groups.h"

namespace espgw::mgmt::exporter {
namespace {

constexpr CounterField<sadb::LcoreStats> kFields[] = {
    {"espgw_lcore_busy_polls_total", "poll loop iterations that found work",
     &sadb::LcoreStats::polls_busy},
    {"espgw_lcore_idle_polls_total", "poll loop iterations that found nothing",
     &sadb::LcoreStats::polls_idle},
    {"espgw_lcore_rx_packets_total", "packets received from ports by the lcore",
     &sadb::LcoreStats::rx_packets},
    {"espgw_lcore_tx_packets_total", "packets sent to ports by the lcore",
     &sadb::LcoreStats::tx_packets},
    {"espgw_lcore_handoff_sent_packets_total", "packets handed to the lcore that owns their SA",
     &sadb::LcoreStats::handoff_out},
    {"espgw_lcore_handoff_received_packets_total",
     "packets of SAs the lcore owns received from another lcore", &sadb::LcoreStats::handoff_in},
    {"espgw_lcore_punted_packets_total",
     "packets passed to the main lcore (ARP, ICMP, IKE for control)", &sadb::LcoreStats::punted},
};

}  // namespace

void lcore_metrics(Exposition& e, const StatsReader& r) {
    std::vector<sadb::LcoreStats> lcores;
    std::vector<Labels> labels;
    for (uint32_t i = 0; i < r.header().max_lcores; ++i) {
        const sadb::LcoreStats s = r.lcore(i);
        if (!s.active) continue;
        lcores.push_back(s);
        labels.push_back(Labels().add("lcore", std::to_string(s.lcore_id)));
    }
    counter_families(e, kFields, lcores, labels);
    e.family("espgw_lcore_drops_total", MetricType::kCounter,
             "packets dropped by the lcore, by reason (sadb/drop_reason.def)");
    for (size_t k = 0; k < lcores.size(); ++k) {
        for (const auto& info : sadb::kDropReasons) {
            if (info.reason == sadb::DropReason::kNone) continue;
            const uint64_t n = lcores[k].drops.count[static_cast<size_t>(info.reason)];
            e.sample(labels[k], "reason", info.label, n);
        }
    }
}

}  // namespace espgw::mgmt::exporter
