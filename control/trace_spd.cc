#include "control/trace_spd.h"

#include <algorithm>
#include <cstring>
#include <tuple>

#include "control/acl_names.h"
#include "control/wire_convert.h"
#include "sadb/spd_match.h"

namespace espgw::control {
namespace {

bool prefix_holds(const wire::Addr& a, uint8_t len, Ipv4 x) {
    if (len == 0) return true;
    return a.version == 4 && Prefix::of(from_wire_addr(a), len).contains(x);
}

bool port_in(uint16_t lo, uint16_t hi, std::optional<uint16_t> port) {
    if (lo == 0 && hi == 0xffff) return true;
    const uint16_t p = port.value_or(0);
    return p != 0 && p >= std::max<uint16_t>(lo, 1) && p <= hi;
}

std::string map_of_port(const CompiledPolicy& p, uint16_t port) {
    for (const wire::Interface& i : p.interfaces)
        if (i.port == port) return std::string(i.crypto_map, strnlen(i.crypto_map, 32));
    return "";
}

const CryptoMapEntry* find_entry(const Config& cfg, const std::string& map, uint32_t seq) {
    for (const CryptoMapEntry& e : cfg.crypto_maps)
        if (e.map == map && e.seq == seq) return &e;
    return nullptr;
}

bool entry_installed(const CompiledPolicy& p, const CryptoMapEntry& e) {
    return std::any_of(p.spd.begin(), p.spd.end(), [&](const wire::SpdRule& r) {
        return r.map_seq == e.seq && map_of_port(p, r.port) == e.map;
    });
}

// What the compiler makes of one selector of an ACL line, as far as matching goes.
wire::SpdRule line_rule(const AclEntry& line, const wire::Selector& sel) {
    wire::SpdRule r{};
    r.sel = sel;
    r.action =
        line.action == AclAction::kPermit ? wire::SpdAction::kProtect : wire::SpdAction::kBypass;
    r.fragments_only = line.fragments ? 1 : 0;
    return r;
}

bool addresses_match(const wire::Selector& sel, const TraceQuery& q) {
    return (sel.proto == 0 || sel.proto == q.protocol) &&
           prefix_holds(sel.src, sel.src_prefix, q.src) &&
           prefix_holds(sel.dst, sel.dst_prefix, q.dst);
}

// An ICMP message against a selector's type and code (sadb/spd_match.h); a query without a
// type only meets selectors without one.
bool icmp_matches(const wire::Selector& sel, const TraceQuery& q) {
    if (!sadb::spd_icmp_types(sel)) return true;
    if (!q.icmp_type) return false;
    const uint16_t v = sadb::spd_icmp_range(*q.icmp_type, q.icmp_code).lo;
    return v >= sel.sport_lo && v <= sel.sport_hi;
}

bool selector_matches(const wire::Selector& sel, const TraceQuery& q) {
    if (!addresses_match(sel, q)) return false;
    if (q.protocol == kProtoIcmp) return icmp_matches(sel, q);
    const bool ports = q.protocol == kProtoTcp || q.protocol == kProtoUdp;
    if (!ports) return !sadb::spd_has_ports(sel);
    return port_in(sel.sport_lo, sel.sport_hi, q.sport) &&
           port_in(sel.dport_lo, sel.dport_hi, q.dport);
}

// The first line of the entry's ACL that matches, with its 1-based index; nullptr if none.
const AclEntry* first_line(const Config& cfg, const CryptoMapEntry& e, const TraceQuery& q,
                           uint32_t* index) {
    const AccessList* acl = cfg.find_acl(e.match_acl);
    if (!acl) return nullptr;
    *index = 0;
    for (const AclEntry& line : acl->entries) {
        ++*index;
        const auto sels = entry_selectors(line);
        if (sels && std::any_of(sels->begin(), sels->end(), [&](const wire::Selector& s) {
                return rule_matches(line_rule(line, s), q);
            }))
            return &line;
    }
    return nullptr;
}

std::string why_not_installed(const CryptoMapEntry& e) {
    if (e.kind == MapKind::kIsakmp)
        return "ipsec-isakmp entries are not installed until the IKE engine exists";
    return "the entry is not installed (incomplete or on no usable interface: see espgw-control "
           "--check)";
}

}  // namespace

bool rule_matches(const wire::SpdRule& r, const TraceQuery& q) {
    if (!q.fragment) return sadb::spd_matches_whole(r) && selector_matches(r.sel, q);
    // No ports to look at: the rule's fragment view decides on protocol and addresses.
    return sadb::spd_fragment_view(r) != sadb::FragmentView::kNever && addresses_match(r.sel, q);
}

TraceSpd first_spd_match(const Config& cfg, const CompiledPolicy& p, const TraceQuery& q) {
    std::vector<const wire::SpdRule*> order;
    for (const wire::SpdRule& r : p.spd)
        order.push_back(&r);
    std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->id < b->id; });
    TraceSpd out;
    for (const wire::SpdRule* r : order) {
        if (!rule_matches(*r, q)) continue;
        out.matched = true;
        out.rule_id = r->id;
        out.action = r->action;
        out.sa_conn_id = r->sa_conn_id;
        out.map = map_of_port(p, r->port);
        out.map_seq = r->map_seq;
        out.acl_index = r->acl_line;
        const CryptoMapEntry* e = find_entry(cfg, out.map, r->map_seq);
        const AccessList* acl = e ? cfg.find_acl(e->match_acl) : nullptr;
        if (acl) out.acl = acl->name;
        if (acl && r->acl_line >= 1 && r->acl_line <= acl->entries.size())
            out.acl_entry = acl->entries[r->acl_line - 1];
        return out;
    }
    return out;
}

std::vector<std::string> uninstalled_matches(const Config& cfg, const CompiledPolicy& p,
                                             const TraceQuery& q) {
    std::vector<const CryptoMapEntry*> entries;
    for (const CryptoMapEntry& e : cfg.crypto_maps)
        if (!entry_installed(p, e)) entries.push_back(&e);
    std::stable_sort(entries.begin(), entries.end(), [](auto* a, auto* b) {
        return std::tie(a->seq, a->map) < std::tie(b->seq, b->map);
    });
    std::vector<std::string> notes;
    for (const CryptoMapEntry* e : entries) {
        uint32_t index = 0;
        const AclEntry* line = first_line(cfg, *e, q, &index);
        if (!line || line->action != AclAction::kPermit) continue;
        notes.push_back("crypto map " + e->map + " " + std::to_string(e->seq) +
                        " would protect it (access list " + e->match_acl + " line " +
                        std::to_string(index) + ") but " + why_not_installed(*e));
    }
    return notes;
}

}  // namespace espgw::control
