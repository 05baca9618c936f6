// References that resolve but lead nowhere. The validator reports names that do not exist and
// incomplete entries; the compiler refuses a manual entry whose access list permits nothing.
// What is left: IKE entries whose access list permits nothing (they would never ask for a
// tunnel), and `crypto map NAME local-address IF` naming an interface that does not carry the
// map (requirements.md E03, "invalid local address": the map is then installed nowhere).
#include <algorithm>

#include "control/config_lint_internal.h"

namespace espgw::control::lint {
namespace {

bool permits_something(const AccessList& acl) {
    return std::any_of(acl.entries.begin(), acl.entries.end(),
                       [](const AclEntry& l) { return l.action == AclAction::kPermit; });
}

void ike_acl(const AclIndex& acls, const CryptoMapEntry& e, const char* kind, Findings& f) {
    if (e.kind != MapKind::kIsakmp) return;
    const AccessList* acl = acls.find(e.match_acl);
    if (!acl || permits_something(*acl)) return;
    f.warn(e.match_line,
           std::string(kind) + e.map + " " + std::to_string(e.seq) + ": access-list " + acl->name +
               (acl->entries.empty() ? " is empty" : " has only deny lines") +
               ": the entry never protects traffic",
           "add a permit line for the traffic to protect");
}

void local_address(const Config& cfg, const CryptoMapSet& s, Findings& f) {
    if (s.local_address.empty()) return;
    const InterfaceConfig* itf = cfg.find_interface(s.local_address);
    if (!itf)
        return f.warn(s.line,
                      "crypto map " + s.name + " local-address: interface " + s.local_address +
                          " does not exist (IOS: invalid local address)",
                      "name the interface the crypto map is applied to");
    if (itf->crypto_map != s.name)
        f.warn(s.line,
               "crypto map " + s.name + " local-address " + s.local_address +
                   ": the interface does not carry crypto map " + s.name +
                   ", so the map is installed nowhere (IOS: invalid local address)",
               "add crypto map " + s.name + " under interface " + s.local_address);
}

}  // namespace

void references(const Config& cfg, Findings& f) {
    const AclIndex acls(cfg);
    for (const CryptoMapEntry& e : cfg.crypto_maps)
        ike_acl(acls, e, "crypto map ", f);
    for (const CryptoMapEntry& e : cfg.dynamic_maps)
        ike_acl(acls, e, "crypto dynamic-map ", f);
    for (const CryptoMapSet& s : cfg.crypto_map_sets)
        local_address(cfg, s, f);
}

}  // namespace espgw::control::lint
