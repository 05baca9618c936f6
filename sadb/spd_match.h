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
#pragma once

#include "sadb/wire.h"

namespace espgw::sadb {

inline bool spd_has_ports(const wire::Selector& s) {
    return s.sport_lo != 0 || s.sport_hi != 0xffff || s.dport_lo != 0 || s.dport_hi != 0xffff;
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
// so the dataplane needs its second trie.
inline bool spd_fragments_differ(const wire::SpdRule& r) {
    return !spd_matches_whole(r) || spd_fragment_view(r) == FragmentView::kAnyPorts;
}

}  // namespace espgw::sadb
