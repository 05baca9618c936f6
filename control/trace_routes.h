// The routes the dataplane runs, with where each came from (connected or static), and the
// lookup the dataplane does on them: shared by `show ip route` and `test crypto trace`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/config_model.h"
#include "control/policy_compiler.h"

namespace espgw::control {

struct InstalledRoute {
    char code = 'S';  // IOS route codes: 'C' connected, 'S' static
    Prefix prefix;
    uint16_t port = 0;
    std::string interface;
    std::optional<Ipv4> next_hop;  // none: directly connected (also `ip route P M IF`)
    uint8_t distance = 0;          // administrative distance: 0 connected, 1 static by default
};

// The compiled routes in prefix order. A later route for the same prefix replaces an earlier one,
// as RouteTable::add does when control installs them.
std::vector<InstalledRoute> installed_routes(const Config& cfg, const CompiledPolicy& p);

// Longest prefix match (the dataplane's rte_lpm plus its default route); nullptr when none.
const InstalledRoute* lookup_route(const std::vector<InstalledRoute>& routes, Ipv4 dst);

// The configured name of the interface bound to `port`, "" if none.
std::string interface_name(const CompiledPolicy& p, uint16_t port);

}  // namespace espgw::control
