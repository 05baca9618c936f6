// Interfaces, routes and the ARP entries control knows, as data for show interfaces, show ip
// route and show arp (the CLI adds the ports' counters, MACs and the learnt neighbours).
#include <cstdio>

#include "control/compiler_internal.h"
#include "control/mgmt_views_config.h"
#include "control/trace_routes.h"
#include "control/wire_convert.h"

namespace espgw::control {
namespace {

const char* address_kind_name(AddressKind k) {
    switch (k) {
        case AddressKind::kNone:
            break;
        case AddressKind::kStatic:
            return "static";
        case AddressKind::kDhcp:
            return "dhcp";
    }
    return "none";
}

template <typename T>
Json optional_view(const std::optional<T>& v) {
    return v ? Json(*v) : Json(nullptr);
}

Json interface_view(const InterfaceConfig& i) {
    const bool has_address = i.address_kind == AddressKind::kStatic;
    return {{"name", i.name},
            {"line", i.line},
            {"description", i.description},
            {"dpdk_port", optional_view(i.dpdk_port)},
            {"address_kind", address_kind_name(i.address_kind)},
            {"address", has_address ? Json(i.address.to_string()) : Json(nullptr)},
            {"prefix_len", has_address ? Json(i.prefix_len) : Json(nullptr)},
            {"mtu", i.mtu.value_or(kDefaultMtu)},
            {"tcp_adjust_mss", optional_view(i.tcp_adjust_mss)},
            {"crypto_map", i.crypto_map},
            {"shutdown", i.shutdown}};
}

Json route_view(const InstalledRoute& r) {
    return {{"code", std::string(1, r.code)},
            {"prefix", r.prefix.addr.to_string()},
            {"prefix_len", r.prefix.len},
            {"interface", r.interface},
            {"port", r.port},
            {"next_hop", r.next_hop ? Json(r.next_hop->to_string()) : Json(nullptr)},
            {"distance", r.distance},
            {"metric", 0},
            {"candidate_default", r.prefix.len == 0 && r.code == 'S'}};
}

}  // namespace

std::string mac_json_text(const uint8_t* mac) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
                  mac[4], mac[5]);
    return buf;
}

Json interfaces_view(const Config& cfg) {
    Json out = Json::array();
    for (const InterfaceConfig& i : cfg.interfaces)
        out.push_back(interface_view(i));
    return {{"interfaces", out}};
}

Json arp_view(const CompiledPolicy& p) {
    Json statics = Json::array(), own = Json::array();
    for (const wire::Neighbor& n : p.neighbors)
        statics.push_back({{"address", from_wire_addr(n.addr).to_string()},
                           {"mac", mac_json_text(n.mac)},
                           {"port", n.port},
                           {"interface", interface_name(p, n.port)}});
    for (const wire::Interface& i : p.interfaces)
        if (i.addr.version == 4)
            own.push_back({{"address", from_wire_addr(i.addr).to_string()},
                           {"port", i.port},
                           {"interface", interface_name(p, i.port)}});
    return {{"static", statics}, {"own", own}};
}

Json routes_view(const Config& cfg, const CompiledPolicy& p) {
    Json routes = Json::array();
    Json last_resort = nullptr;
    for (const InstalledRoute& r : installed_routes(cfg, p)) {
        routes.push_back(route_view(r));
        if (r.prefix.len == 0)
            last_resort = {{"next_hop", r.next_hop ? r.next_hop->to_string() : "0.0.0.0"},
                           {"network", "0.0.0.0"}};
    }
    return {{"routes", routes}, {"gateway_of_last_resort", last_resort}};
}

}  // namespace espgw::control
