// `show arp` in the IOS layout: the gateway's own addresses and configured entries (age "-"),
// the entries the dataplane learnt from ARP replies (age in minutes) and the ones it is still
// resolving (Incomplete), sorted by address:
//
//   Protocol  Address          Age (min)  Hardware Addr   Type   Interface
//   Internet  192.0.2.1               -   0200.0000.0001  ARPA   port0
#include <arpa/inet.h>

#include <cstdio>
#include <cstring>

#include "mgmt/show_config.h"

namespace espgw::mgmt {
namespace {

std::string ipv4_text(uint32_t host_order) {
    const uint32_t be = htonl(host_order);
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &be, buf, sizeof buf);
    return buf;
}

uint32_t ipv4_value(const std::string& text) {
    in_addr a{};
    inet_pton(AF_INET, text.c_str(), &a);
    return ntohl(a.s_addr);
}

Json entry(const std::string& address, Json age, Json mac, const std::string& itf,
           const char* kind) {
    return {{"protocol", "Internet"}, {"address", address}, {"age_min", age}, {"mac", mac},
            {"type", "ARPA"},         {"interface", itf},   {"kind", kind}};
}

// Interface names by port: control's, else the dataplane's (PortStats::ifname).
std::map<uint16_t, std::string> port_names(const Json& control,
                                           const std::vector<sadb::PortStats>& ports) {
    std::map<uint16_t, std::string> names;
    for (const sadb::PortStats& p : ports)
        if (p.active) names[p.port] = std::string(p.ifname, strnlen(p.ifname, sizeof p.ifname));
    for (const Json& o : control.value("own", Json::array()))
        names[o["port"].get<uint16_t>()] = o["interface"];
    return names;
}

Json learnt_entry(const sadb::NeighborSlot& s, uint64_t now_unix_ns, const std::string& itf) {
    const uint64_t age_ns = now_unix_ns > s.updated_unix_ns ? now_unix_ns - s.updated_unix_ns : 0;
    const Json age = age_ns / 60'000'000'000ull;
    switch (s.state) {
        case sadb::NeighborSlotState::kIncomplete:
            return entry(ipv4_text(s.addr), age, nullptr, itf, "incomplete");
        case sadb::NeighborSlotState::kReachable:
            return entry(ipv4_text(s.addr), age, mac_colon_text(s.mac), itf, "dynamic");
        case sadb::NeighborSlotState::kStatic:
            break;
    }
    return entry(ipv4_text(s.addr), nullptr, mac_colon_text(s.mac), itf, "static");
}

std::string row(const std::string& protocol, const std::string& address, const std::string& age,
                const std::string& mac, const std::string& type, const std::string& itf) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%-10s%-15s%10s   %-14s  %-5s  %s", protocol.c_str(),
                  address.c_str(), age.c_str(), mac.c_str(), type.c_str(), itf.c_str());
    std::string line = buf;
    line.erase(line.find_last_not_of(' ') + 1);
    return line + "\n";
}

}  // namespace

Json join_arp(const Json& control, const std::vector<sadb::PortStats>& ports,
              const std::vector<sadb::NeighborSlot>& learnt, uint64_t now_unix_ns) {
    std::map<uint32_t, Json> by_addr;  // sorted by address; the first source of one wins
    for (const Json& o : control.value("own", Json::array())) {
        Json mac = nullptr;
        for (const sadb::PortStats& p : ports)
            if (p.active && p.port == o["port"].get<uint16_t>()) mac = mac_colon_text(p.mac);
        by_addr.emplace(ipv4_value(o["address"]),
                        entry(o["address"], nullptr, mac, o["interface"], "own"));
    }
    for (const Json& s : control.value("static", Json::array()))
        by_addr.emplace(ipv4_value(s["address"]),
                        entry(s["address"], nullptr, s["mac"], s["interface"], "static"));
    const auto names = port_names(control, ports);
    for (const sadb::NeighborSlot& s : learnt) {
        const auto itf = names.find(s.port);
        by_addr.emplace(s.addr,
                        learnt_entry(s, now_unix_ns, itf == names.end() ? "" : itf->second));
    }
    Json entries = Json::array();
    for (auto& [addr, e] : by_addr)
        entries.push_back(std::move(e));
    return {{"entries", entries}};
}

std::string render_arp(const Json& doc) {
    std::string o = "Protocol  Address          Age (min)  Hardware Addr   Type   Interface\n";
    for (const Json& e : doc["entries"]) {
        const std::string age =
            e["age_min"].is_null() ? "-" : std::to_string(e["age_min"].get<uint64_t>());
        const bool incomplete = e["kind"] == "incomplete";
        const std::string mac = !e["mac"].is_null() ? ios_mac(e["mac"])
                                : incomplete        ? "Incomplete"
                                                    : "-";
        o += row(e["protocol"], e["address"], age, mac, e["type"],
                 incomplete ? "" : e["interface"].get<std::string>());
    }
    return o;
}

}  // namespace espgw::mgmt
