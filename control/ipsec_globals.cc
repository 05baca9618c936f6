// Global IPsec settings: `crypto ipsec security-association ...`, `fragmentation`, `df-bit`,
// `nat-transparency`. The interface forms of fragmentation and df-bit share the argument parsers.
#include "control/parser_internal.h"
#include "control/value_parsers.h"

namespace espgw::control {
namespace {

constexpr std::string_view kSaUsage =
    "crypto ipsec security-association {replay window-size N | replay disable | lifetime seconds "
    "N | lifetime kilobytes N | idle-time N}";

// IOS offers 64 to 1024 (E63 recommends 1024); the engine's window goes to 4096.
bool valid_window(uint64_t n) {
    return n >= 64 && n <= 4096 && (n & (n - 1)) == 0;
}

void replay(ParseContext& ctx, const Line& l, size_t i) {
    IpsecGlobals& g = ctx.cfg.ipsec;
    if (l.is(i, "disable")) {
        g.replay_disabled = true;
        return;
    }
    if (!l.is(i, "window-size") || !ctx.need(l, i + 2, kSaUsage))
        return ctx.error(l, "expected window-size N or disable", std::string(kSaUsage));
    const auto n = ctx.number(l, i + 1, 64, 4096, "the replay window");
    if (n && !valid_window(*n))
        return ctx.error(l, "the replay window must be a power of two",
                         "64, 128, 256, 512 or 1024");
    if (n) g.replay_window = static_cast<uint32_t>(*n);
}

void lifetime(ParseContext& ctx, const Line& l, size_t i) {
    IpsecGlobals& g = ctx.cfg.ipsec;
    g.lifetime_line = l.number;
    if (l.is(i, "seconds")) {
        if (auto n = ctx.number(l, i + 1, 120, 2592000, "lifetime seconds"))
            g.lifetime_seconds = *n;
    } else if (l.is(i, "kilobytes")) {
        if (auto n = ctx.number(l, i + 1, 2560, 4294967295u, "lifetime kilobytes"))
            g.lifetime_kilobytes = *n;
    } else {
        ctx.error(l, "expected lifetime seconds N or lifetime kilobytes N", std::string(kSaUsage));
    }
}

}  // namespace

void parse_ipsec_sa_global(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 2, kSaUsage)) return;
    if (l.is(arg, "replay")) return replay(ctx, l, arg + 1);
    if (l.is(arg, "lifetime")) return lifetime(ctx, l, arg + 1);
    if (l.is(arg, "idle-time")) {
        if (auto n = idle_time_arg(ctx, l, arg + 1)) ctx.cfg.ipsec.idle_time = *n;
        return;
    }
    ctx.error(l, "unknown security-association setting '" + std::string(l.tokens[arg]) + "'",
              std::string(kSaUsage));
}

std::optional<uint32_t> idle_time_arg(ParseContext& ctx, const Line& l, size_t arg) {
    const auto v = arg < l.size() ? parse_u64(l.tokens[arg]) : std::nullopt;
    if (v && *v >= 60 && *v <= 86400) return static_cast<uint32_t>(*v);
    ctx.error(l, "idle-time must be a number of seconds from 60 to 86400",
              "e.g. idle-time 3600; without it SAs never go idle");
    return std::nullopt;
}

std::optional<FragPolicy> frag_policy_arg(ParseContext& ctx, const Line& l, size_t arg) {
    static constexpr std::string_view kWords[] = {"before-encryption", "after-encryption"};
    const auto k = ctx.keyword(l, arg, kWords, "the fragmentation policy");
    return k ? std::optional(static_cast<FragPolicy>(*k)) : std::nullopt;
}

std::optional<DfBit> df_bit_arg(ParseContext& ctx, const Line& l, size_t arg) {
    static constexpr std::string_view kWords[] = {"copy", "set", "clear"};
    const auto k = ctx.keyword(l, arg, kWords, "the df-bit policy");
    return k ? std::optional(static_cast<DfBit>(*k)) : std::nullopt;
}

void parse_ipsec_fragmentation(ParseContext& ctx, const Line& l, size_t arg) {
    if (auto f = frag_policy_arg(ctx, l, arg)) ctx.cfg.ipsec.frag = *f;
}

void parse_ipsec_df_bit(ParseContext& ctx, const Line& l, size_t arg) {
    if (auto d = df_bit_arg(ctx, l, arg)) ctx.cfg.ipsec.df_bit = *d;
}

// espgw reads this line as "manually keyed SAs are UDP-encapsulated on port 4500" (RFC 3948);
// IKE will negotiate NAT-T itself.
void parse_nat_transparency(ParseContext& ctx, const Line& l, size_t arg) {
    static constexpr std::string_view kWords[] = {"udp-encapsulation"};
    if (ctx.keyword(l, arg, kWords, "nat-transparency")) ctx.cfg.ipsec.udp_encapsulation = true;
}

void parse_no_nat_transparency(ParseContext& ctx, const Line& l, size_t arg) {
    static constexpr std::string_view kWords[] = {"udp-encapsulation"};
    if (ctx.keyword(l, arg, kWords, "nat-transparency")) ctx.cfg.ipsec.udp_encapsulation = false;
}

}  // namespace espgw::control
