// `crypto isakmp client configuration group NAME`: mode-config attributes pushed to VPN clients
// (address pool, DNS, WINS, domain, split-tunnel ACL). Stored for the IKE engine.
#include <algorithm>

#include "control/parser_internal.h"

namespace espgw::control {
namespace {

void key(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 1, "key KEY")) return;
    const std::string_view text = l.tokens[arg];
    ctx.client_group().key.assign({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

// `dns A [B]`, `wins A [B]`: primary and secondary server.
bool servers(ParseContext& ctx, const Line& l, size_t arg, std::vector<Ipv4>* out) {
    if (!ctx.need(l, arg + 1, "dns|wins PRIMARY [SECONDARY]") ||
        !ctx.no_extra(l, arg + 2, "dns|wins PRIMARY [SECONDARY]"))
        return false;
    std::vector<Ipv4> v;
    for (size_t i = arg; i < l.size(); ++i) {
        auto a = ctx.address(l, i, "the server");
        if (!a) return false;
        v.push_back(*a);
    }
    *out = std::move(v);
    return true;
}

void dns(ParseContext& ctx, const Line& l, size_t arg) {
    servers(ctx, l, arg, &ctx.client_group().dns);
}
void wins(ParseContext& ctx, const Line& l, size_t arg) {
    servers(ctx, l, arg, &ctx.client_group().wins);
}

template <std::string ClientGroup::*kField>
void single_name(ParseContext& ctx, const Line& l, size_t arg) {
    if (ctx.need(l, arg + 1, std::string(l.head(arg)) + " NAME"))
        ctx.client_group().*kField = std::string(l.tokens[arg]);
}

void unsupported(ParseContext& ctx, const Line& l, size_t arg) {
    ctx.warning(l, "'" + std::string(l.head(arg)) + "' is not supported yet: line ignored");
}

constexpr Command kClientGroupCommands[] = {
    {"key", key},
    {"dns", dns},
    {"wins", wins},
    {"domain", single_name<&ClientGroup::domain>},
    {"pool", single_name<&ClientGroup::pool>},
    {"acl", single_name<&ClientGroup::acl>},
    {"save-password", unsupported},
    {"include-local-lan", unsupported},
    {"netmask", unsupported},
    {"max-users", unsupported},
    {"max-logins", unsupported},
    {"backup-gateway", unsupported},
    {"split-dns", unsupported},
    {"banner", unsupported},
    {"pfs", unsupported},
    {"firewall", unsupported},
};

}  // namespace

std::span<const Command> client_group_commands() {
    return kClientGroupCommands;
}

void parse_client_group(ParseContext& ctx, const Line& l, size_t arg) {
    constexpr std::string_view kUsage = "crypto isakmp client configuration group NAME";
    if (!ctx.need(l, arg + 1, kUsage) || !ctx.no_extra(l, arg + 1, kUsage))
        return ctx.enter(Block::kRejected, l);
    auto& v = ctx.cfg.client_groups;
    auto it = std::find_if(v.begin(), v.end(), [&](auto& g) { return g.name == l.tokens[arg]; });
    if (it == v.end()) {
        v.push_back(ClientGroup{.line = l.number, .name = std::string(l.tokens[arg])});
        it = v.end() - 1;
    }
    ctx.enter(Block::kClientGroup, l, static_cast<size_t>(it - v.begin()));
}

}  // namespace espgw::control
