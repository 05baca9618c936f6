#include "control/acl_entry.h"

#include <algorithm>

#include "control/acl_names.h"
#include "control/value_parsers.h"

namespace espgw::control {
namespace {

constexpr std::string_view kStandardUsage = "permit|deny {any | host A | A [WILDCARD]} [log]";
constexpr std::string_view kExtendedUsage =
    "permit|deny PROTOCOL SOURCE [PORTS] DESTINATION [PORTS] [fragments] [log]; SOURCE and "
    "DESTINATION are any | host A | A WILDCARD; PORTS are eq|neq|lt|gt P or range P1 P2";

// Walks the tokens of one entry; the first error stops it.
struct Cursor {
    ParseContext& ctx;
    const Line& l;
    size_t i;
    bool ok = true;

    bool more() const { return ok && i < l.size(); }
    std::string_view peek() const { return i < l.size() ? l.tokens[i] : std::string_view{}; }
    bool fail(std::string message, std::string_view usage) {
        if (ok) ctx.error(l, std::move(message), "usage: " + std::string(usage));
        ok = false;
        return false;
    }
};

std::optional<Ipv4> address_at(Cursor& c, std::string_view what, std::string_view usage) {
    auto a = Ipv4::parse(c.peek());
    if (!a) c.fail(std::string(what) + " must be any, host A.B.C.D or A.B.C.D WILDCARD", usage);
    ++c.i;
    return a;
}

// any | host A | A WILDCARD (a standard list also takes A alone, meaning host A).
std::optional<AddrMatch> addr_match(Cursor& c, bool standard, std::string_view what) {
    const std::string_view usage = standard ? kStandardUsage : kExtendedUsage;
    if (!c.more()) return c.fail("missing " + std::string(what), usage), std::nullopt;
    if (c.l.is(c.i, "any")) return ++c.i, AddrMatch{};
    if (c.l.is(c.i, "host")) {
        ++c.i;
        auto a = address_at(c, what, usage);
        return a ? std::optional(AddrMatch{*a, Ipv4{0}}) : std::nullopt;
    }
    auto a = address_at(c, what, usage);
    if (!a) return std::nullopt;
    auto w = Ipv4::parse(c.peek());
    if (!w && standard) return AddrMatch{*a, Ipv4{0}};
    if (!w) return c.fail(std::string(what) + " needs a wildcard mask", usage), std::nullopt;
    ++c.i;
    // IOS stores the address with the wildcard bits cleared.
    return AddrMatch{Ipv4{a->value & ~w->value}, *w};
}

std::optional<uint16_t> port_at(Cursor& c, uint8_t proto) {
    auto p = port_by_name(c.peek(), proto);
    if (!p) c.fail("'" + std::string(c.peek()) + "' is not a port number or name", kExtendedUsage);
    ++c.i;
    return p;
}

PortMatch port_match(Cursor& c, uint8_t proto) {
    static constexpr std::pair<std::string_view, PortOp> kOps[] = {{"eq", PortOp::kEq},
                                                                   {"neq", PortOp::kNeq},
                                                                   {"lt", PortOp::kLt},
                                                                   {"gt", PortOp::kGt},
                                                                   {"range", PortOp::kRange}};
    if (proto != kProtoTcp && proto != kProtoUdp) return {};
    for (auto [word, op] : kOps) {
        if (!c.l.is(c.i, word)) continue;
        ++c.i;
        PortMatch m{op, port_at(c, proto).value_or(0), 0};
        if (op == PortOp::kRange) m.hi = port_at(c, proto).value_or(0);
        if (c.ok && op == PortOp::kRange && m.hi < m.lo)
            c.fail("port range is reversed", kExtendedUsage);
        if (c.ok && ((op == PortOp::kLt && m.lo == 0) || (op == PortOp::kGt && m.lo == 65535)))
            c.fail("port comparison matches nothing", kExtendedUsage);
        return m;
    }
    return {};
}

// `icmp ... DST [TYPE [CODE] | NAME]`.
void icmp_match(Cursor& c, AclEntry* e) {
    if (!c.more()) return;
    if (auto m = icmp_by_name(c.peek())) {
        ++c.i;
        e->icmp_type = m->type;
        e->icmp_code = m->code;
        return;
    }
    auto type = parse_u32(c.peek());
    if (!type || *type > 255) return;
    ++c.i;
    e->icmp_type = static_cast<uint8_t>(*type);
    if (auto code = parse_u32(c.peek()); code && *code <= 255) {
        ++c.i;
        e->icmp_code = static_cast<uint8_t>(*code);
    }
}

// Trailing keywords: log is kept, options a selector cannot express are warned about.
void options(Cursor& c, AclEntry* e, std::string_view usage) {
    static constexpr std::string_view kValued[] = {"dscp", "precedence", "tos", "time-range"};
    for (; c.more(); ++c.i) {
        const std::string_view w = c.peek();
        if (c.l.is(c.i, "log") || c.l.is(c.i, "log-input")) {
            e->log = true;
        } else if (c.l.is(c.i, "established") && e->protocol == kProtoTcp) {
            e->established = true;
        } else if (c.l.is(c.i, "fragments") && usage == kExtendedUsage) {
            e->fragments = true;
        } else if (std::find_if(std::begin(kValued), std::end(kValued),
                                [&](auto k) { return iequals(k, w); }) != std::end(kValued)) {
            // In a crypto ACL a deny line means "in clear": ignoring its qualifier widens that.
            c.ctx.warning(c.l,
                          "'" + std::string(w) + "' is not supported: the entry ignores it" +
                              (e->action == AclAction::kDeny
                                   ? " (used by a crypto map, this deny line leaves more in clear)"
                                   : ""));
            ++c.i;
        } else {
            c.fail("unexpected '" + std::string(w) + "'", usage);
        }
    }
}

bool standard_entry(Cursor& c, AclEntry* e) {
    auto src = addr_match(c, true, "the source");
    if (!src) return false;
    e->src = *src;
    options(c, e, kStandardUsage);
    return c.ok;
}

bool extended_entry(Cursor& c, AclEntry* e) {
    if (!c.more()) return c.fail("missing protocol", kExtendedUsage);
    if (c.l.is(c.i, "object-group"))
        return c.fail("object-groups are not supported", kExtendedUsage);
    auto proto = protocol_by_name(c.peek());
    if (!proto) return c.fail("unknown protocol '" + std::string(c.peek()) + "'", kExtendedUsage);
    e->protocol = *proto;
    ++c.i;
    auto src = addr_match(c, false, "the source");
    if (src) e->sport = port_match(c, *proto);
    auto dst = c.ok ? addr_match(c, false, "the destination") : std::nullopt;
    if (!src || !dst || !c.ok) return false;
    e->src = *src;
    e->dst = *dst;
    e->dport = port_match(c, *proto);
    if (*proto == kProtoIcmp) icmp_match(c, e);
    options(c, e, kExtendedUsage);
    // `fragments` applies the entry to non-initial fragments only, and those carry no layer-4
    // header (RFC 791, RFC 4301 §7): IOS refuses it beside ports, ICMP types and `established`.
    if (c.ok && e->fragments &&
        (e->sport.op != PortOp::kAny || e->dport.op != PortOp::kAny || e->icmp_type ||
         e->established))
        c.fail(
            "'fragments' cannot go with ports, an ICMP type or 'established': non-initial "
            "fragments carry no layer-4 header",
            kExtendedUsage);
    return c.ok;
}

}  // namespace

bool parse_acl_entry(ParseContext& ctx, const Line& l, size_t i, AclKind kind, AclEntry* e) {
    Cursor c{ctx, l, i};
    return kind == AclKind::kStandard ? standard_entry(c, e) : extended_entry(c, e);
}

}  // namespace espgw::control
