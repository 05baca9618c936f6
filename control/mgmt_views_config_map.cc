// Crypto maps as data (`show crypto map`): each entry with its peers, match list, transform
// sets, manual SPIs (never keys), lifetime and PFS, the interfaces the map is applied to, and
// whether the entry's SAs are installed in the dataplane.
#include <algorithm>
#include <cstring>

#include "control/mgmt_views_config.h"

namespace espgw::control {
namespace {

// IOS's defaults for `show crypto map` of an IKE entry (requirements.md §4.5).
constexpr uint32_t kDefaultLifetimeSeconds = 3600;
constexpr uint64_t kDefaultLifetimeKilobytes = 4608000;

bool installed(const CompiledPolicy& p, const CryptoMapEntry& e) {
    for (const CompiledSa& s : p.sas)
        if (s.sa.map_seq == e.seq &&
            std::string_view(s.sa.map_name, strnlen(s.sa.map_name, sizeof s.sa.map_name)) == e.map)
            return true;
    return false;
}

Json transform_sets_view(const Config& cfg, const CryptoMapEntry& e) {
    Json out = Json::array();
    for (const std::string& name : e.transform_sets) {
        const TransformSet* ts = cfg.find_transform_set(name);
        Json j = {{"name", name}, {"exists", ts != nullptr}};
        if (ts) {
            j["transforms"] = ts->transforms;
            j["mode"] = ts->mode == IpsecMode::kTunnel ? "tunnel" : "transport";
        }
        out.push_back(j);
    }
    return out;
}

Json acl_view(const Config& cfg, const CryptoMapEntry& e) {
    if (e.match_acl.empty()) return nullptr;
    const AccessList* acl = cfg.find_acl(e.match_acl);
    if (!acl) return {{"name", e.match_acl}, {"exists", false}};
    Json j = access_list_view(cfg, *acl);
    j["exists"] = true;
    return j;
}

// The entry's lifetime, else the global one; IKE entries fall back to IOS's defaults, manual SAs
// have none (IOS never expires them).
Json lifetime_view(const Config& cfg, const CryptoMapEntry& e) {
    const IpsecGlobals& g = cfg.ipsec;
    std::optional<uint32_t> seconds = e.lifetime_seconds ? e.lifetime_seconds : g.lifetime_seconds;
    std::optional<uint64_t> kilobytes =
        e.lifetime_kilobytes ? e.lifetime_kilobytes : g.lifetime_kilobytes;
    if (e.kind == MapKind::kIsakmp) {
        seconds = seconds.value_or(kDefaultLifetimeSeconds);
        kilobytes = kilobytes.value_or(kDefaultLifetimeKilobytes);
    }
    if (!seconds && !kilobytes) return nullptr;
    return {{"seconds", seconds ? Json(*seconds) : Json(nullptr)},
            {"kilobytes", kilobytes ? Json(*kilobytes) : Json(nullptr)}};
}

Json peers_view(const CryptoMapEntry& e) {
    Json peers = Json::array();
    for (const Ipv4& p : e.peers)
        peers.push_back(p.to_string());
    return peers;
}

Json entry_view(const Config& cfg, const CompiledPolicy& p, const CryptoMapEntry& e) {
    return {{"seq", e.seq},
            {"line", e.line},
            {"kind", e.kind == MapKind::kManual ? "ipsec-manual" : "ipsec-isakmp"},
            {"dynamic_map", e.dynamic_map},
            {"description", e.description},
            {"peers", peers_view(e)},
            {"current_peer", e.peers.empty() ? "0.0.0.0" : e.peers.front().to_string()},
            {"acl", acl_view(cfg, e)},
            {"transform_sets", transform_sets_view(cfg, e)},
            {"inbound", session_key_view(e.inbound)},
            {"outbound", session_key_view(e.outbound)},
            {"pfs_group", e.pfs_group ? Json(*e.pfs_group) : Json(nullptr)},
            {"lifetime", lifetime_view(cfg, e)},
            {"replay_window", e.replay_window ? Json(*e.replay_window) : Json(nullptr)},
            {"isakmp_profile", e.isakmp_profile},
            {"reverse_route", e.reverse_route},
            {"installed", installed(p, e)}};
}

Json interfaces_using(const Config& cfg, const std::string& map) {
    Json out = Json::array();
    for (const InterfaceConfig& i : cfg.interfaces)
        if (i.crypto_map == map) out.push_back(i.name);
    return out;
}

// Entries grouped by map name, in order of first appearance, each group by sequence number as
// IOS evaluates and lists them.
Json maps_view(const Config& cfg, const CompiledPolicy& p, const std::vector<CryptoMapEntry>& v,
               bool dynamic) {
    Json maps = Json::array();
    for (const CryptoMapEntry& e : v) {
        auto it = std::find_if(maps.begin(), maps.end(),
                               [&](const Json& m) { return m["name"] == e.map; });
        if (it == maps.end()) {
            Json m = {{"name", e.map}, {"entries", Json::array()}};
            if (!dynamic) {
                const CryptoMapSet* set = cfg.find_map_set(e.map);
                m["interfaces"] = interfaces_using(cfg, e.map);
                m["local_address"] = set ? set->local_address : "";
            }
            maps.push_back(m);
            it = maps.end() - 1;
        }
        (*it)["entries"].push_back(entry_view(cfg, p, e));
    }
    for (Json& m : maps)
        std::stable_sort(m["entries"].begin(), m["entries"].end(),
                         [](const Json& a, const Json& b) { return a["seq"] < b["seq"]; });
    return maps;
}

}  // namespace

Json session_key_view(const std::optional<SessionKey>& k) {
    if (!k) return nullptr;
    return {{"spi", k->spi}, {"cipher_key", k->has_cipher}, {"auth_key", k->has_auth}};
}

Json crypto_maps_view(const Config& cfg, const CompiledPolicy& p) {
    return {{"maps", maps_view(cfg, p, cfg.crypto_maps, false)},
            {"dynamic_maps", maps_view(cfg, p, cfg.dynamic_maps, true)}};
}

}  // namespace espgw::control
