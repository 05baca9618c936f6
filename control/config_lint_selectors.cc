// Manually keyed entries get one SA pair whose traffic selectors are the first permit line of
// the access list without `fragments` (AccessList::selector_line). Further permit lines still steer
// outbound traffic into the SA, but the peer checks decrypted packets against the SA's selectors
// (RFC 4301 §5.2, ASA 402116) and drops what falls outside: such lines work in no direction.
#include <algorithm>

#include "control/config_lint_internal.h"
#include "control/config_lint_match.h"

namespace espgw::control::lint {
namespace {

void entry_selectors(const CryptoMapEntry& e, const AccessList* acl, Findings& f) {
    const AclEntry* first = acl->selector_line();
    if (!first) return;  // the compiler refuses the entry
    const TrafficMatch selector = TrafficMatch::of(*first);
    for (auto it = acl->entries.begin(); it != acl->entries.end(); ++it) {
        if (&*it == first) continue;
        // A covered line never matches: the SPD rule reports it.
        if (it->action != AclAction::kPermit || covers(selector, TrafficMatch::of(*it))) continue;
        f.warn(it->line,
               entry_name(e) + " is manually keyed: its SAs carry the selectors of access-list " +
                   acl->name + " line " + std::to_string(first->line) +
                   " only, so traffic of this line fails the inbound policy check at each end",
               "give this traffic its own ipsec-manual entry and access list");
    }
}

}  // namespace

void manual_selectors(const Config& cfg, Findings& f) {
    for (const SpdEntry& e : spd_entries(cfg))
        if (e.entry->kind == MapKind::kManual) entry_selectors(*e.entry, e.acl, f);
}

}  // namespace espgw::control::lint
