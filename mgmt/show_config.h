// The configuration views of the CLI: show crypto map, show access-lists, show interfaces, show
// ip route, show arp, show running-config and test crypto trace. Control answers with data
// (control/mgmt_views_config.h, control/trace.h); the join_* functions add the dataplane's
// counters from the stats segment; the render_* functions turn the joined document (the one
// `--json` prints) into IOS text. All of them are pure functions of their arguments.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sadb/stats_segment.h"

namespace espgw::mgmt {

using Json = nlohmann::json;

// show_config_acl.cc
// One ACL line as IOS writes it, without its sequence number: "permit ip 198.18.1.0 0.0.0.255
// any"; a standard list's "permit 10.0.0.0, wildcard bits 0.0.0.255" in show output is
// "permit 10.0.0.0 0.0.0.255" in the configuration.
enum class AclForm { kShow, kConfig };
std::string acl_entry_text(const Json& entry, bool standard, AclForm form = AclForm::kShow);
// Adds `matches` to every line of the lists a crypto map uses: the hits of the live SPD rules
// that came from the line (summed over rules and lcores); lines of other lists get null.
// `port_maps` names the crypto map of each port (PortStats::crypto_map).
Json join_acl_hits(Json lists, const std::vector<sadb::SpdRuleInfo>& rules,
                   const std::vector<uint64_t>& hits,
                   const std::map<uint16_t, std::string>& port_maps);
// `show access-lists`: {access_lists: [...]} -> "Extended IP access list 101\n    10 permit ...".
std::string render_access_lists(const Json& doc);

// show_config_map.cc: `show crypto map` from {maps, dynamic_maps}.
std::string render_crypto_maps(const Json& doc);

// show_config_interfaces.cc
// Adds `stats` (PortStats: up, MAC, packets, bytes, errors, drops) to each interface bound to a
// port the dataplane publishes.
Json join_interface_stats(Json doc, const std::vector<sadb::PortStats>& ports);
std::string render_interfaces(const Json& doc);

// show_config_route.cc: `show ip route` from {routes, gateway_of_last_resort}.
std::string render_ip_route(const Json& doc);

// show_config_arp.cc
// The ARP table: the gateway's own addresses (MACs of its ports), configured entries and what
// the dataplane learnt, by address: {entries: [{address, age_min, mac, type, interface, kind}]}.
Json join_arp(const Json& control, const std::vector<sadb::PortStats>& ports,
              const std::vector<sadb::NeighborSlot>& learnt, uint64_t now_unix_ns);
std::string render_arp(const Json& doc);

// show_config_running.cc: `show running-config`; secrets print as <removed>.
std::string render_running_config(const Json& doc);

// show_config_trace.cc: `test crypto trace`.
std::string render_trace(const Json& doc);

// show_config_interfaces.cc: MAC addresses, 02:00:00:00:00:02 in JSON, 0200.0000.0002 (IOS's
// form) in text.
std::string mac_colon_text(const uint8_t* mac);
std::string ios_mac(const std::string& colon_mac);

}  // namespace espgw::mgmt
