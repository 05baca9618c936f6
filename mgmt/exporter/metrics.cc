#include "mgmt/exporter/metrics.h"

#include "mgmt/exporter/metric_groups.h"

namespace espgw::mgmt::exporter {

std::string render_metrics(const StatsReader* r, const MetricsOptions& o) {
    Exposition e;
    exporter_metrics(e, r != nullptr, o);
    if (r == nullptr) return e.text();
    const std::vector<SaSnapshot> sas = r->sas();
    e.reserve(4096 + sas.size() * 400);  // ~3 SA families of ~100 bytes a line, then drops
    gateway_metrics(e, *r, sas);
    sa_metrics(e, sas, o.sa_drops_all);
    lcore_metrics(e, *r);
    port_metrics(e, *r);
    spd_metrics(e, *r);
    resource_metrics(e, *r);
    return e.text();
}

}  // namespace espgw::mgmt::exporter
