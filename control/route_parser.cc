// `ip route`, `arp` and `ip local pool`: the addressing lines that are not interfaces.
#include "control/parser_internal.h"
#include "control/value_parsers.h"

namespace espgw::control {
namespace {

constexpr std::string_view kRouteUsage =
    "ip route PREFIX MASK {NEXT-HOP | INTERFACE [NEXT-HOP]} [DISTANCE] [name TEXT] [permanent] "
    "[tag N]";

// The options after the next hop; only the distance matters to espgw.
bool route_options(ParseContext& ctx, const Line& l, size_t i, StaticRoute* r) {
    for (; i < l.size(); ++i) {
        if (l.is(i, "permanent")) continue;
        if (l.is(i, "name") || l.is(i, "tag")) {
            ++i;
            continue;
        }
        const auto d = ctx.number(l, i, 1, 255, "the administrative distance");
        if (!d) return false;
        r->distance = static_cast<uint8_t>(*d);
    }
    return true;
}

// NEXT-HOP, or INTERFACE optionally followed by NEXT-HOP; returns the index after them.
size_t route_target(const Line& l, size_t i, StaticRoute* r) {
    if (auto nh = Ipv4::parse(l.tokens[i])) {
        r->next_hop = nh;
        return i + 1;
    }
    r->interface = std::string(l.tokens[i]);
    if (auto nh = i + 1 < l.size() ? Ipv4::parse(l.tokens[i + 1]) : std::nullopt) {
        r->next_hop = nh;
        return i + 2;
    }
    return i + 1;
}

}  // namespace

void parse_ip_route(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 3, kRouteUsage)) return;
    if (l.is(arg, "vrf")) return ctx.error(l, "VRF routes are not supported");
    const auto prefix = ctx.address(l, arg, "the route prefix");
    const auto len = ctx.netmask(l, arg + 1);
    if (!prefix || !len) return;
    if ((prefix->value & ~prefix_to_mask(*len).value) != 0)
        return ctx.error(l, "the prefix has bits outside the mask",
                         "did you mean " + Prefix::of(*prefix, *len).addr.to_string() + "?");
    StaticRoute r{.line = l.number, .prefix = Prefix::of(*prefix, *len)};
    if (!route_options(ctx, l, route_target(l, arg + 2, &r), &r)) return;
    ctx.cfg.routes.push_back(std::move(r));
}

void parse_arp(ParseContext& ctx, const Line& l, size_t arg) {
    constexpr std::string_view kUsage = "arp A.B.C.D HHHH.HHHH.HHHH ARPA";
    if (!ctx.need(l, arg + 2, kUsage)) return;
    const auto addr = ctx.address(l, arg, "the neighbour address");
    if (!addr) return;
    const auto mac = parse_mac(l.tokens[arg + 1]);
    if (!mac) return ctx.error(l, "bad MAC address", "Cisco form: 0200.0000.0002");
    if (!l.is(arg + 2, "arpa"))
        return ctx.error(
            l, "only ARPA (Ethernet) encapsulation is supported",
            "arp " + addr->to_string() + " " + std::string(l.tokens[arg + 1]) + " ARPA");
    if (l.size() > arg + 3 && !l.is(arg + 3, "alias")) ctx.no_extra(l, arg + 3, kUsage);
    ctx.cfg.arps.push_back(StaticArp{l.number, *addr, *mac});
}

void parse_ip_local_pool(ParseContext& ctx, const Line& l, size_t arg) {
    constexpr std::string_view kUsage = "ip local pool NAME FIRST [LAST] [group NAME]";
    if (!ctx.need(l, arg + 2, kUsage)) return;
    LocalPool p{.line = l.number, .name = std::string(l.tokens[arg])};
    const auto first = ctx.address(l, arg + 1, "the first pool address");
    if (!first) return;
    p.first = p.last = *first;
    size_t i = arg + 2;
    if (i < l.size() && !l.is(i, "group")) {
        const auto last = ctx.address(l, i++, "the last pool address");
        if (!last) return;
        if (*last < *first) return ctx.error(l, "the last pool address is below the first");
        p.last = *last;
    }
    if (l.is(i, "group")) {
        if (!ctx.need(l, i + 2, kUsage)) return;
        p.group = std::string(l.tokens[i + 1]);
        i += 2;
    }
    if (!ctx.no_extra(l, i, kUsage)) return;
    ctx.cfg.local_pools.push_back(std::move(p));
}

}  // namespace espgw::control
