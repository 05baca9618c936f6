// The requests espgw-control answers on its management socket (sadb/mgmt_protocol.h), grouped
// by area, one file each (mgmt_requests_<area>.cc). Handlers return data; the CLI formats it.
#pragma once

#include "control/control_state.h"
#include "control/mgmt_server.h"

namespace espgw::control {

// Registers every request below on `server`; `state` must outlive it.
void register_requests(MgmtServer& server, ControlState& state);

// mgmt_requests_sa.cc: sas, clear-sa, keys.
void register_sa_requests(MgmtServer& server, ControlState& state);

// mgmt_requests_config.cc: config-maps, config-acls, config-interfaces, config-routes,
// config-arp, running-config, trace.
void register_config_requests(MgmtServer& server, ControlState& state);

}  // namespace espgw::control
