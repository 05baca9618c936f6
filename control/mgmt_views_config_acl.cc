// Access lists as data: every line in structured form with the IOS keywords of its protocol,
// ports and ICMP message (the renderer writes the line as `show access-lists` does).
#include "control/acl_names.h"
#include "control/mgmt_views_config.h"

namespace espgw::control {
namespace {

Json address_view(const AddrMatch& a) {
    return {{"addr", a.addr.to_string()}, {"wildcard", a.wildcard.to_string()}};
}

const char* port_op_name(PortOp op) {
    switch (op) {
        case PortOp::kAny:
            break;
        case PortOp::kEq:
            return "eq";
        case PortOp::kNeq:
            return "neq";
        case PortOp::kLt:
            return "lt";
        case PortOp::kGt:
            return "gt";
        case PortOp::kRange:
            return "range";
    }
    return "any";
}

// null for "any port"; else {op, ports: [lo(, hi)], names: [keyword or ""]}.
Json port_view(const PortMatch& m, uint8_t protocol) {
    if (m.op == PortOp::kAny) return nullptr;
    Json ports = Json::array({m.lo});
    if (m.op == PortOp::kRange) ports.push_back(m.hi);
    Json names = Json::array();
    for (const Json& p : ports)
        names.push_back(port_name(p.get<uint16_t>(), protocol));
    return {{"op", port_op_name(m.op)}, {"ports", ports}, {"names", names}};
}

Json icmp_view(const AclEntry& e) {
    if (!e.icmp_type) return nullptr;
    Json j = {
        {"type", *e.icmp_type}, {"code", nullptr}, {"name", icmp_name(*e.icmp_type, e.icmp_code)}};
    if (e.icmp_code) j["code"] = *e.icmp_code;
    return j;
}

// The crypto map entries (static and dynamic) whose `match address` names the list.
Json used_by(const Config& cfg, const std::string& name) {
    Json out = Json::array();
    for (const CryptoMapEntry& e : cfg.crypto_maps)
        if (e.match_acl == name)
            out.push_back({{"map", e.map}, {"seq", e.seq}, {"dynamic", false}});
    for (const CryptoMapEntry& e : cfg.dynamic_maps)
        if (e.match_acl == name) out.push_back({{"map", e.map}, {"seq", e.seq}, {"dynamic", true}});
    return out;
}

}  // namespace

Json acl_entry_view(const AclEntry& e, uint32_t index) {
    return {{"index", index},
            {"seq", e.seq},
            {"line", e.line},
            {"action", e.action == AclAction::kPermit ? "permit" : "deny"},
            {"protocol", e.protocol},
            {"protocol_name", protocol_name(e.protocol)},
            {"src", address_view(e.src)},
            {"sport", port_view(e.sport, e.protocol)},
            {"dst", address_view(e.dst)},
            {"dport", port_view(e.dport, e.protocol)},
            {"icmp", icmp_view(e)},
            {"established", e.established},
            {"fragments", e.fragments},
            {"log", e.log}};
}

Json access_list_view(const Config& cfg, const AccessList& acl) {
    Json entries = Json::array();
    uint32_t index = 0;
    for (const AclEntry& e : acl.entries)
        entries.push_back(acl_entry_view(e, ++index));
    Json remarks = Json::array();
    for (const AclRemark& r : acl.remarks)
        remarks.push_back({{"line", r.line}, {"text", r.text}});
    return {
        {"name", acl.name},   {"kind", acl.kind == AclKind::kStandard ? "standard" : "extended"},
        {"line", acl.line},   {"entries", entries},
        {"remarks", remarks}, {"used_by", used_by(cfg, acl.name)}};
}

Json access_lists_view(const Config& cfg) {
    Json lists = Json::array();
    for (const AccessList& acl : cfg.access_lists)
        lists.push_back(access_list_view(cfg, acl));
    return {{"access_lists", lists}};
}

}  // namespace espgw::control
