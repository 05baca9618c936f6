// Arguments of `test crypto trace`, checked one by one so the error names the wrong one.
#include "control/acl_names.h"
#include "control/trace.h"
#include "control/value_parsers.h"

namespace espgw::control {
namespace {

std::optional<uint16_t> port_arg(const std::string& text, uint8_t proto, const char* what,
                                 std::string* error) {
    if (auto p = port_by_name(text, proto)) return p;
    *error =
        std::string("invalid ") + what + " port '" + text + "': a number 0-65535 or a port name";
    return std::nullopt;
}

// 0-255 written plainly (no leading zeros).
std::optional<uint8_t> byte_arg(const std::string& text) {
    const auto n = parse_u32(text);
    if (!n || *n > 255 || std::to_string(*n) != text) return std::nullopt;
    return static_cast<uint8_t>(*n);
}

// `icmp TYPE [CODE]`: what an icmp line of an ACL matches (sadb/spd_match.h).
bool icmp_args(const std::string& type, const std::string& code, TraceQuery* q,
               std::string* error) {
    if (auto m = icmp_by_name(type)) {
        q->icmp_type = m->type;
        q->icmp_code = m->code.value_or(0);
    } else if (auto t = byte_arg(type)) {
        q->icmp_type = *t;
    } else {
        *error = "invalid ICMP type '" + type + "': a number 0-255 or a message name (echo, ...)";
        return false;
    }
    if (code.empty()) return true;
    const auto c = byte_arg(code);
    if (!c) {
        *error = "invalid ICMP code '" + code + "': a number 0-255";
        return false;
    }
    q->icmp_code = *c;
    return true;
}

}  // namespace

std::optional<TraceQuery> parse_trace_query(const std::string& src, const std::string& dst,
                                            const std::string& proto, const std::string& sport,
                                            const std::string& dport, bool fragment,
                                            std::string* error) {
    TraceQuery q;
    const auto s = Ipv4::parse(src), d = Ipv4::parse(dst);
    const auto p = protocol_by_name(proto);
    if (!s || !d) {
        *error = "invalid " + std::string(!s ? "source" : "destination") + " address '" +
                 (!s ? src : dst) + "': an IPv4 address A.B.C.D";
        return std::nullopt;
    }
    if (!p) {
        *error = "invalid protocol '" + proto + "': ip, icmp, tcp, udp, another name or 0-255";
        return std::nullopt;
    }
    q.src = *s;
    q.dst = *d;
    q.protocol = *p;
    q.fragment = fragment;
    if (sport.empty() && dport.empty()) return q;
    if (fragment) {
        *error = "a non-initial fragment has no ports";
        return std::nullopt;
    }
    if (q.protocol == kProtoIcmp) {
        if (!icmp_args(sport, dport, &q, error)) return std::nullopt;
        return q;
    }
    if (q.protocol != kProtoTcp && q.protocol != kProtoUdp) {
        *error = "ports go with tcp or udp only (icmp takes TYPE [CODE])";
        return std::nullopt;
    }
    if (sport.empty() || dport.empty()) {
        *error = "give both ports: SPORT DPORT";
        return std::nullopt;
    }
    q.sport = port_arg(sport, q.protocol, "source", error);
    q.dport = q.sport ? port_arg(dport, q.protocol, "destination", error) : std::nullopt;
    if (!q.sport || !q.dport) return std::nullopt;
    return q;
}

}  // namespace espgw::control
