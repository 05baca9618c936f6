// IKE phase 1 settings: `crypto isakmp policy N` and its sub-commands, `crypto isakmp key`,
// `nat-traversal`, `keepalive`, `identity`, `enable`. Stored for the IKE engine; nothing here
// reaches the dataplane.
#include <algorithm>

#include "control/parser_internal.h"

namespace espgw::control {
namespace {

void encryption(ParseContext& ctx, const Line& l, size_t arg) {
    static constexpr std::string_view kWords[] = {"des", "3des", "aes"};
    const auto k = ctx.keyword(l, arg, kWords, "the encryption");
    if (!k) return;
    IsakmpPolicy& p = ctx.isakmp_policy();
    p.encryption = static_cast<IkeEncryption>(*k);
    p.key_bits = p.encryption == IkeEncryption::kAes ? 128 : 0;
    if (p.encryption != IkeEncryption::kAes || l.size() <= arg + 1) return;
    static constexpr std::string_view kBits[] = {"128", "192", "256"};
    if (auto b = ctx.keyword(l, arg + 1, kBits, "the AES key size"))
        p.key_bits = static_cast<uint16_t>(128 + 64 * *b);
}

void hash(ParseContext& ctx, const Line& l, size_t arg) {
    static constexpr std::string_view kWords[] = {"md5", "sha", "sha256", "sha384", "sha512"};
    if (auto k = ctx.keyword(l, arg, kWords, "the hash"))
        ctx.isakmp_policy().hash = static_cast<IkeHash>(*k);
}

void authentication(ParseContext& ctx, const Line& l, size_t arg) {
    static constexpr std::string_view kWords[] = {"pre-share", "rsa-sig", "rsa-encr"};
    if (auto k = ctx.keyword(l, arg, kWords, "the authentication"))
        ctx.isakmp_policy().authentication = static_cast<IkeAuth>(*k);
}

void group(ParseContext& ctx, const Line& l, size_t arg) {
    static constexpr std::string_view kWords[] = {"1",  "2",  "5",  "14", "15",
                                                  "16", "19", "20", "21", "24"};
    static constexpr uint8_t kGroups[] = {1, 2, 5, 14, 15, 16, 19, 20, 21, 24};
    if (auto k = ctx.keyword(l, arg, kWords, "the DH group"))
        ctx.isakmp_policy().group = kGroups[*k];
}

void lifetime(ParseContext& ctx, const Line& l, size_t arg) {
    if (auto n = ctx.number(l, arg, 60, 86400, "the ISAKMP lifetime"))
        ctx.isakmp_policy().lifetime = static_cast<uint32_t>(*n);
}

constexpr Command kPolicyCommands[] = {
    {"encryption", encryption},         {"encr", encryption}, {"hash", hash},
    {"authentication", authentication}, {"group", group},     {"lifetime", lifetime},
};

constexpr std::string_view kKeyUsage =
    "crypto isakmp key [0] KEY {address A.B.C.D [MASK] | hostname NAME} [no-xauth]";

// `address A [MASK]` or `hostname H` at token i, then [no-xauth].
bool key_peer(ParseContext& ctx, const Line& l, size_t i, PresharedKey* k) {
    if (l.is(i, "hostname") && ctx.need(l, i + 2, kKeyUsage)) {
        k->hostname = std::string(l.tokens[i + 1]);
        i += 2;
    } else if (l.is(i, "address") && ctx.need(l, i + 2, kKeyUsage)) {
        auto a = ctx.address(l, i + 1, "the peer address");
        if (!a) return false;
        k->address = *a;
        i += 2;
        if (i < l.size() && !l.is(i, "no-xauth")) {
            auto m = ctx.address(l, i++, "the peer mask");
            if (!m) return false;
            k->mask = *m;
        }
    } else {
        return ctx.error(l, "expected address or hostname after the key", std::string(kKeyUsage)),
               false;
    }
    k->no_xauth = l.is(i, "no-xauth");
    return ctx.no_extra(l, i + (k->no_xauth ? 1 : 0), kKeyUsage);
}

}  // namespace

std::span<const Command> isakmp_policy_commands() {
    return kPolicyCommands;
}

void parse_isakmp_policy(ParseContext& ctx, const Line& l, size_t arg) {
    const auto prio = ctx.number(l, arg, 1, 10000, "the policy priority");
    if (!prio || !ctx.no_extra(l, arg + 1, "crypto isakmp policy <1-10000>"))
        return ctx.enter(Block::kRejected, l);
    auto& v = ctx.cfg.isakmp_policies;
    auto it = std::find_if(v.begin(), v.end(), [&](auto& p) { return p.priority == *prio; });
    if (it == v.end()) {
        v.push_back(IsakmpPolicy{.line = l.number, .priority = static_cast<uint32_t>(*prio)});
        it = v.end() - 1;
    }
    ctx.enter(Block::kIsakmpPolicy, l, static_cast<size_t>(it - v.begin()));
}

// Type 6 keys are encrypted with the router's master key, which espgw does not have.
void parse_isakmp_key(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 3, kKeyUsage)) return;
    size_t i = arg;
    if ((l.is(i, "0") || l.is(i, "6")) && (l.is(i + 2, "address") || l.is(i + 2, "hostname"))) {
        if (l.is(i, "6"))
            return ctx.error(l, "type 6 (encrypted) keys cannot be read",
                             "write the key in clear (type 0)");
        ++i;
    }
    PresharedKey k{.line = l.number};
    const std::string_view text = l.tokens[i];
    k.key.assign({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
    if (key_peer(ctx, l, i + 1, &k)) ctx.cfg.isakmp_keys.push_back(std::move(k));
}

void parse_isakmp_nat_traversal(ParseContext& ctx, const Line& l, size_t arg) {
    if (auto n = ctx.number(l, arg, 5, 3600, "the NAT keepalive"))
        ctx.cfg.isakmp.nat_traversal_keepalive = static_cast<uint32_t>(*n);
}

// `crypto isakmp keepalive SECONDS [RETRY] [periodic|on-demand]` (DPD, RFC 3706).
void parse_isakmp_keepalive(ParseContext& ctx, const Line& l, size_t arg) {
    const auto n = ctx.number(l, arg, 10, 3600, "the keepalive interval");
    if (!n) return;
    IsakmpGlobals& g = ctx.cfg.isakmp;
    g.keepalive = static_cast<uint32_t>(*n);
    size_t i = arg + 1;
    if (i < l.size() && !l.is(i, "periodic") && !l.is(i, "on-demand")) {
        auto r = ctx.number(l, i++, 2, 60, "the keepalive retry");
        if (!r) return;
        g.keepalive_retry = static_cast<uint32_t>(*r);
    }
    g.keepalive_periodic = l.is(i, "periodic");
    if (l.is(i, "periodic") || l.is(i, "on-demand")) ++i;
    ctx.no_extra(l, i, "crypto isakmp keepalive SECONDS [RETRY] [periodic|on-demand]");
}

void parse_isakmp_identity(ParseContext& ctx, const Line& l, size_t arg) {
    static constexpr std::string_view kWords[] = {"address", "hostname", "dn", "auto"};
    if (auto k = ctx.keyword(l, arg, kWords, "the identity"))
        ctx.cfg.isakmp.identity = static_cast<IsakmpIdentity>(*k);
}

void parse_isakmp_enable(ParseContext& ctx, const Line& l, size_t arg) {
    ctx.cfg.isakmp.enabled = true;
    if (arg < l.size()) ctx.cfg.isakmp.enable_interfaces.emplace_back(l.tokens[arg]);
}

void parse_no_isakmp_enable(ParseContext& ctx, const Line&, size_t) {
    ctx.cfg.isakmp.enabled = false;
}

}  // namespace espgw::control
