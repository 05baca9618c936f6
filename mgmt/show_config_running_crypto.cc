// The crypto section of `show running-config`: keyrings, ISAKMP policies, keys and globals,
// client groups, profiles, transform sets, IPsec globals, dynamic maps, crypto maps. Keys are
// written as <removed>.
#include <algorithm>

#include "mgmt/show_config_running.h"

namespace espgw::mgmt {
namespace {

constexpr const char* kRemoved = "<removed>";

std::string peer_text(const Json& k) {
    if (!json_str(k["hostname"]).empty()) return "hostname " + json_str(k["hostname"]);
    std::string t = "address " + json_str(k["address"]);
    if (k["mask"] != "255.255.255.255") t += " " + json_str(k["mask"]);
    return t;
}

void keyrings(RunningText& o, const Json& rings) {
    for (const Json& r : rings) {
        o.line("crypto keyring " + json_str(r["name"]));
        o.sub("description", r["description"], "  ");
        for (const Json& k : r["keys"])
            o.line("  pre-shared-key " + peer_text(k) + " key " + kRemoved);
        o.line("!");
    }
}

// Only what differs from IOS's default policy (des, sha, rsa-sig, group 1, 86400 s).
void policies(RunningText& o, const Json& v) {
    for (const Json& p : v) {
        o.line("crypto isakmp policy " + json_num(p["priority"]));
        const std::string enc = json_str(p["encryption"]);
        if (enc == "aes")
            o.line(" encr aes" + (p["key_bits"] == 128 ? "" : " " + json_num(p["key_bits"])));
        if (enc == "3des") o.line(" encr 3des");
        if (p["hash"] != "sha") o.line(" hash " + json_str(p["hash"]));
        if (p["authentication"] != "rsa-sig")
            o.line(" authentication " + json_str(p["authentication"]));
        if (p["group"] != 1) o.line(" group " + json_num(p["group"]));
        if (p["lifetime"] != 86400) o.line(" lifetime " + json_num(p["lifetime"]));
        o.line("!");
    }
}

void isakmp_globals(RunningText& o, const Json& isakmp) {
    for (const Json& k : isakmp["keys"])
        o.line(std::string("crypto isakmp key ") + kRemoved + " " + peer_text(k) +
               (k["no_xauth"].get<bool>() ? " no-xauth" : ""));
    const Json& g = isakmp["globals"];
    if (!g["enabled"].get<bool>()) o.line("no crypto isakmp enable");
    for (const Json& i : g["enable_interfaces"])
        o.line("crypto isakmp enable " + json_str(i));
    if (!g["keepalive"].is_null())
        o.line("crypto isakmp keepalive " + json_num(g["keepalive"]) +
               (g["keepalive_retry"].is_null() ? "" : " " + json_num(g["keepalive_retry"])) +
               (g["keepalive_periodic"].get<bool>() ? " periodic" : ""));
    if (!g["nat_traversal_keepalive"].is_null())
        o.line("crypto isakmp nat-traversal " + json_num(g["nat_traversal_keepalive"]));
    if (g["identity"] != "address") o.line("crypto isakmp identity " + json_str(g["identity"]));
}

void client_groups(RunningText& o, const Json& groups) {
    for (const Json& c : groups) {
        o.line("crypto isakmp client configuration group " + json_str(c["name"]));
        if (c["key_set"].get<bool>()) o.line(std::string(" key ") + kRemoved);
        for (const char* list : {"dns", "wins"}) {
            std::string t;
            for (const Json& a : c[list])
                t += " " + json_str(a);
            if (!t.empty()) o.line(std::string(" ") + list + t);
        }
        for (const char* k : {"domain", "pool", "acl"})
            o.sub(k, c[k]);
        o.line("!");
    }
}

std::string identity_text(const Json& m) {
    if (m["kind"] != "address") return json_str(m["kind"]) + " " + json_str(m["value"]);
    return "address " + json_str(m["address"]) +
           (m["mask"] == "255.255.255.255" ? "" : " " + json_str(m["mask"]));
}

void profiles(RunningText& o, const Json& v) {
    for (const Json& p : v) {
        o.line("crypto isakmp profile " + json_str(p["name"]));
        o.sub("description", p["description"], "   ");
        o.sub("keyring", p["keyring"], "   ");
        for (const Json& m : p["match_identity"])
            o.line("   match identity " + identity_text(m));
        o.sub("client authentication list", p["client_authentication_list"], "   ");
        o.sub("isakmp authorization list", p["isakmp_authorization_list"], "   ");
        o.sub("client configuration address", p["client_configuration_address"], "   ");
        if (!p["keepalive"].is_null()) o.line("   keepalive " + json_num(p["keepalive"]));
        o.line("!");
    }
}

void ipsec_globals(RunningText& o, const Json& g) {
    const std::string sa = "crypto ipsec security-association ";
    if (g["replay_disabled"].get<bool>()) o.line(sa + "replay disable");
    if (!g["replay_window"].is_null())
        o.line(sa + "replay window-size " + json_num(g["replay_window"]));
    if (!g["lifetime_seconds"].is_null())
        o.line(sa + "lifetime seconds " + json_num(g["lifetime_seconds"]));
    if (!g["lifetime_kilobytes"].is_null())
        o.line(sa + "lifetime kilobytes " + json_num(g["lifetime_kilobytes"]));
    if (!g["idle_time"].is_null()) o.line(sa + "idle-time " + json_num(g["idle_time"]));
    if (g["frag"] != "before-encryption")
        o.line("crypto ipsec fragmentation " + json_str(g["frag"]));
    if (g["df_bit"] != "copy") o.line("crypto ipsec df-bit " + json_str(g["df_bit"]));
    if (g["udp_encapsulation"].get<bool>())
        o.line("crypto ipsec nat-transparency udp-encapsulation");
}

void transform_sets(RunningText& o, const Json& v) {
    for (const Json& t : v) {
        std::string words;
        for (const Json& w : t["transforms"])
            words += " " + json_str(w);
        o.line("crypto ipsec transform-set " + json_str(t["name"]) + words);
        o.line(" mode " + json_str(t["mode"]));
    }
}

void session_key(RunningText& o, const char* dir, const Json& k) {
    if (k.is_null()) return;
    std::string t = std::string(" set session-key ") + dir + " esp " + json_num(k["spi"]);
    if (k["cipher_key"].get<bool>()) t += std::string(" cipher ") + kRemoved;
    if (k["auth_key"].get<bool>()) t += std::string(" authenticator ") + kRemoved;
    o.line(t);
}

void entry_body(RunningText& o, const Json& e) {
    o.sub("description", e["description"]);
    for (const Json& p : e["peers"])
        o.line(" set peer " + json_str(p));
    session_key(o, "inbound", e["inbound"]);
    session_key(o, "outbound", e["outbound"]);
    const std::string sa = " set security-association ";
    if (!e["lifetime_seconds"].is_null())
        o.line(sa + "lifetime seconds " + json_num(e["lifetime_seconds"]));
    if (!e["lifetime_kilobytes"].is_null())
        o.line(sa + "lifetime kilobytes " + json_num(e["lifetime_kilobytes"]));
    if (e["replay_window"] == 0) o.line(sa + "replay disable");
    if (e["replay_window"].is_number() && e["replay_window"] != 0)
        o.line(sa + "replay window-size " + json_num(e["replay_window"]));
    if (e.contains("idle_time") && !e["idle_time"].is_null())
        o.line(sa + "idle-time " + json_num(e["idle_time"]));
    std::string sets;
    for (const Json& t : e["transform_sets"])
        sets += " " + json_str(t);
    if (!sets.empty()) o.line(" set transform-set" + sets);
    if (!e["pfs_group"].is_null()) o.line(" set pfs group" + json_num(e["pfs_group"]));
    o.sub("set isakmp-profile", e["isakmp_profile"]);
    if (e["reverse_route"].get<bool>()) o.line(" reverse-route");
    o.sub("match address", e["match_acl"]);
}

void map_entries(RunningText& o, const Json& v, bool dynamic) {
    for (const Json& e : v) {
        const std::string head = std::string(dynamic ? "crypto dynamic-map " : "crypto map ") +
                                 json_str(e["map"]) + " " + json_num(e["seq"]);
        if (!json_str(e["dynamic_map"]).empty()) {
            o.line(head + " ipsec-isakmp dynamic " + json_str(e["dynamic_map"]) +
                   (e["discover"].get<bool>() ? " discover" : ""));
            continue;
        }
        o.line(head + (dynamic ? "" : " " + json_str(e["kind"])));
        entry_body(o, e);
        o.line("!");
    }
}

void map_sets(RunningText& o, const Json& v) {
    for (const Json& s : v)
        for (const char* k : {"local_address", "client_authentication_list",
                              "isakmp_authorization_list", "client_configuration_address"}) {
            std::string keyword = k;
            std::replace(keyword.begin(), keyword.end(), '_', ' ');
            if (keyword == "local address") keyword = "local-address";
            o.sub("crypto map " + json_str(s["name"]) + " " + keyword, s[k], "");
        }
}

}  // namespace

void running_crypto(RunningText& o, const Json& doc) {
    const Json& isakmp = doc["isakmp"];
    keyrings(o, isakmp["keyrings"]);
    policies(o, isakmp["policies"]);
    isakmp_globals(o, isakmp);
    client_groups(o, isakmp["client_groups"]);
    profiles(o, isakmp["profiles"]);
    transform_sets(o, doc["transform_sets"]);
    ipsec_globals(o, doc["ipsec"]);
    o.line("!");
    map_entries(o, doc["dynamic_maps"], true);
    map_sets(o, doc["crypto_map_sets"]);
    map_entries(o, doc["crypto_maps"], false);
    if (!o.text.ends_with("!\n")) o.line("!");
}

}  // namespace espgw::mgmt
