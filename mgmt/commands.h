// Every command area of the `espgw` CLI registers its commands here; espgw_cli.cc calls them
// all. Add one line per area (see mgmt/README.md, "How to add a command").
#pragma once

#include "mgmt/command_tree.h"

namespace espgw::mgmt {

// show_root_cmd.cc: help texts of the shared keywords (show, clear, crypto, ...).
void register_root_keywords(CommandTree& tree);
// show_ipsec_sa_cmd.cc: show crypto ipsec sa [...] (and its key export), show crypto engine
// connection active, show crypto drops.
void register_sa_commands(CommandTree& tree);
// capture_cmd.cc: monitor capture NAME ... start|stop, show monitor capture [NAME].
void register_capture_commands(CommandTree& tree);
// show_config_cmd.cc: show crypto map, show access-lists, show interfaces, show ip route, show
// arp, show running-config, test crypto trace.
void register_config_commands(CommandTree& tree);
// clear_crypto_cmd.cc: clear crypto sa [...], clear crypto counters.
void register_clear_commands(CommandTree& tree);
// show_status_cmd.cc: show crypto isakmp sa [detail], show crypto capacity.
void register_status_commands(CommandTree& tree);
// debug_stream_cmd.cc: debug crypto ipsec|engine [peer ADDR], undebug all, show debugging.
void register_debug_commands(CommandTree& tree);

inline void register_all_commands(CommandTree& tree) {
    register_root_keywords(tree);
    register_sa_commands(tree);
    register_capture_commands(tree);
    register_config_commands(tree);
    register_debug_commands(tree);
    register_clear_commands(tree);
    register_status_commands(tree);
}

}  // namespace espgw::mgmt
