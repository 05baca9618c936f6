#include "control/trace.h"

#include "control/trace_spd.h"
#include "control/wire_convert.h"
#include "crypto/suite.h"

namespace espgw::control {
namespace {

std::string prefix_text(const Prefix& p) {
    return p.addr.to_string() + "/" + std::to_string(p.len);
}

// "connected network 198.18.1.0/24 of port1" / "static route 0.0.0.0/0 via 192.0.2.2 (port0)"
std::string route_text(const InstalledRoute& r) {
    if (r.code == 'C') return "connected network " + prefix_text(r.prefix) + " of " + r.interface;
    std::string t = "static route " + prefix_text(r.prefix);
    if (r.next_hop) t += " via " + r.next_hop->to_string();
    return t + " (" + r.interface + ")";
}

void trace_ingress(const std::vector<InstalledRoute>& routes, TraceResult& t) {
    const InstalledRoute* r = lookup_route(routes, t.query.src);
    if (!r) {
        t.ingress_why = "no route covers the source " + t.query.src.to_string() +
                        ": no interface expects it (the dataplane does not check the source)";
        return;
    }
    t.ingress = *r;
    t.ingress_why = "the source " + t.query.src.to_string() + " is reached through the " +
                    route_text(*r) + ", so the packet arrives on " + r->interface;
}

bool trace_local(const CompiledPolicy& p, TraceResult& t) {
    for (const wire::Interface& i : p.interfaces) {
        if (i.addr.version != 4 || from_wire_addr(i.addr) != t.query.dst) continue;
        t.local_interface = interface_name(p, i.port);
        t.verdict = TraceVerdict::kLocal;
        t.summary = "for the gateway itself (address of " + t.local_interface +
                    "): answered by the gateway, not forwarded";
        return true;
    }
    return false;
}

std::string line_ref(const TraceSpd& s) {
    return "crypto map " + s.map + " " + std::to_string(s.map_seq) + ", access list " + s.acl +
           " line " + std::to_string(s.acl_index);
}

TraceSa sa_of(const CompiledSa& c) {
    const wire::Sa& s = c.sa;
    TraceSa out;
    out.conn_id = s.conn_id;
    out.spi = s.spi;
    out.transform = crypto::cipher_info(static_cast<crypto::Cipher>(s.cipher)).ios_name;
    const auto integrity = static_cast<crypto::Integrity>(s.integrity);
    if (integrity != crypto::Integrity::kNone)
        out.transform += " " + std::string(crypto::integrity_info(integrity).ios_name);
    out.local = from_wire_addr(s.local);
    out.peer = from_wire_addr(s.peer);
    out.tunnel = s.mode == wire::Mode::kTunnel;
    out.udp_encap = s.udp_encap != 0;
    return out;
}

// PROTECT: the outbound SA, or why there is none.
void trace_protect(const CompiledPolicy& p, TraceResult& t) {
    const CompiledSa* sa = t.spd.sa_conn_id != 0 ? p.find_sa(t.spd.sa_conn_id) : nullptr;
    if (!sa) {
        t.verdict = TraceVerdict::kDropped;
        t.sa_why =
            "the entry has no outbound SA: the packet is dropped (no_sa) and an ACQUIRE "
            "goes to control";
        return;
    }
    t.sa = sa_of(*sa);
    t.verdict = TraceVerdict::kEncrypted;
    t.routed_to = t.sa->peer;
    t.sa_why = "encrypted with the entry's outbound SA (conn id " + std::to_string(t.sa->conn_id) +
               ") and sent to the peer " + t.sa->peer.to_string();
}

void trace_spd(const Config& cfg, const CompiledPolicy& p, TraceResult& t) {
    t.spd = first_spd_match(cfg, p, t.query);
    t.routed_to = t.query.dst;
    if (!t.spd.matched) {
        t.spd_why = p.spd.empty() ? "the SPD is empty: sent in the clear"
                                  : "no ACL line of any installed crypto map entry matches: sent "
                                    "in the clear";
        t.notes = uninstalled_matches(cfg, p, t.query);
        return;
    }
    switch (t.spd.action) {
        case wire::SpdAction::kProtect:
            t.spd_why = "first match: " + line_ref(t.spd) + " permits it: PROTECT";
            return trace_protect(p, t);
        case wire::SpdAction::kBypass:
            t.spd_why = "first match: " + line_ref(t.spd) +
                        " denies it: BYPASS, the later entries are not consulted and the packet "
                        "is sent in the clear";
            return;
        case wire::SpdAction::kDiscard:
            t.spd_why = "first match: " + line_ref(t.spd) + ": DISCARD";
            t.verdict = TraceVerdict::kDropped;
            return;
    }
}

void trace_egress(const std::vector<InstalledRoute>& routes, TraceResult& t) {
    const InstalledRoute* r = lookup_route(routes, t.routed_to);
    if (!r) {
        t.verdict = TraceVerdict::kDropped;
        t.egress_why = "no route to " + t.routed_to.to_string() + ": dropped (no_route)";
        return;
    }
    t.egress = *r;
    const Ipv4 hop = r->next_hop.value_or(t.routed_to);
    t.egress_why = t.routed_to.to_string() + " is reached through the " + route_text(*r) +
                   ": out of " + r->interface + " to " +
                   (r->next_hop ? "the next hop " : "the destination itself ") + hop.to_string();
}

std::string summary(const TraceResult& t) {
    switch (t.verdict) {
        case TraceVerdict::kEncrypted:
            return "encrypted (SPI " + std::to_string(t.sa->spi) + ") to " +
                   t.sa->peer.to_string() + " out of " + t.egress->interface;
        case TraceVerdict::kClear:
            return "forwarded in the clear out of " + t.egress->interface;
        case TraceVerdict::kDropped:
            return "dropped";
        case TraceVerdict::kLocal:
            break;
    }
    return t.summary;
}

}  // namespace

TraceResult trace_packet(const Config& cfg, const CompiledPolicy& p, const TraceQuery& q) {
    TraceResult t;
    t.query = q;
    const std::vector<InstalledRoute> routes = installed_routes(cfg, p);
    trace_ingress(routes, t);
    if (trace_local(p, t)) return t;
    trace_spd(cfg, p, t);
    if (t.verdict != TraceVerdict::kDropped) trace_egress(routes, t);
    t.summary = summary(t);
    return t;
}

}  // namespace espgw::control
