// `crypto map NAME SEQ ipsec-manual|ipsec-isakmp [dynamic DYN]`, `crypto dynamic-map NAME SEQ`
// and the map-wide commands (`crypto map NAME local-address IF`, `client ...`, ASA one-liners).
#include <algorithm>

#include "control/parser_internal.h"
#include "control/value_parsers.h"

namespace espgw::control {
namespace {

constexpr std::string_view kUsage =
    "crypto map NAME SEQ [ipsec-manual | ipsec-isakmp [dynamic DYNAMIC-MAP]]";

std::string_view kind_name(MapKind k) {
    return k == MapKind::kManual ? "ipsec-manual" : "ipsec-isakmp";
}

// The entry NAME SEQ of `list`, created on first use.
size_t entry_index(std::vector<CryptoMapEntry>& list, std::string_view name, uint32_t seq,
                   MapKind kind, int line) {
    auto it = std::find_if(list.begin(), list.end(),
                           [&](auto& e) { return e.map == name && e.seq == seq; });
    if (it != list.end()) return static_cast<size_t>(it - list.begin());
    list.push_back(
        CryptoMapEntry{.line = line, .map = std::string(name), .seq = seq, .kind = kind});
    return list.size() - 1;
}

CryptoMapSet& map_set(Config& cfg, std::string_view name, int line) {
    auto& v = cfg.crypto_map_sets;
    auto it = std::find_if(v.begin(), v.end(), [&](auto& s) { return s.name == name; });
    if (it != v.end()) return *it;
    v.push_back(CryptoMapSet{.line = line, .name = std::string(name)});
    return v.back();
}

// ipsec-manual | ipsec-isakmp [dynamic DYN [discover]] after the sequence number.
bool entry_kind(ParseContext& ctx, const Line& l, size_t i, CryptoMapEntry* e) {
    e->kind = l.is(i, "ipsec-manual") ? MapKind::kManual : MapKind::kIsakmp;
    if (i >= l.size() || l.is(i, "ipsec-manual")) return ctx.no_extra(l, i + 1, kUsage);
    static constexpr std::string_view kKinds[] = {"ipsec-manual", "ipsec-isakmp"};
    if (l.is(i, "gdoi")) return ctx.error(l, "GDOI (group encryption) is not supported"), false;
    if (!ctx.keyword(l, i, kKinds, "the crypto map type")) return false;
    if (i + 1 >= l.size()) return true;
    static constexpr std::string_view kDynamic[] = {"dynamic"};
    if (!ctx.keyword(l, i + 1, kDynamic, "the option") || !ctx.need(l, i + 3, kUsage)) return false;
    e->dynamic_map = std::string(l.tokens[i + 2]);
    e->discover = l.is(i + 3, "discover");
    return ctx.no_extra(l, i + 3 + (e->discover ? 1 : 0), kUsage);
}

// IOS refuses to turn an existing entry into the other type.
bool same_kind(ParseContext& ctx, const Line& l, const CryptoMapEntry& old,
               const CryptoMapEntry& now) {
    if (old.line == l.number || old.kind == now.kind) return true;
    ctx.error(
        l,
        "crypto map " + old.map + " " + std::to_string(old.seq) + " is already " +
            std::string(kind_name(old.kind)),
        "remove the old entry (no crypto map " + old.map + " " + std::to_string(old.seq) + ")");
    return false;
}

void map_entry_header(ParseContext& ctx, const Line& l, size_t arg, uint32_t seq) {
    CryptoMapEntry parsed;
    if (!entry_kind(ctx, l, arg + 2, &parsed)) return ctx.enter(Block::kRejected, l);
    auto& list = ctx.cfg.crypto_maps;
    const size_t idx = entry_index(list, l.tokens[arg], seq, parsed.kind, l.number);
    if (!same_kind(ctx, l, list[idx], parsed)) return ctx.enter(Block::kRejected, l);
    list[idx].dynamic_map = parsed.dynamic_map;
    list[idx].discover = parsed.discover;
    ctx.enter(Block::kCryptoMap, l, idx);
}

// ASA writes each sub-command on its own line: `crypto map NAME SEQ set peer A`.
void one_line_entry(ParseContext& ctx, const Line& l, size_t arg, uint32_t seq) {
    auto& list = ctx.cfg.crypto_maps;
    const size_t idx = entry_index(list, l.tokens[arg], seq, MapKind::kIsakmp, l.number);
    ctx.enter(Block::kCryptoMap, l, idx);
    const Line sub = l.from(arg + 2);
    if (!parse_in_block(ctx, sub))
        ctx.error(l, "unknown crypto map sub-command '" + std::string(sub.tokens[0]) + "'",
                  std::string(kUsage));
    ctx.leave();
}

// Map-wide settings: `crypto map NAME <phrase> VALUE`.
struct MapWide {
    std::string_view phrase;
    std::string CryptoMapSet::*field;
};

constexpr MapWide kMapWide[] = {
    {"local-address", &CryptoMapSet::local_address},
    {"client authentication list", &CryptoMapSet::client_authentication_list},
    {"isakmp authorization list", &CryptoMapSet::isakmp_authorization_list},
    {"client configuration address", &CryptoMapSet::client_configuration_address},
};

void map_wide(ParseContext& ctx, const Line& l, size_t arg) {
    const Line sub = l.from(arg + 1);
    if (sub.starts_with("interface"))
        return ctx.warning(l, "ASA form: write crypto map " + std::string(l.tokens[arg]) +
                                  " under the interface instead");
    for (const MapWide& w : kMapWide) {
        if (!sub.starts_with(w.phrase)) continue;
        const size_t n = word_count(w.phrase);
        const std::string usage = "crypto map NAME " + std::string(w.phrase) + " VALUE";
        if (ctx.need(sub, n + 1, usage) && ctx.no_extra(sub, n + 1, usage))
            map_set(ctx.cfg, l.tokens[arg], l.number).*w.field = std::string(sub.tokens[n]);
        return;
    }
    ctx.error(l, "unknown crypto map command '" + std::string(sub.tokens[0]) + "'",
              std::string(kUsage));
}

}  // namespace

void parse_crypto_map(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 2, kUsage)) return ctx.enter(Block::kRejected, l);
    const auto seq = parse_u32(l.tokens[arg + 1]);
    if (!seq) return map_wide(ctx, l, arg);
    if (*seq < 1 || *seq > 65535) {
        ctx.error(l, "the sequence number must be 1 to 65535", std::string(kUsage));
        return ctx.enter(Block::kRejected, l);
    }
    if (l.is(arg + 2, "set") || l.is(arg + 2, "match")) return one_line_entry(ctx, l, arg, *seq);
    map_entry_header(ctx, l, arg, *seq);
}

void parse_dynamic_map(ParseContext& ctx, const Line& l, size_t arg) {
    constexpr std::string_view kDynUsage = "crypto dynamic-map NAME SEQ";
    if (!ctx.need(l, arg + 2, kDynUsage)) return ctx.enter(Block::kRejected, l);
    const auto seq = ctx.number(l, arg + 1, 1, 65535, "the sequence number");
    if (!seq || !ctx.no_extra(l, arg + 2, kDynUsage)) return ctx.enter(Block::kRejected, l);
    const size_t idx = entry_index(ctx.cfg.dynamic_maps, l.tokens[arg], static_cast<uint32_t>(*seq),
                                   MapKind::kIsakmp, l.number);
    ctx.enter(Block::kDynamicMap, l, idx);
}

}  // namespace espgw::control
