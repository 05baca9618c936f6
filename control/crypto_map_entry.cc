// Sub-commands of a `crypto map NAME SEQ` or `crypto dynamic-map NAME SEQ` entry.
#include <algorithm>

#include "control/parser_internal.h"

namespace espgw::control {
namespace {

bool manual(ParseContext& ctx) {
    return ctx.map_entry().kind == MapKind::kManual;
}

// IKE-only sub-commands are errors in an ipsec-manual entry, as in IOS.
bool isakmp_only(ParseContext& ctx, const Line& l, std::string_view what) {
    if (!manual(ctx)) return true;
    ctx.error(l, std::string(what) + " is not valid in an ipsec-manual entry",
              "manual SAs are not negotiated: remove the line or use ipsec-isakmp");
    return false;
}

void description(ParseContext& ctx, const Line& l, size_t arg) {
    ctx.map_entry().description = std::string(l.rest(arg));
}

// IOS keeps a list of peers (the first is used, the others are backups, E55); a manual entry has
// exactly one, and a new `set peer` replaces it.
void set_peer(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 1, "set peer A.B.C.D [A.B.C.D ...]")) return;
    std::vector<Ipv4> peers;
    for (size_t i = arg; i < l.size(); ++i) {
        if (l.is(i, "default")) continue;
        auto a = ctx.address(l, i, "the peer");
        if (!a) return;
        peers.push_back(*a);
    }
    CryptoMapEntry& e = ctx.map_entry();
    if (manual(ctx) && peers.size() > 1)
        return ctx.error(l, "an ipsec-manual entry has a single peer",
                         "set peer " + peers[0].to_string());
    if (manual(ctx)) e.peers.clear();
    for (Ipv4 p : peers)
        if (std::find(e.peers.begin(), e.peers.end(), p) == e.peers.end()) e.peers.push_back(p);
    e.peer_line = l.number;
}

void set_transform_set(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 1, "set transform-set NAME [NAME ...]")) return;
    if (manual(ctx) && l.size() > arg + 1)
        return ctx.error(l, "an ipsec-manual entry takes exactly one transform set",
                         "set transform-set " + std::string(l.tokens[arg]));
    if (l.size() > arg + 6) return ctx.error(l, "at most six transform sets");
    CryptoMapEntry& e = ctx.map_entry();
    e.transform_sets.clear();
    for (size_t i = arg; i < l.size(); ++i)
        e.transform_sets.emplace_back(l.tokens[i]);
    e.transform_line = l.number;
}

void match_address(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 1, "match address ACL") ||
        !ctx.no_extra(l, arg + 1, "match address ACL"))
        return;
    ctx.map_entry().match_acl = std::string(l.tokens[arg]);
    ctx.map_entry().match_line = l.number;
}

// `set pfs` alone means group1 (IOS default, [001] E30).
void set_pfs(ParseContext& ctx, const Line& l, size_t arg) {
    static constexpr std::string_view kGroups[] = {"group1",  "group2",  "group5",  "group14",
                                                   "group15", "group16", "group19", "group20",
                                                   "group21", "group24"};
    static constexpr uint8_t kNumbers[] = {1, 2, 5, 14, 15, 16, 19, 20, 21, 24};
    if (!isakmp_only(ctx, l, "set pfs")) return;
    if (l.size() == arg) return void(ctx.map_entry().pfs_group = 1);
    if (auto g = ctx.keyword(l, arg, kGroups, "the PFS group"))
        ctx.map_entry().pfs_group = kNumbers[*g];
}

void no_set_pfs(ParseContext& ctx, const Line&, size_t) {
    ctx.map_entry().pfs_group.reset();
}

void sa_lifetime(ParseContext& ctx, const Line& l, size_t arg) {
    CryptoMapEntry& e = ctx.map_entry();
    if (l.is(arg, "seconds")) {
        if (auto n = ctx.number(l, arg + 1, 120, 2592000, "lifetime seconds"))
            e.lifetime_seconds = *n;
    } else if (l.is(arg, "kilobytes")) {
        if (auto n = ctx.number(l, arg + 1, 2560, 4294967295u, "lifetime kilobytes"))
            e.lifetime_kilobytes = *n;
    } else {
        ctx.error(l, "expected seconds N or kilobytes N",
                  "set security-association lifetime seconds|kilobytes N");
    }
}

// IOS: `set security-association idle-time seconds [default]`, 60 to 86400 s; without `default`
// and with it alike here (espgw has no per-peer idle timer to fall back from).
void sa_idle_time(ParseContext& ctx, const Line& l, size_t arg) {
    constexpr std::string_view kUsage = "set security-association idle-time N (60-86400 seconds)";
    if (!ctx.need(l, arg + 1, kUsage)) return;
    if (l.size() > arg + 1 && !l.is(arg + 1, "default"))
        return ctx.error(l, "unexpected '" + std::string(l.tokens[arg + 1]) + "'",
                         std::string(kUsage));
    if (auto n = idle_time_arg(ctx, l, arg)) ctx.map_entry().idle_time = *n;
}

void sa_replay(ParseContext& ctx, const Line& l, size_t arg) {
    if (l.is(arg, "disable")) return void(ctx.map_entry().replay_window = 0);
    if (!l.is(arg, "window-size"))
        return ctx.error(l, "expected window-size N or disable",
                         "set security-association replay window-size N | replay disable");
    const auto n = ctx.number(l, arg + 1, 64, 4096, "the replay window");
    if (n && (*n & (*n - 1)) != 0)
        return ctx.error(l, "the replay window must be a power of two",
                         "64, 128, 256, 512 or 1024");
    if (n) ctx.map_entry().replay_window = static_cast<uint32_t>(*n);
}

void set_isakmp_profile(ParseContext& ctx, const Line& l, size_t arg) {
    if (!isakmp_only(ctx, l, "set isakmp-profile") ||
        !ctx.need(l, arg + 1, "set isakmp-profile NAME"))
        return;
    ctx.map_entry().isakmp_profile = std::string(l.tokens[arg]);
}

// Reverse route injection (E41): options like `static`, `remote-peer`, `tag` are accepted.
void reverse_route(ParseContext& ctx, const Line& l, size_t) {
    if (isakmp_only(ctx, l, "reverse-route")) ctx.map_entry().reverse_route = true;
}

void no_reverse_route(ParseContext& ctx, const Line&, size_t) {
    ctx.map_entry().reverse_route = false;
}

void not_supported(ParseContext& ctx, const Line& l, size_t arg) {
    ctx.warning(l, "'" + std::string(l.head(arg)) + "' is not supported yet: line ignored");
}

constexpr Command kCryptoMapCommands[] = {
    {"description", description},
    {"set peer", set_peer},
    {"set transform-set", set_transform_set},
    {"match address", match_address},
    {"set session-key", parse_session_key},
    {"set pfs", set_pfs},
    {"no set pfs", no_set_pfs},
    {"set security-association lifetime", sa_lifetime},
    {"set security-association replay", sa_replay},
    {"set security-association level", not_supported},
    {"set security-association idle-time", sa_idle_time},
    {"set isakmp-profile", set_isakmp_profile},
    {"reverse-route", reverse_route},
    {"set reverse-route", reverse_route},
    {"no reverse-route", no_reverse_route},
    {"set nat demux", not_supported},
    {"qos pre-classify", not_supported},
};

}  // namespace

std::span<const Command> crypto_map_commands() {
    return kCryptoMapCommands;
}

}  // namespace espgw::control
