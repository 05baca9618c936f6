// The data of the CLI's configuration views, built from control's configuration model and its
// compilation: show crypto map, show access-lists, show interfaces, show ip route, show arp and
// show running-config. JSON data, never text (mgmt/show_config_*.cc render it; the CLI joins the
// dataplane's counters in). No key ever appears: a session key is its SPI and whether it is set,
// a pre-shared key only whether it is set.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "control/config_model.h"
#include "control/policy_compiler.h"

namespace espgw::control {

using Json = nlohmann::json;

// A JSON array of f(x) for every x of v.
template <typename T, typename F>
Json json_each(const std::vector<T>& v, F f) {
    Json out = Json::array();
    for (const T& x : v)
        out.push_back(f(x));
    return out;
}

// 02:00:00:00:00:02 (the JSON form of a MAC address; the renderers print IOS's 0200.0000.0002).
std::string mac_json_text(const uint8_t* mac);

// mgmt_views_config_acl.cc. One ACL line: {index (1-based position: wire::SpdRule::acl_line),
// seq, line, action, protocol, protocol_name, src, sport, dst, dport, icmp, established, log}.
Json acl_entry_view(const AclEntry& e, uint32_t index);
// One list with its lines, remarks and the crypto map entries that match on it (`used_by`).
Json access_list_view(const Config& cfg, const AccessList& acl);
// {access_lists: [...]} in configuration order.
Json access_lists_view(const Config& cfg);

// mgmt_views_config_map.cc. {maps: [{name, interfaces, local_address, entries: [...]}],
// dynamic_maps: [...]}; an entry has its peers, ACL, transform sets, SPIs (manual), lifetime,
// PFS and whether its SAs are installed.
Json crypto_maps_view(const Config& cfg, const CompiledPolicy& p);
// {spi, cipher_key: set?, auth_key: set?} of a manual entry's session key; null when absent.
Json session_key_view(const std::optional<SessionKey>& k);

// mgmt_views_config_topology.cc.
// {interfaces: [{name, description, dpdk_port, address, prefix_len, mtu, ...}]}
Json interfaces_view(const Config& cfg);
// {static: [{address, mac, port, interface}], own: [{address, port, interface}]}: the ARP
// entries control knows; the learnt ones come from the dataplane.
Json arp_view(const CompiledPolicy& p);

// {routes: [{code C|S, prefix, prefix_len, interface, port,
// next_hop, distance, metric, candidate_default}], gateway_of_last_resort}.
Json routes_view(const Config& cfg, const CompiledPolicy& p);

// mgmt_views_config_running.cc. The whole model (hostname, interfaces, ..., isakmp), keys
// reduced to whether they are set, for `show running-config`.
Json running_config_view(const Config& cfg);
// mgmt_views_config_isakmp.cc: its IKE part (policies, keys, keyrings, profiles, groups).
Json isakmp_running_view(const Config& cfg);

}  // namespace espgw::control
