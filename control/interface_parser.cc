// `interface NAME` and its sub-commands. Sub-commands espgw has no use for (duplex, speed,
// no keepalive, ...) are reported as ignored by the block dispatcher.
#include <algorithm>
#include <cctype>

#include "control/parser_internal.h"

namespace espgw::control {
namespace {

// IOS accepts `interface FastEthernet 0/0` and stores FastEthernet0/0.
std::string interface_name(const Line& l, size_t arg) {
    std::string name(l.tokens[arg]);
    if (arg + 1 < l.size() && std::isdigit(static_cast<unsigned char>(l.tokens[arg + 1][0])))
        name += l.tokens[arg + 1];
    return name;
}

void description(ParseContext& ctx, const Line& l, size_t arg) {
    ctx.interface().description = std::string(l.rest(arg));
}

// espgw's binding of an interface name to a DPDK port id (the `dpdk-port N` extension).
void dpdk_port(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 1, "dpdk-port <0-1023>")) return;
    if (auto p = ctx.number(l, arg, 0, 1023, "the DPDK port")) {
        ctx.interface().dpdk_port = static_cast<uint16_t>(*p);
        ctx.no_extra(l, arg + 1, "dpdk-port <0-1023>");
    }
}

void ip_address_dhcp(ParseContext& ctx, const Line& l) {
    ctx.interface().address_kind = AddressKind::kDhcp;
    ctx.warning(l, "ip address dhcp is not supported yet: the interface has no address",
                "configure a static ip address A M for the dataplane");
}

void ip_address(ParseContext& ctx, const Line& l, size_t arg) {
    constexpr std::string_view kUsage = "ip address A.B.C.D MASK | ip address dhcp";
    if (!ctx.need(l, arg + 1, kUsage)) return;
    if (l.is(arg, "dhcp")) return ip_address_dhcp(ctx, l);
    if (!ctx.need(l, arg + 2, kUsage)) return;
    const auto addr = ctx.address(l, arg, "the interface address");
    const auto len = ctx.netmask(l, arg + 1);
    if (!addr || !len) return;
    if (l.is(arg + 2, "secondary"))
        return ctx.warning(l, "secondary addresses are not supported: line ignored");
    InterfaceConfig& itf = ctx.interface();
    itf.address_kind = AddressKind::kStatic;
    itf.address = *addr;
    itf.prefix_len = *len;
    ctx.no_extra(l, arg + 2, kUsage);
}

void no_ip_address(ParseContext& ctx, const Line&, size_t) {
    ctx.interface().address_kind = AddressKind::kNone;
}

void ip_mtu(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 1, "ip mtu <68-9216>")) return;
    if (auto v = ctx.number(l, arg, 68, 9216, "ip mtu")) ctx.interface().mtu = *v;
}

void tcp_adjust_mss(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 1, "ip tcp adjust-mss <500-1460>")) return;
    if (auto v = ctx.number(l, arg, 500, 1460, "ip tcp adjust-mss"))
        ctx.interface().tcp_adjust_mss = *v;
}

void crypto_map(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 1, "crypto map NAME")) return;
    ctx.interface().crypto_map = std::string(l.tokens[arg]);
    ctx.interface().crypto_map_line = l.number;
}

void no_crypto_map(ParseContext& ctx, const Line&, size_t) {
    ctx.interface().crypto_map.clear();
}

void fragmentation(ParseContext& ctx, const Line& l, size_t arg) {
    if (auto f = frag_policy_arg(ctx, l, arg)) ctx.interface().frag = *f;
}

void df_bit(ParseContext& ctx, const Line& l, size_t arg) {
    if (auto d = df_bit_arg(ctx, l, arg)) ctx.interface().df_bit = *d;
}

void shutdown(ParseContext& ctx, const Line&, size_t) {
    ctx.interface().shutdown = true;
}
void no_shutdown(ParseContext& ctx, const Line&, size_t) {
    ctx.interface().shutdown = false;
}

constexpr Command kInterfaceCommands[] = {
    {"description", description},
    {"dpdk-port", dpdk_port},
    {"ip address", ip_address},
    {"no ip address", no_ip_address},
    {"ip mtu", ip_mtu},
    {"ip tcp adjust-mss", tcp_adjust_mss},
    // `crypto map NAME SEQ ...` on an unindented line is the global command, not this one.
    {"crypto map", crypto_map, 3},
    {"no crypto map", no_crypto_map},
    {"crypto ipsec fragmentation", fragmentation},
    {"crypto ipsec df-bit", df_bit},
    {"shutdown", shutdown, 1},
    {"no shutdown", no_shutdown, 2},
};

}  // namespace

std::span<const Command> interface_commands() {
    return kInterfaceCommands;
}

void parse_interface(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 1, "interface NAME")) return ctx.enter(Block::kRejected, l);
    const std::string name = interface_name(l, arg);
    auto& list = ctx.cfg.interfaces;
    auto it = std::find_if(list.begin(), list.end(), [&](auto& i) { return i.name == name; });
    if (it == list.end()) {
        list.push_back(InterfaceConfig{.line = l.number, .name = name});
        it = list.end() - 1;
    }
    ctx.enter(Block::kInterface, l, static_cast<size_t>(it - list.begin()));
}

}  // namespace espgw::control
