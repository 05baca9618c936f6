// `crypto keyring NAME` (pre-shared keys by peer address, [004]) and `crypto isakmp profile NAME`
// (per-peer IKE policy selected by identity). Stored for the IKE engine.
#include <algorithm>

#include "control/parser_internal.h"

namespace espgw::control {
namespace {

constexpr std::string_view kPskUsage =
    "pre-shared-key {address A.B.C.D [MASK] | hostname NAME} key KEY";

template <typename T>
size_t named_index(std::vector<T>& v, std::string_view name, int line) {
    auto it = std::find_if(v.begin(), v.end(), [&](auto& x) { return x.name == name; });
    if (it != v.end()) return static_cast<size_t>(it - v.begin());
    v.push_back(T{.line = line, .name = std::string(name)});
    return v.size() - 1;
}

// `address A [MASK]` or `hostname H` at token i; returns the index of the `key` keyword.
std::optional<size_t> psk_peer(ParseContext& ctx, const Line& l, size_t i, PresharedKey* k) {
    if (l.is(i, "hostname")) {
        k->hostname = std::string(l.tokens[i + 1]);
        return i + 2;
    }
    if (!l.is(i, "address"))
        return ctx.error(l, "expected address or hostname", std::string(kPskUsage)), std::nullopt;
    auto a = ctx.address(l, i + 1, "the peer address");
    if (!a) return std::nullopt;
    k->address = *a;
    if (l.is(i + 2, "key")) return i + 2;
    auto m = ctx.address(l, i + 2, "the peer mask");
    if (!m) return std::nullopt;
    k->mask = *m;
    return i + 3;
}

void pre_shared_key(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 4, kPskUsage)) return;
    PresharedKey k{.line = l.number};
    const auto at = psk_peer(ctx, l, arg, &k);
    if (!at) return;
    if (!l.is(*at, "key") || *at + 1 >= l.size())
        return ctx.error(l, "missing key", std::string(kPskUsage));
    const std::string_view text = l.tokens[*at + 1];
    k.key.assign({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
    if (ctx.no_extra(l, *at + 2, kPskUsage)) ctx.keyring().keys.push_back(std::move(k));
}

void keyring_description(ParseContext& ctx, const Line& l, size_t arg) {
    ctx.keyring().description = std::string(l.rest(arg));
}

void profile_description(ParseContext& ctx, const Line& l, size_t arg) {
    ctx.isakmp_profile().description = std::string(l.rest(arg));
}

void profile_keyring(ParseContext& ctx, const Line& l, size_t arg) {
    if (ctx.need(l, arg + 1, "keyring NAME"))
        ctx.isakmp_profile().keyring = std::string(l.tokens[arg]);
}

void match_identity_address(ParseContext& ctx, const Line& l, size_t arg) {
    IdentityMatch m{.kind = IdentityKind::kAddress};
    auto a = ctx.address(l, arg, "the identity address");
    if (!a) return;
    m.address = *a;
    if (arg + 1 < l.size() && !l.is(arg + 1, "vrf")) {
        auto mask = ctx.address(l, arg + 1, "the identity mask");
        if (!mask) return;
        m.mask = *mask;
    }
    ctx.isakmp_profile().match_identity.push_back(m);
}

template <IdentityKind kKind>
void match_identity_name(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 1, "match identity group|host|user NAME")) return;
    ctx.isakmp_profile().match_identity.push_back(
        IdentityMatch{.kind = kKind, .value = std::string(l.tokens[arg])});
}

// Fields that take one name: `client authentication list L`, `isakmp authorization list L`, ...
template <std::string IsakmpProfile::*kField>
void profile_name(ParseContext& ctx, const Line& l, size_t arg) {
    if (ctx.need(l, arg + 1, std::string(l.head(arg)) + " NAME"))
        ctx.isakmp_profile().*kField = std::string(l.tokens[arg]);
}

void profile_keepalive(ParseContext& ctx, const Line& l, size_t arg) {
    if (auto n = ctx.number(l, arg, 10, 3600, "the keepalive interval"))
        ctx.isakmp_profile().keepalive = static_cast<uint32_t>(*n);
}

void profile_unsupported(ParseContext& ctx, const Line& l, size_t arg) {
    ctx.warning(l, "'" + std::string(l.head(arg)) + "' is not supported yet: line ignored");
}

constexpr Command kKeyringCommands[] = {
    {"pre-shared-key", pre_shared_key},
    {"description", keyring_description},
    {"local-address", profile_unsupported},
};

constexpr Command kProfileCommands[] = {
    {"description", profile_description},
    {"keyring", profile_keyring},
    {"match identity address", match_identity_address},
    {"match identity group", match_identity_name<IdentityKind::kGroup>},
    {"match identity host", match_identity_name<IdentityKind::kHost>},
    {"match identity user", match_identity_name<IdentityKind::kUser>},
    {"client authentication list", profile_name<&IsakmpProfile::client_authentication_list>},
    {"isakmp authorization list", profile_name<&IsakmpProfile::isakmp_authorization_list>},
    {"client configuration address", profile_name<&IsakmpProfile::client_configuration_address>},
    {"keepalive", profile_keepalive},
    {"self-identity", profile_unsupported},
    {"initiate mode", profile_unsupported},
    {"local-address", profile_unsupported},
    {"vrf", profile_unsupported},
    {"virtual-template", profile_unsupported},
};

}  // namespace

std::span<const Command> keyring_commands() {
    return kKeyringCommands;
}
std::span<const Command> isakmp_profile_commands() {
    return kProfileCommands;
}

void parse_keyring(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 1, "crypto keyring NAME")) return ctx.enter(Block::kRejected, l);
    if (l.is(arg + 1, "vrf"))
        ctx.warning(l, "keyring VRFs are not supported: the keyring is global");
    ctx.enter(Block::kKeyring, l, named_index(ctx.cfg.keyrings, l.tokens[arg], l.number));
}

void parse_isakmp_profile(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 1, "crypto isakmp profile NAME") ||
        !ctx.no_extra(l, arg + 1, "crypto isakmp profile NAME"))
        return ctx.enter(Block::kRejected, l);
    ctx.enter(Block::kIsakmpProfile, l,
              named_index(ctx.cfg.isakmp_profiles, l.tokens[arg], l.number));
}

}  // namespace espgw::control
