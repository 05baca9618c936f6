#include "control/config_lint_match.h"

#include <algorithm>
#include <utility>

#include "control/acl_names.h"

namespace espgw::control {
namespace {

bool is_any(PortRange r) {
    return r.lo == 0 && r.hi == 65535;
}

// The ranges the SPD installs for a port match: restricted ranges start at 1 (port 0 is in no
// restricted range, dataplane/spd.cc set_ports), and a range left empty by that matches nothing.
std::vector<PortRange> spd_ports(const PortMatch& m) {
    std::vector<PortRange> out;
    for (PortRange r : port_ranges(m)) {
        if (!is_any(r)) r.lo = std::max<uint16_t>(r.lo, 1);
        if (r.lo <= r.hi) out.push_back(r);
    }
    std::sort(out.begin(), out.end(), [](PortRange a, PortRange b) { return a.lo < b.lo; });
    return out;
}

// Every address `inner` matches, `outer` matches: inner's free bits are free in outer, and the
// bits outer fixes are equal.
bool addr_covers(const AddrMatch& outer, const AddrMatch& inner) {
    const uint32_t ow = outer.wildcard.value;
    const uint32_t iw = inner.wildcard.value;
    return (iw & ~ow) == 0 && ((inner.addr.value ^ outer.addr.value) & ~ow) == 0;
}

// Some address matches both: they agree on every bit both fix.
bool addr_intersects(const AddrMatch& a, const AddrMatch& b) {
    const uint32_t fixed = ~a.wildcard.value & ~b.wildcard.value;
    return ((a.addr.value ^ b.addr.value) & fixed) == 0;
}

bool proto_covers(uint8_t outer, uint8_t inner) {
    return outer == 0 || outer == inner;
}

bool proto_intersects(uint8_t a, uint8_t b) {
    return a == 0 || b == 0 || a == b;
}

// `r` lies inside the union of `set` (sorted, disjoint).
bool range_covered(PortRange r, const std::vector<PortRange>& set) {
    uint32_t next = r.lo;  // first port of r not yet shown to be covered
    for (PortRange s : set)
        if (s.lo <= next && s.hi >= next) next = uint32_t{s.hi} + 1;
    return next > r.hi;
}

bool ports_cover(const std::vector<PortRange>& outer, const std::vector<PortRange>& inner) {
    return std::all_of(inner.begin(), inner.end(),
                       [&](PortRange r) { return range_covered(r, outer); });
}

bool ports_intersect(const std::vector<PortRange>& a, const std::vector<PortRange>& b) {
    for (PortRange x : a)
        for (PortRange y : b)
            if (x.lo <= y.hi && y.lo <= x.hi) return true;
    return false;
}

}  // namespace

TrafficMatch TrafficMatch::of(const AclEntry& e) {
    // An ICMP type and code sit in the source range as they are, type 0 code 0 included.
    std::vector<PortRange> sport = e.icmp_type ? source_ranges(e) : spd_ports(e.sport);
    TrafficMatch t{e.protocol, e.src, e.dst, std::move(sport), spd_ports(e.dport)};
    const auto any = [](const std::vector<PortRange>& v) { return v.size() == 1 && is_any(v[0]); };
    t.whole = !e.fragments;
    t.fragments = (any(t.sport) && any(t.dport)) || e.action == AclAction::kPermit;
    return t;
}

namespace {

// Some whole packet (or first fragment) lies in both port ranges; protocol and addresses apart.
bool whole_ports_intersect(const TrafficMatch& a, const TrafficMatch& b) {
    return a.whole && b.whole && ports_intersect(a.sport, b.sport) &&
           ports_intersect(a.dport, b.dport);
}

}  // namespace

bool covers(const TrafficMatch& outer, const TrafficMatch& inner) {
    // A line whose port ranges are empty matches no whole packet.
    const bool whole = inner.whole && !inner.sport.empty() && !inner.dport.empty();
    if (!whole && !inner.fragments) return true;  // it matches nothing: anything covers it
    if (!proto_covers(outer.protocol, inner.protocol) || !addr_covers(outer.src, inner.src) ||
        !addr_covers(outer.dst, inner.dst))
        return false;
    if (inner.fragments && !outer.fragments) return false;
    if (!whole) return true;
    return outer.whole && ports_cover(outer.sport, inner.sport) &&
           ports_cover(outer.dport, inner.dport);
}

bool intersects(const TrafficMatch& a, const TrafficMatch& b) {
    if (!addr_intersects(a.src, b.src) || !addr_intersects(a.dst, b.dst) ||
        !proto_intersects(a.protocol, b.protocol))
        return false;
    return (a.fragments && b.fragments) || whole_ports_intersect(a, b);
}

bool whole_packets_intersect(const TrafficMatch& a, const TrafficMatch& b) {
    return intersects(a, b) && whole_ports_intersect(a, b);
}

}  // namespace espgw::control
