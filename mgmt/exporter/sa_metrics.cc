// Per-SA families: the counters behind `show crypto ipsec sa` (#pkts encaps / decaps, bytes,
// send / recv errors) and the per-SA drop reasons (sadb/drop_reason.def, per_sa column).
#include <cstring>

#include "mgmt/exporter/metric_groups.h"
#include "sadb/wire_text.h"

namespace espgw::mgmt::exporter {
namespace {

namespace wire = sadb::wire;

// `sa` names the tunnel as the configuration does (crypto map tag / sequence), so it stays the
// same across rekeys; spi and dir tell the SAs of one tunnel apart.
Labels sa_labels(const wire::Sa& m) {
    const std::string map(m.map_name, strnlen(m.map_name, sizeof m.map_name));
    const std::string sa =
        map.empty() ? "conn" + std::to_string(m.conn_id) : map + "/" + std::to_string(m.map_seq);
    Labels l;
    l.add("sa", sa)
        .add("spi", wire::hex_text(m.spi))
        .add("peer", wire::addr_text(m.peer))
        .add("dir", m.direction == wire::Direction::kInbound ? "in" : "out");
    return l;
}

void counter_family(Exposition& e, std::string_view name, std::string_view help,
                    const std::vector<SaSnapshot>& sas, const std::vector<Labels>& labels,
                    uint64_t sadb::SaCounters::*field) {
    e.family(name, MetricType::kCounter, help);
    for (size_t k = 0; k < sas.size(); ++k)
        e.sample(labels[k], sas[k].slot_copy.counters.*field);
}

void drop_family(Exposition& e, const std::vector<SaSnapshot>& sas,
                 const std::vector<Labels>& labels, bool all) {
    e.family("espgw_sa_drops_total", MetricType::kCounter,
             "packets of the SA dropped, by reason (reasons counted per SA only)");
    for (size_t k = 0; k < sas.size(); ++k) {
        for (const auto& info : sadb::kDropReasons) {
            if (!info.per_sa) continue;
            const uint64_t n = sas[k].slot_copy.counters.drops[static_cast<size_t>(info.reason)];
            if (n != 0 || all) e.sample(labels[k], "reason", info.label, n);
        }
    }
}

}  // namespace

void sa_metrics(Exposition& e, const std::vector<SaSnapshot>& sas, bool all_drops) {
    std::vector<Labels> labels;
    labels.reserve(sas.size());
    for (const SaSnapshot& s : sas)
        labels.push_back(sa_labels(s.slot_copy.meta));
    counter_family(e, "espgw_sa_packets_total",
                   "packets encapsulated (dir out) or decapsulated (dir in) by the SA", sas, labels,
                   &sadb::SaCounters::packets);
    counter_family(e, "espgw_sa_bytes_total", "protected (inner) bytes of the SA", sas, labels,
                   &sadb::SaCounters::bytes);
    counter_family(e, "espgw_sa_errors_total",
                   "packets of the SA dropped (send errors dir out, recv errors dir in)", sas,
                   labels, &sadb::SaCounters::errors);
    drop_family(e, sas, labels, all_drops);
}

}  // namespace espgw::mgmt::exporter
