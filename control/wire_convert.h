// Model values to their ring-protocol form.
#pragma once

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "control/config_model.h"
#include "sadb/wire.h"

namespace espgw::control {

sadb::wire::Addr to_wire_addr(Ipv4 a);
Ipv4 from_wire_addr(const sadb::wire::Addr& a);

// Copies a name into a fixed char array; false when it does not fit (with its NUL).
template <size_t N>
bool copy_name(char (&dst)[N], std::string_view name) {
    if (name.size() >= N) return false;
    std::fill(std::begin(dst), std::end(dst), '\0');
    std::copy(name.begin(), name.end(), dst);
    return true;
}

struct PortRange {
    uint16_t lo = 0;
    uint16_t hi = 65535;
};

// The ranges an IOS port match covers: `neq 80` is two ranges, the others one.
std::vector<PortRange> port_ranges(const PortMatch& m);

// The source ranges of an entry's selectors: its source ports, or for an icmp line with a
// message type, that type and code (sadb/spd_match.h: RFC 4301 §4.4.1.1 puts them where a
// source port goes).
std::vector<PortRange> source_ranges(const AclEntry& e);

// The selectors of one ACL entry (one per combination of port ranges); nullopt when a wildcard
// is not contiguous.
std::optional<std::vector<sadb::wire::Selector>> entry_selectors(const AclEntry& e);

}  // namespace espgw::control
