// `test crypto trace` laid out as the ASA's packet-tracer, which IOS/ASA users know: numbered
// phases (input route lookup, IPsec policy, SA, output route lookup), each with its result, the
// configuration that decided it and why, then the verdict.
#include "mgmt/show_config.h"

namespace espgw::mgmt {
namespace {

std::string s(const Json& j) {
    return j.is_string() ? j.get<std::string>() : "";
}

std::string route_text(const Json& r) {
    const std::string net = s(r["prefix"]) + "/" + std::to_string(r["prefix_len"].get<int>());
    if (r["next_hop"].is_null())
        return s(r["code"]) + " " + net + " is directly connected, " + s(r["interface"]);
    return s(r["code"]) + " " + net + " via " + s(r["next_hop"]) + ", " + s(r["interface"]);
}

struct Phases {
    std::string out;
    int n = 0;
    void add(const std::string& type, const std::string& subtype, const std::string& result,
             const std::vector<std::string>& config, const std::string& why) {
        out += "Phase: " + std::to_string(++n) + "\nType: " + type + "\n";
        if (!subtype.empty()) out += "Subtype: " + subtype + "\n";
        out += "Result: " + result + "\nConfig:\n";
        for (const std::string& c : config)
            out += " " + c + "\n";
        out += "Additional Information:\n " + why + "\n\n";
    }
};

std::string packet_line(const Json& p) {
    std::string t = "Packet: " + s(p["protocol_name"]) + " " + s(p["src"]);
    if (!p["sport"].is_null()) t += ":" + std::to_string(p["sport"].get<int>());
    t += " -> " + s(p["dst"]);
    if (!p["dport"].is_null()) t += ":" + std::to_string(p["dport"].get<int>());
    const Json icmp = p.value("icmp", Json(nullptr));
    if (!icmp.is_null()) {
        const std::string name = s(icmp["name"]);
        const std::string numbers = "type " + std::to_string(icmp["type"].get<int>()) + ", code " +
                                    std::to_string(icmp["code"].get<int>());
        t += ", " + (name.empty() ? numbers : name + " (" + numbers + ")");
    }
    if (p.value("fragment", false)) t += ", non-initial fragment";
    return t + "\n\n";
}

void route_phase(Phases& ph, const char* subtype, const Json& step) {
    const Json& r = step["route"];
    ph.add("ROUTE-LOOKUP", subtype, r.is_null() ? "DROP" : "ALLOW",
           r.is_null() ? std::vector<std::string>{} : std::vector<std::string>{route_text(r)},
           s(step["why"]));
}

void spd_phase(Phases& ph, const Json& spd) {
    std::vector<std::string> config;
    if (spd["matched"].get<bool>()) {
        config.push_back("crypto map " + s(spd["map"]) + " " +
                         std::to_string(spd["seq"].get<uint32_t>()));
        if (!spd["acl_entry"].is_null())
            config.push_back("access-list " + s(spd["acl"]) + " line " +
                             std::to_string(spd["acl_entry"]["index"].get<uint32_t>()) + " " +
                             acl_entry_text(spd["acl_entry"], false));
    }
    std::string why = s(spd["why"]);
    for (const Json& n : spd["notes"])
        why += "\n note: " + s(n);
    ph.add("IPSEC-POLICY", "SPD lookup", s(spd["action"]), config, why);
}

void sa_phase(Phases& ph, const Json& sa) {
    if (sa.is_null()) return;
    if (!sa.contains("spi")) return ph.add("VPN", "encrypt", "DROP", {}, s(sa["why"]));
    const uint32_t spi = sa["spi"];
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%X", spi);
    ph.add("VPN", "encrypt", "ALLOW",
           {"outbound esp sa: spi " + std::string(hex) + "(" + std::to_string(spi) + ")",
            "transform: " + s(sa["transform"]) + ", " + s(sa["mode"]) +
                (sa["udp_encap"].get<bool>() ? ", UDP-encaps" : ""),
            "local " + s(sa["local"]) + ", peer " + s(sa["peer"]) + ", conn id " +
                std::to_string(sa["conn_id"].get<uint32_t>())},
           s(sa["why"]));
}

}  // namespace

std::string render_trace(const Json& doc) {
    Phases ph;
    route_phase(ph, "input", doc["ingress"]);
    if (doc.contains("spd")) {
        spd_phase(ph, doc["spd"]);
        sa_phase(ph, doc["sa"]);
        if (!doc["egress"]["why"].get<std::string>().empty())
            route_phase(ph, "output", doc["egress"]);
    }
    const Json& in = doc["ingress"]["route"];
    std::string result =
        "Result:\ninput-interface: " + (in.is_null() ? "none" : s(in["interface"])) + "\n";
    if (!doc["local"].is_null()) {
        result += "output-interface: the gateway (" + s(doc["local"]) + ")\n";
    } else if (doc.contains("egress") && !doc["egress"]["route"].is_null()) {
        result += "output-interface: " + s(doc["egress"]["route"]["interface"]) + "\n";
    }
    result += "Action: " + s(doc["verdict"]) + "\n" + s(doc["summary"]) + "\n";
    return packet_line(doc["packet"]) + ph.out + result;
}

}  // namespace espgw::mgmt
