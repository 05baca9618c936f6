// `show interfaces [NAME]` in the IOS layout, the configuration from control and the counters of
// the interface's DPDK port from the stats segment (PortStats, refreshed once a second):
//
//   port0 is up, line protocol is up
//     Hardware is DPDK port 0 (net_af_packet0), address is 0200.0000.0001 (bia 0200.0000.0001)
//     Description: outside
//     Internet address is 192.0.2.1/24
//     MTU 1500 bytes, encapsulation ARPA
//     Crypto map VPN
//        1234 packets input, 123456 bytes, 0 no buffer
//        0 input errors, 0 overrun
//        5678 packets output, 567890 bytes
//        0 output errors
#include <cstdio>
#include <cstring>

#include "mgmt/show_config.h"

namespace espgw::mgmt {
namespace {

std::string fixed(const char* s, size_t n) {
    return std::string(s, strnlen(s, n));
}

Json port_json(const sadb::PortStats& p) {
    return {{"device", fixed(p.name, sizeof p.name)},
            {"mac", mac_colon_text(p.mac)},
            {"rx_packets", p.rx_packets},
            {"rx_bytes", p.rx_bytes},
            {"rx_errors", p.rx_errors},
            {"rx_missed", p.rx_missed},
            {"rx_nombuf", p.rx_nombuf},
            {"tx_packets", p.tx_packets},
            {"tx_bytes", p.tx_bytes},
            {"tx_errors", p.tx_errors}};
}

std::string u64(const Json& j) {
    return std::to_string(j.get<uint64_t>());
}

// "up"/"down"/"administratively down" as IOS words them; the line protocol follows.
std::string state_line(const Json& i) {
    const std::string name = i["name"];
    if (i["shutdown"].get<bool>())
        return name + " is administratively down, line protocol is down\n";
    if (i["stats"].is_null()) return name + " is down, line protocol is down\n";
    return name + " is up, line protocol is up\n";
}

void hardware_line(std::string& o, const Json& i) {
    if (i["dpdk_port"].is_null()) {
        o += "  Hardware is not bound to a DPDK port (dpdk-port N)\n";
        return;
    }
    const std::string port = std::to_string(i["dpdk_port"].get<int>());
    if (i["stats"].is_null()) {
        o += "  Hardware is DPDK port " + port + " (not found in the dataplane)\n";
        return;
    }
    const std::string mac = ios_mac(i["stats"]["mac"]);
    o += "  Hardware is DPDK port " + port + " (" + i["stats"]["device"].get<std::string>() +
         "), address is " + mac + " (bia " + mac + ")\n";
}

void counter_lines(std::string& o, const Json& s) {
    if (s.is_null()) return;
    o += "     " + u64(s["rx_packets"]) + " packets input, " + u64(s["rx_bytes"]) + " bytes, " +
         u64(s["rx_nombuf"]) + " no buffer\n";
    o += "     " + u64(s["rx_errors"]) + " input errors, " + u64(s["rx_missed"]) + " overrun\n";
    o += "     " + u64(s["tx_packets"]) + " packets output, " + u64(s["tx_bytes"]) + " bytes\n";
    o += "     " + u64(s["tx_errors"]) + " output errors\n";
}

void interface_block(std::string& o, const Json& i) {
    o += state_line(i);
    hardware_line(o, i);
    if (!i["description"].get<std::string>().empty())
        o += "  Description: " + i["description"].get<std::string>() + "\n";
    if (!i["address"].is_null())
        o += "  Internet address is " + i["address"].get<std::string>() + "/" +
             std::to_string(i["prefix_len"].get<int>()) + "\n";
    else if (i["address_kind"] == "dhcp")
        o += "  Internet address will be negotiated using DHCP\n";
    o += "  MTU " + std::to_string(i["mtu"].get<int>()) + " bytes, encapsulation ARPA\n";
    if (!i["tcp_adjust_mss"].is_null())
        o += "  TCP MSS adjust " + std::to_string(i["tcp_adjust_mss"].get<int>()) + "\n";
    if (!i["crypto_map"].get<std::string>().empty())
        o += "  Crypto map " + i["crypto_map"].get<std::string>() + "\n";
    counter_lines(o, i["stats"]);
}

}  // namespace

std::string mac_colon_text(const uint8_t* m) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                  m[5]);
    return buf;
}

std::string ios_mac(const std::string& m) {
    std::string hex;
    for (char c : m)
        if (c != ':') hex += c;
    if (hex.size() != 12) return m;
    return hex.substr(0, 4) + "." + hex.substr(4, 4) + "." + hex.substr(8, 4);
}

Json join_interface_stats(Json doc, const std::vector<sadb::PortStats>& ports) {
    for (Json& i : doc["interfaces"]) {
        i["stats"] = nullptr;
        if (i["dpdk_port"].is_null()) continue;
        for (const sadb::PortStats& p : ports)
            if (p.active && p.port == i["dpdk_port"].get<uint16_t>()) i["stats"] = port_json(p);
    }
    return doc;
}

std::string render_interfaces(const Json& doc) {
    std::string o;
    for (const Json& i : doc["interfaces"])
        interface_block(o, i);
    return o;
}

}  // namespace espgw::mgmt
