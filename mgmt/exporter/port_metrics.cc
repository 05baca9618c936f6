// Per-port families: the DPDK port counters (rte_eth_stats) the main lcore copies about once a
// second, labelled with the port id, the configured interface name and the DPDK device.
#include <cstring>

#include "mgmt/exporter/metric_groups.h"

namespace espgw::mgmt::exporter {
namespace {

constexpr CounterField<sadb::PortStats> kFields[] = {
    {"espgw_port_rx_packets_total", "packets received on the port", &sadb::PortStats::rx_packets},
    {"espgw_port_tx_packets_total", "packets sent on the port", &sadb::PortStats::tx_packets},
    {"espgw_port_rx_bytes_total", "bytes received on the port", &sadb::PortStats::rx_bytes},
    {"espgw_port_tx_bytes_total", "bytes sent on the port", &sadb::PortStats::tx_bytes},
    {"espgw_port_rx_errors_total", "erroneous packets received", &sadb::PortStats::rx_errors},
    {"espgw_port_tx_errors_total", "failed transmissions", &sadb::PortStats::tx_errors},
    {"espgw_port_rx_missed_total", "packets the NIC dropped: no room in the rx queue",
     &sadb::PortStats::rx_missed},
    {"espgw_port_rx_nombuf_total", "rx buffer allocation failures", &sadb::PortStats::rx_nombuf},
};

std::string text(const char* s, size_t n) {
    return {s, strnlen(s, n)};
}

}  // namespace

void port_metrics(Exposition& e, const StatsReader& r) {
    std::vector<sadb::PortStats> ports;
    std::vector<Labels> labels;
    for (uint32_t i = 0; i < r.header().max_ports; ++i) {
        const sadb::PortStats p = r.port(i);
        if (!p.active) continue;
        ports.push_back(p);
        labels.push_back(Labels()
                             .add("port", std::to_string(p.port))
                             .add("interface", text(p.ifname, sizeof p.ifname))
                             .add("device", text(p.name, sizeof p.name)));
    }
    counter_families(e, kFields, ports, labels);
}

}  // namespace espgw::mgmt::exporter
