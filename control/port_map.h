// The command-line alternative to `dpdk-port N` (design.md: interface names are bound to DPDK
// ports by an interface sub-command or a command-line mapping), so a configuration taken from a
// router loads unchanged: `--port-map FastEthernet0/0=0,FastEthernet0/1=1`.
#pragma once

#include <string_view>
#include <vector>

#include "control/config_model.h"
#include "control/diagnostic.h"

namespace espgw::control {

// Binds each NAME=PORT of `spec` (comma-separated) to the interface of that name, overriding a
// `dpdk-port` line. Problems are errors at line 0; false when there is one.
bool apply_port_map(std::string_view spec, Config* cfg, std::vector<Diagnostic>* diags);

}  // namespace espgw::control
