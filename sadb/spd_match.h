// How an SPD rule meets IPv4 fragments, defined once for the dataplane's rte_acl tries
// (dataplane/spd.cc) and control's `test crypto trace` (control/trace_spd.cc). The lint reasons
// about the same sets at the ACL level (control/config_lint_match.h).
//
// A non-initial fragment (fragment offset != 0, RFC 791) carries no transport header, so no ports
// (RFC 4301 §7). As IOS applies an ACL to fragments ("Access Control Lists and IP Fragments"):
// - a line without ports matches whole packets, first fragments and non-initial fragments alike;
// - a permit line (PROTECT) with ports matches non-initial fragments on protocol and addresses;
// - a deny line (BYPASS, DISCARD) with ports never matches them;
// - a line with the `fragments` keyword (fragments_only; no ports) matches only non-initial
//   fragments, of its protocol and addresses.
// So a flow protected by port keeps its later fragments in its SA instead of letting them fall
// through to a later rule (often a bypass, i.e. in clear), as pre-fragmentation does.
//
// ICMP has one "port" selector, message type and code (RFC 4301 §4.4.1.1 and §4.4.1.3 B). A
// selector carries it as IKEv2 traffic selectors do (RFC 7296 §3.13.1): type in the high byte,
// code in the low byte of the source port range, the destination range ANY. A packet's value is
// its first two ICMP header bytes read big-endian (RFC 792), where a TCP/UDP source port sits.
// The same type and code hold both ways (§4.4.1.3 B, example 1: sent and received), so a
// mirrored rule keeps them in the source range.
#pragma once

#include <optional>

#include "sadb/wire.h"

namespace espgw::sadb {

inline constexpr uint8_t kSelectorProtoIcmp = 1;  // RFC 792

inline bool spd_has_ports(const wire::Selector& s) {
    return s.sport_lo != 0 || s.sport_hi != 0xffff || s.dport_lo != 0 || s.dport_hi != 0xffff;
}

// A selector that names ICMP types and codes (in its source range, see above).
inline bool spd_icmp_types(const wire::Selector& s) {
    return s.proto == kSelectorProtoIcmp && spd_has_ports(s);
}

// Whether mirroring a selector for the other direction swaps its port ranges: TCP and UDP ports
// swap with the addresses; ICMP type and code hold both ways and stay in the source range
// (above). The inbound SPD (dataplane/spd_inbound.cc) and an SA's inner policy
// (sadb/sa_runtime.cc) both mirror by this rule.
inline bool spd_mirror_swaps_ports(uint8_t proto) {
    return proto != kSelectorProtoIcmp;
}

// The source range for ICMP type `type` with code `code`, or all its codes.
struct IcmpRange {
    uint16_t lo, hi;
};
inline IcmpRange spd_icmp_range(uint8_t type, std::optional<uint8_t> code) {
    const auto base = static_cast<uint16_t>(type << 8);
    if (code) return {static_cast<uint16_t>(base | *code), static_cast<uint16_t>(base | *code)};
    return {base, static_cast<uint16_t>(base | 0xff)};
}

// The rule as seen by whole packets and first fragments: false for a `fragments` line.
inline bool spd_matches_whole(const wire::SpdRule& r) {
    return r.fragments_only == 0;
}

enum class FragmentView : uint8_t {
    kAsIs,      // matches non-initial fragments with its selector as written (it has no ports)
    kAnyPorts,  // matches them on protocol and addresses, its port ranges taken as ANY
    kNever,     // never matches them
};

inline FragmentView spd_fragment_view(const wire::SpdRule& r) {
    if (!spd_has_ports(r.sel)) return FragmentView::kAsIs;
    return r.action == wire::SpdAction::kProtect ? FragmentView::kAnyPorts : FragmentView::kNever;
}

// True when non-initial fragments and other packets are classified differently by this rule,
// so the dataplane needs its second trie. One trie serves both only while a fragment's "no
// port" value 0 lies in no restricted range; an ICMP echo reply is type 0 code 0, so a rule with
// ICMP types always sends fragments to the second trie.
inline bool spd_fragments_differ(const wire::SpdRule& r) {
    return !spd_matches_whole(r) || spd_fragment_view(r) == FragmentView::kAnyPorts ||
           spd_icmp_types(r.sel);
}

}  // namespace espgw::sadb
