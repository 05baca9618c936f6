// The trace as data: every step with its reason; names resolved so the CLI only lays it out.
#include "control/acl_names.h"
#include "control/mgmt_views_config.h"
#include "control/trace.h"

namespace espgw::control {
namespace {

const char* verdict_name(TraceVerdict v) {
    switch (v) {
        case TraceVerdict::kEncrypted:
            return "encrypted";
        case TraceVerdict::kClear:
            break;
        case TraceVerdict::kDropped:
            return "dropped";
        case TraceVerdict::kLocal:
            return "local";
    }
    return "clear";
}

const char* action_name(const TraceSpd& s) {
    if (!s.matched) return "none";
    switch (s.action) {
        case wire::SpdAction::kProtect:
            return "PROTECT";
        case wire::SpdAction::kBypass:
            break;
        case wire::SpdAction::kDiscard:
            return "DISCARD";
    }
    return "BYPASS";
}

Json icmp_view(const TraceQuery& q) {
    if (!q.icmp_type) return nullptr;
    std::string_view name = icmp_name(*q.icmp_type, q.icmp_code);
    if (name.empty()) name = icmp_name(*q.icmp_type, std::nullopt);
    return {{"type", *q.icmp_type}, {"code", q.icmp_code}, {"name", std::string(name)}};
}

Json packet_view(const TraceQuery& q) {
    const std::string_view name = protocol_name(q.protocol);
    return {{"src", q.src.to_string()},
            {"dst", q.dst.to_string()},
            {"protocol", q.protocol},
            {"protocol_name", name.empty() ? std::to_string(q.protocol) : std::string(name)},
            {"sport", q.sport ? Json(*q.sport) : Json(nullptr)},
            {"dport", q.dport ? Json(*q.dport) : Json(nullptr)},
            {"icmp", icmp_view(q)},
            {"fragment", q.fragment}};
}

Json route_view(const std::optional<InstalledRoute>& r) {
    if (!r) return nullptr;
    return {{"code", std::string(1, r->code)},
            {"prefix", r->prefix.addr.to_string()},
            {"prefix_len", r->prefix.len},
            {"interface", r->interface},
            {"port", r->port},
            {"next_hop", r->next_hop ? Json(r->next_hop->to_string()) : Json(nullptr)}};
}

Json spd_view(const TraceResult& t) {
    const TraceSpd& s = t.spd;
    Json j = {
        {"matched", s.matched}, {"action", action_name(s)}, {"why", t.spd_why}, {"notes", t.notes}};
    if (!s.matched) return j;
    j["rule_id"] = s.rule_id;
    j["map"] = s.map;
    j["seq"] = s.map_seq;
    j["acl"] = s.acl;
    j["acl_entry"] = s.acl_entry ? acl_entry_view(*s.acl_entry, s.acl_index) : Json(nullptr);
    return j;
}

Json sa_view(const TraceResult& t) {
    if (!t.sa) return t.sa_why.empty() ? Json(nullptr) : Json({{"why", t.sa_why}});
    const TraceSa& s = *t.sa;
    return {{"conn_id", s.conn_id},       {"spi", s.spi},
            {"transform", s.transform},   {"local", s.local.to_string()},
            {"peer", s.peer.to_string()}, {"mode", s.tunnel ? "tunnel" : "transport"},
            {"udp_encap", s.udp_encap},   {"why", t.sa_why}};
}

}  // namespace

Json trace_view(const TraceResult& t) {
    Json j = {{"packet", packet_view(t.query)},
              {"ingress", {{"route", route_view(t.ingress)}, {"why", t.ingress_why}}},
              {"local", t.local_interface.empty() ? Json(nullptr) : Json(t.local_interface)},
              {"verdict", verdict_name(t.verdict)},
              {"summary", t.summary}};
    if (t.verdict == TraceVerdict::kLocal) return j;
    j["spd"] = spd_view(t);
    j["sa"] = sa_view(t);
    j["egress"] = {{"destination", t.routed_to.to_string()},
                   {"route", route_view(t.egress)},
                   {"why", t.egress_why}};
    return j;
}

}  // namespace espgw::control
