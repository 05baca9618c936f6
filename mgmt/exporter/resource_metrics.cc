// Resources: depth and capacity of the rings (to and from control, and each forwarding lcore's
// handoff and main-lcore rings), messages lost on a full event ring, and mbuf pool use.
#include <cstring>

#include "mgmt/exporter/metric_groups.h"

namespace espgw::mgmt::exporter {
namespace {

Labels ring_labels(const sadb::RingStats& s) {
    Labels l;
    l.add("ring", std::string(s.name, strnlen(s.name, sizeof s.name)));
    if (s.lcore >= 0) l.add("lcore", std::to_string(s.lcore));
    return l;
}

void ring_metrics(Exposition& e, const sadb::ResourceRegion& res) {
    const uint32_t n = std::min(res.ring_count, sadb::kMaxRingStats);
    std::vector<Labels> labels;
    for (uint32_t k = 0; k < n; ++k)
        labels.push_back(ring_labels(res.rings[k]));
    e.family("espgw_ring_depth", MetricType::kGauge, "messages or packets waiting in the ring");
    for (uint32_t k = 0; k < n; ++k)
        e.sample(labels[k], uint64_t{res.rings[k].depth});
    e.family("espgw_ring_capacity", MetricType::kGauge, "usable slots of the ring");
    for (uint32_t k = 0; k < n; ++k)
        e.sample(labels[k], uint64_t{res.rings[k].capacity});
    e.family("espgw_ring_drops_total", MetricType::kCounter,
             "messages lost because the ring was full: control's event ring; to_main for SA "
             "events, drop samples, ACQUIREs, ARP resolutions and ICMP error requests (packets "
             "refused by full handoff and punt rings count as the lcore drop reasons "
             "handoff_full and punt_full)");
    for (uint32_t k = 0; k < n; ++k)
        if (res.rings[k].has_drops) e.sample(labels[k], res.rings[k].drops);
}

}  // namespace

void resource_metrics(Exposition& e, const StatsReader& r) {
    const sadb::ResourceRegion res = r.resources();
    if (res.published_unix_ns == 0) return;  // the main lcore publishes within a second
    ring_metrics(e, res);
    const Labels pool = Labels().add(
        "pool", std::string(res.mbuf_pool, strnlen(res.mbuf_pool, sizeof res.mbuf_pool)));
    e.family("espgw_mbuf_pool_in_use", MetricType::kGauge, "packet buffers taken from the pool");
    e.sample(pool, uint64_t{res.mbuf_in_use});
    e.family("espgw_mbuf_pool_size", MetricType::kGauge, "packet buffers in the pool");
    e.sample(pool, uint64_t{res.mbuf_pool_size});
}

}  // namespace espgw::mgmt::exporter
