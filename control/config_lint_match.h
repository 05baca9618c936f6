// The set of packets one access-list line matches in the dataplane's SPD (dataplane/spd.h), as
// exact set algebra, so the lint can say that a line covers or overlaps another.
//
// - Addresses: IOS address/wildcard pairs, contiguous or not (a set bit in the wildcard is a
//   bit that may take any value). Containment and intersection are exact for both; the SPD
//   itself refuses non-contiguous wildcards (a compiler error), the lint still reasons about
//   them correctly.
// - Protocol 0 (`ip`) is any protocol; ports exist for tcp and udp lines only, and an icmp
//   line's message type and code take the source port's place (sadb/spd_match.h).
// - Ports as the SPD compiles them: `neq` is two ranges, and a restricted range never holds
//   port 0 (RFC 6335 §6 reserves it); ICMP type 0 code 0 is an echo reply.
// - Non-initial fragments, which show no ports (RFC 4301 §7), apart from whole packets (and
//   first fragments): a line takes them on protocol and addresses when its ports are `any`,
//   when it is a permit line with ports, or when it has the `fragments` keyword, and then it
//   takes no whole packet (IOS "Access Control Lists and IP Fragments"; sadb/spd_match.h).
// - Matches the SPD widens are modelled widened, because that is what runs: `established` is
//   ignored (the compiler warns about it).
#pragma once

#include <cstdint>
#include <vector>

#include "control/config_model.h"
#include "control/wire_convert.h"

namespace espgw::control {

struct TrafficMatch {
    uint8_t protocol = 0;  // 0 = any
    AddrMatch src;
    AddrMatch dst;
    std::vector<PortRange> sport;  // sorted, disjoint; {0, 65535} = any
    std::vector<PortRange> dport;
    bool whole = true;       // takes whole packets (within the port ranges); false: `fragments`
    bool fragments = false;  // takes non-initial fragments

    static TrafficMatch of(const AclEntry& e);
};

// True when every packet `inner` matches also matches `outer`.
bool covers(const TrafficMatch& outer, const TrafficMatch& inner);

// True when at least one packet matches both.
bool intersects(const TrafficMatch& a, const TrafficMatch& b);

// True when at least one whole packet (or first fragment) matches both: false for two lines
// that share only non-initial fragments, such as two permit lines for different ports.
bool whole_packets_intersect(const TrafficMatch& a, const TrafficMatch& b);

}  // namespace espgw::control
