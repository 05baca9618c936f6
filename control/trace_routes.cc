#include "control/trace_routes.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <tuple>

#include "control/wire_convert.h"

namespace espgw::control {
namespace {

// A compiled route is connected when an interface with that prefix on that port produced it
// (topology_compiler.cc adds those first, without a next hop).
bool is_connected(const Config& cfg, const wire::Route& r, const Prefix& prefix) {
    if (r.next_hop.version != 0) return false;
    for (const InterfaceConfig& i : cfg.interfaces)
        if (i.dpdk_port && *i.dpdk_port == r.port && i.address_kind == AddressKind::kStatic &&
            Prefix::of(i.address, i.prefix_len) == prefix)
            return true;
    return false;
}

uint8_t static_distance(const Config& cfg, const Prefix& prefix) {
    uint8_t best = 255;
    for (const StaticRoute& s : cfg.routes)
        if (s.prefix == prefix) best = std::min(best, s.distance);
    return best == 255 ? 1 : best;
}

}  // namespace

std::string interface_name(const CompiledPolicy& p, uint16_t port) {
    for (const wire::Interface& i : p.interfaces)
        if (i.port == port) return std::string(i.name, strnlen(i.name, sizeof i.name));
    return "";
}

std::vector<InstalledRoute> installed_routes(const Config& cfg, const CompiledPolicy& p) {
    std::map<std::pair<uint32_t, uint8_t>, InstalledRoute> by_prefix;
    for (const wire::Route& r : p.routes) {
        InstalledRoute ir;
        ir.prefix = Prefix::of(from_wire_addr(r.prefix), r.prefix_len);
        ir.code = is_connected(cfg, r, ir.prefix) ? 'C' : 'S';
        ir.port = r.port;
        ir.interface = interface_name(p, r.port);
        if (r.next_hop.version == 4) ir.next_hop = from_wire_addr(r.next_hop);
        ir.distance = ir.code == 'C' ? 0 : static_distance(cfg, ir.prefix);
        by_prefix[{ir.prefix.addr.value, ir.prefix.len}] = ir;
    }
    std::vector<InstalledRoute> out;
    for (auto& [key, r] : by_prefix)
        out.push_back(r);
    return out;
}

const InstalledRoute* lookup_route(const std::vector<InstalledRoute>& routes, Ipv4 dst) {
    const InstalledRoute* best = nullptr;
    for (const InstalledRoute& r : routes)
        if (r.prefix.contains(dst) && (!best || r.prefix.len > best->prefix.len)) best = &r;
    return best;
}

}  // namespace espgw::control
