// `show crypto map [tag NAME]` in the IOS layout: each entry with its peer, match list and lines,
// current peer, lifetime and PFS (IKE entries), transform sets, the SPIs of a manual entry
// (never its keys), and after a map's last entry the interfaces it is applied to. Dynamic map
// templates follow, as IOS lists them.
#include "mgmt/show_config.h"

namespace espgw::mgmt {
namespace {

// One line indented as IOS does: 8 spaces for entry lines, 16 for list items.
void add(std::string& o, const std::string& text, int depth = 1) {
    o += std::string(8 * depth, ' ') + text + "\n";
}

std::string str(const Json& j) {
    return j.is_string() ? j.get<std::string>() : "";
}

std::string num(const Json& j, const char* none) {
    return j.is_number() ? std::to_string(j.get<uint64_t>()) : none;
}

void acl_lines(std::string& o, const Json& acl) {
    if (acl.is_null()) return add(o, "No matching address list set.");
    const std::string name = acl["name"];
    if (!acl["exists"].get<bool>())
        return add(o, "Extended IP access list " + name + " (does not exist)");
    const bool standard = acl["kind"] == "standard";
    add(o, std::string(standard ? "Standard" : "Extended") + " IP access list " + name);
    for (const Json& e : acl["entries"])
        add(o, "    access-list " + name + " " + acl_entry_text(e, standard));
}

void transform_lines(std::string& o, const Json& sets) {
    add(o, "Transform sets={ ");
    for (const Json& t : sets) {
        std::string body;
        for (const Json& w : t.value("transforms", Json::array()))
            body += w.get<std::string>() + " ";
        add(o, str(t["name"]) + ":  { " + body + " } , ", 2);
    }
    add(o, "}");
}

void lifetime_pfs(std::string& o, const Json& e) {
    if (const Json& l = e["lifetime"]; !l.is_null())
        add(o, "Security association lifetime: " + num(l["kilobytes"], "unlimited") +
                   " kilobytes/" + num(l["seconds"], "unlimited") + " seconds");
    if (e["kind"] != "ipsec-isakmp") return;
    add(o, std::string("PFS (Y/N): ") + (e["pfs_group"].is_null() ? "N" : "Y"));
    if (!e["pfs_group"].is_null()) add(o, "DH group:  group" + num(e["pfs_group"], ""));
}

void manual_lines(std::string& o, const Json& e) {
    if (!e["inbound"].is_null()) add(o, "Inbound esp spi: " + num(e["inbound"]["spi"], "") + ",");
    if (!e["outbound"].is_null())
        add(o, "Outbound esp spi: " + num(e["outbound"]["spi"], "") + ",");
    add(o, std::string("SAs installed in the dataplane: ") +
               (e["installed"].get<bool>() ? "yes" : "no"));
}

void entry_block(std::string& o, const std::string& map, const Json& e, bool tmpl) {
    o += (tmpl ? "Crypto Map Template \"" : "Crypto Map \"") + map + "\" " + num(e["seq"], "") +
         (tmpl ? "" : " " + str(e["kind"])) + "\n";
    if (!str(e["dynamic_map"]).empty())
        return add(o, "Dynamic map template tag: " + str(e["dynamic_map"]));
    if (!str(e["description"]).empty()) add(o, "Description: " + str(e["description"]));
    for (const Json& p : e["peers"])
        add(o, "Peer = " + p.get<std::string>());
    if (!str(e["isakmp_profile"]).empty()) add(o, "ISAKMP Profile: " + str(e["isakmp_profile"]));
    acl_lines(o, e["acl"]);
    add(o, "Current peer: " + str(e["current_peer"]));
    lifetime_pfs(o, e);
    transform_lines(o, e["transform_sets"]);
    if (e["reverse_route"].get<bool>()) add(o, "Reverse Route Injection Enabled");
    if (e["kind"] == "ipsec-manual") manual_lines(o, e);
}

void map_blocks(std::string& o, const Json& m, bool tmpl) {
    const std::string name = m["name"];
    for (size_t k = 0; k < m["entries"].size(); ++k) {
        if (k > 0) o += "\n";
        entry_block(o, name, m["entries"][k], tmpl);
    }
    if (!tmpl) {
        add(o, "Interfaces using crypto map " + name + ":");
        for (const Json& i : m["interfaces"])
            add(o, i.get<std::string>(), 2);
    }
    o += "\n";
}

}  // namespace

std::string render_crypto_maps(const Json& doc) {
    std::string o;
    for (const Json& m : doc["maps"])
        map_blocks(o, m, false);
    for (const Json& m : doc["dynamic_maps"])
        map_blocks(o, m, true);
    return o;
}

}  // namespace espgw::mgmt
