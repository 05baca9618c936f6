// The configuration model as data for `show running-config`: every construct control holds,
// secrets reduced to whether they are set (the renderer prints `<removed>` for them, as IOS
// hides secrets). Lines control ignored (`line vty`, `aaa ...`) are not in the model.
#include "control/mgmt_views_config.h"
#include "control/syslog_format.h"

namespace espgw::control {
namespace {

template <typename T>
Json opt(const std::optional<T>& v) {
    return v ? Json(*v) : Json(nullptr);
}

Json mask_of(uint8_t len) {
    return prefix_to_mask(len).to_string();
}

const char* frag_name(FragPolicy f) {
    return f == FragPolicy::kBeforeEncryption ? "before-encryption" : "after-encryption";
}

const char* df_name(DfBit d) {
    return d == DfBit::kCopy ? "copy" : d == DfBit::kSet ? "set" : "clear";
}

Json interface_json(const InterfaceConfig& i) {
    const char* kinds[] = {"none", "static", "dhcp"};
    Json j = {{"name", i.name},
              {"description", i.description},
              {"dpdk_port", opt(i.dpdk_port)},
              {"address_kind", kinds[static_cast<int>(i.address_kind)]},
              {"address", i.address.to_string()},
              {"mask", mask_of(i.prefix_len)},
              {"mtu", opt(i.mtu)},
              {"tcp_adjust_mss", opt(i.tcp_adjust_mss)},
              {"crypto_map", i.crypto_map},
              {"frag", i.frag ? Json(frag_name(*i.frag)) : Json(nullptr)},
              {"df_bit", i.df_bit ? Json(df_name(*i.df_bit)) : Json(nullptr)},
              {"shutdown", i.shutdown}};
    return j;
}

Json route_json(const StaticRoute& r) {
    return {{"prefix", r.prefix.addr.to_string()},
            {"mask", mask_of(r.prefix.len)},
            {"interface", r.interface},
            {"next_hop", r.next_hop ? Json(r.next_hop->to_string()) : Json(nullptr)},
            {"distance", r.distance}};
}

Json arp_json(const StaticArp& a) {
    return {{"address", a.address.to_string()}, {"mac", mac_json_text(a.mac.data())}};
}

Json transform_set_json(const TransformSet& t) {
    return {{"name", t.name},
            {"transforms", t.transforms},
            {"mode", t.mode == IpsecMode::kTunnel ? "tunnel" : "transport"}};
}

Json ipsec_json(const IpsecGlobals& g) {
    return {{"replay_window", opt(g.replay_window)},
            {"replay_disabled", g.replay_disabled},
            {"lifetime_seconds", opt(g.lifetime_seconds)},
            {"lifetime_kilobytes", opt(g.lifetime_kilobytes)},
            {"idle_time", opt(g.idle_time)},
            {"frag", frag_name(g.frag)},
            {"df_bit", df_name(g.df_bit)},
            {"udp_encapsulation", g.udp_encapsulation}};
}

Json map_entry_json(const CryptoMapEntry& e) {
    Json peers = Json::array();
    for (const Ipv4& p : e.peers)
        peers.push_back(p.to_string());
    return {{"map", e.map},
            {"seq", e.seq},
            {"kind", e.kind == MapKind::kManual ? "ipsec-manual" : "ipsec-isakmp"},
            {"dynamic_map", e.dynamic_map},
            {"discover", e.discover},
            {"description", e.description},
            {"peers", peers},
            {"transform_sets", e.transform_sets},
            {"match_acl", e.match_acl},
            {"inbound", session_key_view(e.inbound)},
            {"outbound", session_key_view(e.outbound)},
            {"pfs_group", opt(e.pfs_group)},
            {"lifetime_seconds", opt(e.lifetime_seconds)},
            {"lifetime_kilobytes", opt(e.lifetime_kilobytes)},
            {"replay_window", opt(e.replay_window)},
            {"idle_time", opt(e.idle_time)},
            {"isakmp_profile", e.isakmp_profile},
            {"reverse_route", e.reverse_route}};
}

Json map_set_json(const CryptoMapSet& s) {
    return {{"name", s.name},
            {"local_address", s.local_address},
            {"client_authentication_list", s.client_authentication_list},
            {"isakmp_authorization_list", s.isakmp_authorization_list},
            {"client_configuration_address", s.client_configuration_address}};
}

Json crypto_json(const Config& cfg) {
    return {{"transform_sets", json_each(cfg.transform_sets, transform_set_json)},
            {"ipsec", ipsec_json(cfg.ipsec)},
            {"crypto_maps", json_each(cfg.crypto_maps, map_entry_json)},
            {"dynamic_maps", json_each(cfg.dynamic_maps, map_entry_json)},
            {"crypto_map_sets", json_each(cfg.crypto_map_sets, map_set_json)}};
}

// `logging host|facility|trap`; the facility by name, null when not configured.
Json logging_json(const LoggingConfig& l) {
    return {
        {"hosts", json_each(l.hosts,
                            [](const LoggingHost& h) {
                                return Json{{"address", h.address.to_string()}, {"port", h.port}};
                            })},
        {"facility", l.facility < 0 ? Json(nullptr) : Json(facility_name(l.facility))},
        {"trap", l.trap}};
}

}  // namespace

Json running_config_view(const Config& cfg) {
    Json j = {{"hostname", cfg.hostname},
              {"interfaces", json_each(cfg.interfaces, interface_json)},
              {"routes", json_each(cfg.routes, route_json)},
              {"arps", json_each(cfg.arps, arp_json)},
              {"access_lists", access_lists_view(cfg)["access_lists"]},
              {"local_pools", json_each(cfg.local_pools, [](const LocalPool& p) {
                   return Json{{"name", p.name},
                               {"first", p.first.to_string()},
                               {"last", p.last.to_string()},
                               {"group", p.group}};
               })}};
    j.update(crypto_json(cfg));
    j["isakmp"] = isakmp_running_view(cfg);
    j["logging"] = logging_json(cfg.logging);
    return j;
}

}  // namespace espgw::control
