// Interfaces, connected and static routes, static neighbours and the global settings.
#include <algorithm>
#include <map>

#include "control/compiler_internal.h"
#include "control/wire_convert.h"

namespace espgw::control {
namespace {

wire::Interface to_wire(CompileContext& ctx, const InterfaceConfig& i) {
    wire::Interface w{};
    w.port = *i.dpdk_port;
    w.mtu = i.mtu.value_or(kDefaultMtu);
    w.mss_clamp = i.tcp_adjust_mss.value_or(0);
    w.outside = i.crypto_map.empty() ? 0 : 1;
    if (i.address_kind == AddressKind::kStatic) {
        w.addr = to_wire_addr(i.address);
        w.prefix = i.prefix_len;
    }
    if (!copy_name(w.name, i.name)) ctx.error(i.line, "interface name longer than 31 characters");
    if (!copy_name(w.crypto_map, i.crypto_map))
        ctx.error(i.crypto_map_line, "crypto map name longer than 31 characters");
    // The description is for display only: a long one is shortened, not refused.
    copy_name(w.description, std::string_view(i.description).substr(0, sizeof(w.description) - 1));
    return w;
}

bool has_prefix(const InterfaceConfig& i) {
    return CompileContext::usable(i) && i.address_kind == AddressKind::kStatic;
}

wire::Route connected_route(const InterfaceConfig& i) {
    wire::Route r{};
    r.prefix = to_wire_addr(Prefix::of(i.address, i.prefix_len).addr);
    r.prefix_len = i.prefix_len;
    r.port = *i.dpdk_port;
    return r;  // next_hop.version 0: directly connected
}

// The egress port of a static route: its named interface, else the connected network of its
// next hop. Recursive next hops (reached through another static route) are not resolved.
std::optional<uint16_t> route_port(CompileContext& ctx, const StaticRoute& r) {
    if (!r.interface.empty()) {
        const InterfaceConfig* i = ctx.cfg.find_interface(r.interface);
        if (i && CompileContext::usable(*i)) return *i->dpdk_port;
        ctx.warning(r.line,
                    "interface " + r.interface +
                        " is not bound to a DPDK port or is shut down: route not installed");
        return std::nullopt;
    }
    if (const InterfaceConfig* i = ctx.connected_interface(*r.next_hop)) return *i->dpdk_port;
    ctx.warning(r.line,
                "next hop " + r.next_hop->to_string() +
                    " is not on a connected network: route not installed",
                "espgw resolves next hops through the interfaces' own prefixes");
    return std::nullopt;
}

// IOS installs the route of lowest administrative distance per prefix (floating statics).
std::vector<const StaticRoute*> best_routes(const std::vector<StaticRoute>& routes) {
    std::map<Prefix, const StaticRoute*> best;
    for (const StaticRoute& r : routes) {
        auto [it, fresh] = best.emplace(r.prefix, &r);
        if (!fresh && r.distance < it->second->distance) it->second = &r;
    }
    std::vector<const StaticRoute*> out;
    for (const StaticRoute& r : routes)
        if (best[r.prefix] == &r) out.push_back(&r);
    return out;
}

}  // namespace

wire::Globals compile_globals(CompileContext& ctx) {
    const IpsecGlobals& g = ctx.cfg.ipsec;
    wire::Globals w{};
    w.frag = g.frag == FragPolicy::kBeforeEncryption ? wire::FragPolicy::kBeforeEncryption
                                                     : wire::FragPolicy::kAfterEncryption;
    w.df = static_cast<wire::DfPolicy>(g.df_bit);
    w.idle_backoff = 1;  // informative: espgw-dataplane --idle-backoff on|off decides
    w.replay_window = g.replay_disabled ? 0 : g.replay_window.value_or(kDefaultReplayWindow);
    w.icmp_rate_per_s = kDefaultIcmpRate;
    return w;
}

std::vector<wire::Interface> compile_interfaces(CompileContext& ctx) {
    std::vector<wire::Interface> out;
    for (const InterfaceConfig& i : ctx.cfg.interfaces) {
        if (i.shutdown) continue;
        if (!i.dpdk_port) {
            ctx.warning(i.line, "interface " + i.name + " is not bound to a DPDK port: not used",
                        "add dpdk-port N under the interface");
            continue;
        }
        if (i.frag && *i.frag != ctx.cfg.ipsec.frag)
            ctx.warning(i.line,
                        "per-interface crypto ipsec fragmentation is not supported: the global "
                        "setting applies");
        out.push_back(to_wire(ctx, i));
    }
    return out;
}

std::vector<wire::Route> compile_routes(CompileContext& ctx) {
    std::vector<wire::Route> out;
    for (const InterfaceConfig& i : ctx.cfg.interfaces)
        if (has_prefix(i)) out.push_back(connected_route(i));
    for (const StaticRoute* r : best_routes(ctx.cfg.routes)) {
        const auto port = route_port(ctx, *r);
        if (!port) continue;
        wire::Route w{};
        w.prefix = to_wire_addr(r->prefix.addr);
        w.prefix_len = r->prefix.len;
        w.port = *port;
        if (r->next_hop) w.next_hop = to_wire_addr(*r->next_hop);
        out.push_back(w);
    }
    return out;
}

std::vector<wire::Neighbor> compile_neighbors(CompileContext& ctx) {
    std::vector<wire::Neighbor> out;
    for (const StaticArp& a : ctx.cfg.arps) {
        const InterfaceConfig* i = ctx.connected_interface(a.address);
        if (!i) {
            ctx.warning(a.line, a.address.to_string() +
                                    " is not on a connected network: arp entry not installed");
            continue;
        }
        wire::Neighbor n{};
        n.addr = to_wire_addr(a.address);
        std::copy(a.mac.begin(), a.mac.end(), n.mac);
        n.port = *i->dpdk_port;
        n.is_static = 1;
        out.push_back(n);
    }
    return out;
}

}  // namespace espgw::control
