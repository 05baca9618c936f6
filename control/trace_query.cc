// Arguments of `test crypto trace`, checked one by one so the error names the wrong one.
#include "control/acl_names.h"
#include "control/trace.h"

namespace espgw::control {
namespace {

std::optional<uint16_t> port_arg(const std::string& text, uint8_t proto, const char* what,
                                 std::string* error) {
    if (auto p = port_by_name(text, proto)) return p;
    *error =
        std::string("invalid ") + what + " port '" + text + "': a number 0-65535 or a port name";
    return std::nullopt;
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
    if (q.protocol != kProtoTcp && q.protocol != kProtoUdp) {
        *error = "ports go with tcp or udp only";
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
