// `show access-lists` in the IOS layout, with the hit count of each line of the lists the
// crypto maps use, from the dataplane's per-rule SPD counters:
//
//   Extended IP access list 101
//       10 permit ip 198.18.1.0 0.0.0.127 198.18.2.0 0.0.0.255 (42 matches)
#include <cstdio>

#include "mgmt/show_config.h"

namespace espgw::mgmt {
namespace {

// Extended lists: any / host A / A WILDCARD.
std::string address_text(const Json& a) {
    const std::string addr = a["addr"], wildcard = a["wildcard"];
    if (wildcard == "255.255.255.255") return "any";
    if (wildcard == "0.0.0.0") return "host " + addr;
    return addr + " " + wildcard;
}

// Standard lists: any / A / A, wildcard bits W (show) or A W (configuration).
std::string standard_address_text(const Json& a, AclForm form) {
    const std::string addr = a["addr"], wildcard = a["wildcard"];
    if (wildcard == "255.255.255.255") return "any";
    if (wildcard == "0.0.0.0") return addr;
    return addr + (form == AclForm::kShow ? ", wildcard bits " : " ") + wildcard;
}

// " eq www", " range 1000 2000", or nothing for any port.
std::string port_text(const Json& p) {
    if (p.is_null()) return "";
    std::string t = " " + p["op"].get<std::string>();
    for (size_t i = 0; i < p["ports"].size(); ++i) {
        const std::string name = p["names"][i];
        t += " " + (name.empty() ? std::to_string(p["ports"][i].get<int>()) : name);
    }
    return t;
}

std::string protocol_text(const Json& e) {
    const std::string name = e["protocol_name"];
    return name.empty() ? std::to_string(e["protocol"].get<int>()) : name;
}

std::string icmp_text(const Json& icmp) {
    if (icmp.is_null()) return "";
    const std::string name = icmp["name"];
    if (!name.empty()) return " " + name;
    std::string t = " " + std::to_string(icmp["type"].get<int>());
    if (!icmp["code"].is_null()) t += " " + std::to_string(icmp["code"].get<int>());
    return t;
}

std::string matches_text(const Json& m) {
    if (!m.is_number() || m.get<uint64_t>() == 0) return "";  // IOS omits a zero count
    const uint64_t n = m;
    return " (" + std::to_string(n) + (n == 1 ? " match)" : " matches)");
}

void add_rule_hits(Json& lists, const std::string& map, uint32_t seq, uint32_t line,
                   uint64_t hits) {
    for (Json& acl : lists)
        for (const Json& u : acl["used_by"])
            if (!u["dynamic"].get<bool>() && u["map"] == map && u["seq"] == seq && line >= 1 &&
                line <= acl["entries"].size())
                acl["entries"][line - 1]["matches"] =
                    acl["entries"][line - 1]["matches"].get<uint64_t>() + hits;
}

}  // namespace

std::string acl_entry_text(const Json& e, bool standard, AclForm form) {
    const std::string action = e["action"];
    std::string t = action + " ";
    if (standard) {
        t += standard_address_text(e["src"], form);
    } else {
        t += protocol_text(e) + " " + address_text(e["src"]) + port_text(e["sport"]) + " " +
             address_text(e["dst"]) + port_text(e["dport"]) + icmp_text(e["icmp"]);
    }
    if (e["established"].get<bool>()) t += " established";
    if (e.value("fragments", false)) t += " fragments";
    if (e["log"].get<bool>()) t += " log";
    return t;
}

Json join_acl_hits(Json lists, const std::vector<sadb::SpdRuleInfo>& rules,
                   const std::vector<uint64_t>& hits,
                   const std::map<uint16_t, std::string>& port_maps) {
    for (Json& acl : lists) {
        const bool used = !acl["used_by"].empty();
        for (Json& e : acl["entries"])
            e["matches"] = used ? Json(0) : Json(nullptr);
    }
    for (size_t k = 0; k < rules.size() && k < hits.size(); ++k) {
        const auto map = port_maps.find(rules[k].port);
        if (map != port_maps.end())
            add_rule_hits(lists, map->second, rules[k].map_seq, rules[k].acl_line, hits[k]);
    }
    return lists;
}

std::string render_access_lists(const Json& doc) {
    std::string out;
    for (const Json& acl : doc["access_lists"]) {
        const bool standard = acl["kind"] == "standard";
        out += std::string(standard ? "Standard" : "Extended") + " IP access list " +
               acl["name"].get<std::string>() + "\n";
        for (const Json& e : acl["entries"])
            out += "    " + std::to_string(e["seq"].get<uint32_t>()) + " " +
                   acl_entry_text(e, standard) + matches_text(e.value("matches", Json())) + "\n";
    }
    return out;
}

}  // namespace espgw::mgmt
