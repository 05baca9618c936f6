// `show crypto capacity`: SAs and tunnels in use of the dataplane's maximum, SPD rules, lcores,
// the packet buffer pool and the depth of every ring (the stats segment's resource region), the
// questions behind requirements.md E19 ("error trying to establish VPN tunnel": capacity).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "mgmt/stats_reader.h"

namespace espgw::mgmt {

// {"sas": {used, max}, "tunnels", "spd_rules": {used, max}, "lcores": {active},
//  "ports", "mbuf_pool": {name, in_use, size} | null, "rings": [{name, lcore, depth,
//  capacity, drops|null}], "published_unix_ns"}
nlohmann::json capacity_document(const StatsReader& r);
std::string render_capacity(const nlohmann::json& doc);

}  // namespace espgw::mgmt
