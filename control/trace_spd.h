// The SPD matching of `test crypto trace`: the dataplane's rules (dataplane/spd.h) on one
// packet, on compiled rules and on the selectors of ACL lines that were never compiled.
#pragma once

#include "control/trace.h"

namespace espgw::control {

// The rte_acl semantics: protocol 0 = any; prefixes; ports only for TCP/UDP, a restricted
// range never holds port 0 (a packet without ports matches only "any" ranges); a non-initial
// fragment meets a rule as sadb/spd_match.h says.
bool rule_matches(const wire::SpdRule& r, const TraceQuery& q);

// The first rule of the compiled SPD (id order) that matches, with its crypto map entry and
// ACL line.
TraceSpd first_spd_match(const Config& cfg, const CompiledPolicy& p, const TraceQuery& q);

// Crypto map entries of the configuration that would protect the packet but are not in the
// SPD (IKE entries, incomplete manual ones, maps on no usable interface): one line each.
std::vector<std::string> uninstalled_matches(const Config& cfg, const CompiledPolicy& p,
                                             const TraceQuery& q);

}  // namespace espgw::control
