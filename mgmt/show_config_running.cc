// `show running-config`: the configuration control holds, written back in IOS syntax in IOS's
// order (hostname, crypto, interfaces, pools, routes, access lists, arp). Every secret prints as
// <removed>; control never sends one (control/mgmt_views_config_running.cc). Commands left at
// their default are not shown, as IOS does.
#include <algorithm>

#include "mgmt/show_config.h"
#include "mgmt/show_config_running.h"

namespace espgw::mgmt {
namespace {

void interface_block(RunningText& o, const Json& i) {
    o.line("interface " + json_str(i["name"]));
    o.sub("description", i["description"]);
    if (!i["dpdk_port"].is_null()) o.line(" dpdk-port " + json_num(i["dpdk_port"]));
    if (i["address_kind"] == "static")
        o.line(" ip address " + json_str(i["address"]) + " " + json_str(i["mask"]));
    if (i["address_kind"] == "dhcp") o.line(" ip address dhcp");
    if (!i["mtu"].is_null()) o.line(" ip mtu " + json_num(i["mtu"]));
    if (!i["tcp_adjust_mss"].is_null())
        o.line(" ip tcp adjust-mss " + json_num(i["tcp_adjust_mss"]));
    o.sub("crypto map", i["crypto_map"]);
    o.sub("crypto ipsec fragmentation", i["frag"]);
    o.sub("crypto ipsec df-bit", i["df_bit"]);
    if (i["shutdown"].get<bool>()) o.line(" shutdown");
    o.line("!");
}

void route_lines(RunningText& o, const Json& routes) {
    for (const Json& r : routes) {
        std::string t = "ip route " + json_str(r["prefix"]) + " " + json_str(r["mask"]);
        if (!json_str(r["interface"]).empty()) t += " " + json_str(r["interface"]);
        if (!r["next_hop"].is_null()) t += " " + json_str(r["next_hop"]);
        if (r["distance"].get<int>() != 1) t += " " + json_num(r["distance"]);
        o.line(t);
    }
}

bool numbered(const std::string& name) {
    return !name.empty() && name.find_first_not_of("0123456789") == std::string::npos;
}

// Lines and remarks in configuration order.
void acl_block(RunningText& o, const Json& acl) {
    const std::string name = acl["name"];
    const bool standard = acl["kind"] == "standard";
    const std::string prefix = numbered(name) ? "access-list " + name + " " : " ";
    if (!numbered(name))
        o.line("ip access-list " + std::string(standard ? "standard " : "extended ") + name);
    std::vector<std::pair<int, std::string>> lines;
    for (const Json& r : acl["remarks"])
        lines.emplace_back(r["line"].get<int>(), "remark " + json_str(r["text"]));
    for (const Json& e : acl["entries"])
        lines.emplace_back(e["line"].get<int>(), acl_entry_text(e, standard, AclForm::kConfig));
    std::stable_sort(lines.begin(), lines.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [line, text] : lines)
        o.line(prefix + text);
}

void pool_lines(RunningText& o, const Json& pools) {
    for (const Json& p : pools)
        o.line("ip local pool " + json_str(p["name"]) + " " + json_str(p["first"]) + " " +
               json_str(p["last"]) +
               (json_str(p["group"]).empty() ? "" : " group " + json_str(p["group"])));
}

// IOS writes the trap level by name; the number is the same command (0-7).
void logging_lines(RunningText& o, const Json& l) {
    if (l.is_null()) return;
    if (!l["facility"].is_null()) o.line("logging facility " + json_str(l["facility"]));
    if (l["trap"] != 6) o.line("logging trap " + json_num(l["trap"]));
    for (const Json& h : l["hosts"])
        o.line("logging host " + json_str(h["address"]) +
               (h["port"] == 514 ? "" : " transport udp port " + json_num(h["port"])));
}

}  // namespace

std::string json_str(const Json& j) {
    return j.is_string() ? j.get<std::string>() : "";
}
std::string json_num(const Json& j) {
    return j.is_number() ? std::to_string(j.get<uint64_t>()) : "";
}

void RunningText::line(const std::string& l) {
    text += l + "\n";
}

void RunningText::sub(const std::string& keyword, const Json& value, const std::string& indent) {
    if (!json_str(value).empty()) line(indent + keyword + " " + json_str(value));
}

std::string render_running_config(const Json& doc) {
    RunningText o;
    o.line("!");
    if (!json_str(doc["hostname"]).empty()) o.line("hostname " + json_str(doc["hostname"]));
    o.line("!");
    logging_lines(o, doc.value("logging", Json()));
    running_crypto(o, doc);
    for (const Json& i : doc["interfaces"])
        interface_block(o, i);
    pool_lines(o, doc["local_pools"]);
    route_lines(o, doc["routes"]);
    o.line("!");
    for (const Json& acl : doc["access_lists"])
        acl_block(o, acl);
    for (const Json& a : doc["arps"])
        o.line("arp " + json_str(a["address"]) + " " + ios_mac(a["mac"]) + " ARPA");
    o.line("!");
    o.line("end");
    return "Building configuration...\n\nCurrent configuration : " + std::to_string(o.text.size()) +
           " bytes\n" + o.text;
}

}  // namespace espgw::mgmt
