#include "control/wire_convert.h"

#include "sadb/spd_match.h"

namespace espgw::control {
namespace wire = sadb::wire;

wire::Addr to_wire_addr(Ipv4 a) {
    wire::Addr w{};
    w.version = 4;
    for (int i = 0; i < 4; ++i)
        w.bytes[i] = static_cast<uint8_t>(a.value >> (24 - 8 * i));
    return w;
}

Ipv4 from_wire_addr(const wire::Addr& a) {
    return Ipv4{uint32_t{a.bytes[0]} << 24 | uint32_t{a.bytes[1]} << 16 |
                uint32_t{a.bytes[2]} << 8 | a.bytes[3]};
}

std::vector<PortRange> port_ranges(const PortMatch& m) {
    switch (m.op) {
        case PortOp::kAny:
            return {PortRange{}};
        case PortOp::kEq:
            return {{m.lo, m.lo}};
        case PortOp::kLt:
            return {{0, static_cast<uint16_t>(m.lo - 1)}};
        case PortOp::kGt:
            return {{static_cast<uint16_t>(m.lo + 1), 65535}};
        case PortOp::kRange:
            return {{m.lo, m.hi}};
        case PortOp::kNeq:
            break;
    }
    std::vector<PortRange> v;
    if (m.lo > 0) v.push_back({0, static_cast<uint16_t>(m.lo - 1)});
    if (m.lo < 65535) v.push_back({static_cast<uint16_t>(m.lo + 1), 65535});
    return v;
}

std::vector<PortRange> source_ranges(const AclEntry& e) {
    if (!e.icmp_type) return port_ranges(e.sport);
    const sadb::IcmpRange r = sadb::spd_icmp_range(*e.icmp_type, e.icmp_code);
    return {{r.lo, r.hi}};
}

std::optional<std::vector<wire::Selector>> entry_selectors(const AclEntry& e) {
    const auto src_len = wildcard_to_prefix(e.src.wildcard);
    const auto dst_len = wildcard_to_prefix(e.dst.wildcard);
    if (!src_len || !dst_len) return std::nullopt;
    wire::Selector base{};
    base.src = to_wire_addr(e.src.addr);
    base.dst = to_wire_addr(e.dst.addr);
    base.src_prefix = *src_len;
    base.dst_prefix = *dst_len;
    base.proto = e.protocol;
    std::vector<wire::Selector> out;
    for (PortRange s : source_ranges(e)) {
        for (PortRange d : port_ranges(e.dport)) {
            wire::Selector sel = base;
            sel.sport_lo = s.lo;
            sel.sport_hi = s.hi;
            sel.dport_lo = d.lo;
            sel.dport_hi = d.hi;
            out.push_back(sel);
        }
    }
    return out;
}

}  // namespace espgw::control
