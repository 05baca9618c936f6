// The SPD snapshot: one rule per line of each installed entry's `match address` list (more when
// a `neq` needs two port ranges), ordered by crypto map sequence number, then ACL line, as IOS
// evaluates a crypto map. permit protects with the entry's outbound SA; deny bypasses.
#include <algorithm>
#include <tuple>

#include "control/compiler_internal.h"
#include "control/wire_convert.h"

namespace espgw::control {
namespace {

wire::SpdRule rule_of(const InstalledEntry& ie, const AclEntry& e, uint32_t acl_line,
                      const wire::Selector& sel) {
    wire::SpdRule r{};
    const bool permit = e.action == AclAction::kPermit;
    r.action = permit ? wire::SpdAction::kProtect : wire::SpdAction::kBypass;
    r.sa_conn_id = permit ? ie.outbound_conn_id : 0;
    r.sel = sel;
    r.fragments_only = e.fragments ? 1 : 0;
    r.port = *ie.itf->dpdk_port;
    r.map_seq = ie.entry->seq;
    r.acl_line = acl_line;
    return r;
}

// Matches a selector cannot express are widened, never narrowed silently: say so. Widening a
// permit line protects more; widening a deny line sends more in clear, which the warning says.
void warn_widened(CompileContext& ctx, const AclEntry& e) {
    const bool deny = e.action == AclAction::kDeny;
    const char* hint = deny ? "to keep that traffic protected, remove the line or narrow it by "
                              "addresses"
                            : "";
    if (e.established)
        ctx.warning(e.line,
                    std::string("'established' is not supported by the SPD: the entry matches "
                                "all TCP") +
                        (deny ? ", so all TCP between its addresses leaves in clear" : ""),
                    hint);
}

void entry_rules(CompileContext& ctx, const InstalledEntry& ie, std::vector<wire::SpdRule>* out) {
    const AccessList* acl = ctx.cfg.find_acl(ie.entry->match_acl);
    uint32_t acl_line = 0;
    for (const AclEntry& e : acl->entries) {
        ++acl_line;
        const auto selectors = entry_selectors(e);
        if (!selectors) {
            ctx.error(e.line, "wildcard mask is not contiguous: the SPD needs prefixes");
            continue;
        }
        warn_widened(ctx, e);
        for (const wire::Selector& sel : *selectors)
            out->push_back(rule_of(ie, e, acl_line, sel));
    }
}

}  // namespace

std::vector<wire::SpdRule> compile_spd(CompileContext& ctx,
                                       const std::vector<InstalledEntry>& installed) {
    std::vector<InstalledEntry> order = installed;
    std::stable_sort(
        order.begin(), order.end(), [](const InstalledEntry& a, const InstalledEntry& b) {
            return std::tie(a.entry->seq, a.entry->map) < std::tie(b.entry->seq, b.entry->map);
        });
    std::vector<wire::SpdRule> rules;
    for (const InstalledEntry& ie : order)
        entry_rules(ctx, ie, &rules);
    for (size_t i = 0; i < rules.size(); ++i)
        rules[i].id = static_cast<uint32_t>(i);
    return rules;
}

}  // namespace espgw::control
