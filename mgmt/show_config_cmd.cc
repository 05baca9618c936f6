// The configuration views and test crypto trace: fetch control's data (and the dataplane's
// counters where the view has any), join, then render IOS text or print the document (--json).
// Without a dataplane the views still show the configuration, with a note and no counters.
#include <chrono>
#include <cstring>

#include "mgmt/commands.h"
#include "mgmt/session.h"
#include "mgmt/show_config.h"
#include "sadb/mgmt_protocol.h"

namespace espgw::mgmt {
namespace {

namespace proto = sadb::mgmt;

constexpr const char* kNoDataplaneNote = "(dataplane not running: no counters)\n";

using Renderer = std::string (*)(const Json&);

CommandResult output(const Invocation& inv, const Json& doc, Renderer render,
                     bool counters_missing = false) {
    if (inv.json) return CommandResult::text(doc.dump(1) + "\n");
    return CommandResult::text((counters_missing ? kNoDataplaneNote : "") + render(doc));
}

// Keeps the items of doc[key] whose "name" is `name`; false when none is left.
bool keep_named(Json& doc, const char* key, const std::string& name) {
    Json kept = Json::array();
    for (const Json& item : doc[key])
        if (item["name"] == name) kept.push_back(item);
    doc[key] = kept;
    return !kept.empty();
}

std::vector<sadb::PortStats> active_ports(const StatsReader& r) {
    std::vector<sadb::PortStats> out;
    for (uint32_t p = 0; p < r.header().max_ports; ++p)
        if (sadb::PortStats s = r.port(p); s.active) out.push_back(s);
    return out;
}

// The crypto map of each port, as the dataplane runs it (the SPD rules name ports).
std::map<uint16_t, std::string> port_maps(const std::vector<sadb::PortStats>& ports) {
    std::map<uint16_t, std::string> out;
    for (const sadb::PortStats& p : ports)
        out[p.port] = std::string(p.crypto_map, strnlen(p.crypto_map, sizeof p.crypto_map));
    return out;
}

CommandResult show_crypto_map(const Invocation& inv) {
    std::string error;
    std::optional<Json> doc = inv.session->request(proto::kReqConfigMaps, &error);
    if (!doc) return CommandResult::fail(error);
    if (const auto tag = inv.arg("NAME")) {
        const bool found = keep_named(*doc, "maps", *tag) | keep_named(*doc, "dynamic_maps", *tag);
        if (!found) return CommandResult::fail("no crypto map named " + *tag);
    }
    return output(inv, *doc, render_crypto_maps);
}

CommandResult show_access_lists(const Invocation& inv) {
    std::string error;
    std::optional<Json> doc = inv.session->request(proto::kReqConfigAcls, &error);
    if (!doc) return CommandResult::fail(error);
    if (const auto name = inv.arg("NAME"); name && !keep_named(*doc, "access_lists", *name))
        return CommandResult::fail("no access list named " + *name);
    const StatsReader* r = inv.session->stats(&error);
    std::vector<sadb::SpdRuleInfo> rules;
    std::vector<uint64_t> hits;
    std::vector<sadb::PortStats> ports;
    if (r) {
        rules = r->spd_rules();
        hits = r->spd_hits(static_cast<uint32_t>(rules.size()));
        ports = active_ports(*r);
    }
    (*doc)["access_lists"] = join_acl_hits((*doc)["access_lists"], rules, hits, port_maps(ports));
    return output(inv, *doc, render_access_lists, r == nullptr);
}

CommandResult show_interfaces(const Invocation& inv) {
    std::string error;
    std::optional<Json> doc = inv.session->request(proto::kReqConfigInterfaces, &error);
    if (!doc) return CommandResult::fail(error);
    if (const auto name = inv.arg("NAME"); name && !keep_named(*doc, "interfaces", *name))
        return CommandResult::fail("no interface named " + *name);
    const StatsReader* r = inv.session->stats(&error);
    const Json joined =
        join_interface_stats(*doc, r ? active_ports(*r) : std::vector<sadb::PortStats>{});
    return output(inv, joined, render_interfaces, r == nullptr);
}

CommandResult show_ip_route(const Invocation& inv) {
    std::string error;
    const std::optional<Json> doc = inv.session->request(proto::kReqConfigRoutes, &error);
    if (!doc) return CommandResult::fail(error);
    return output(inv, *doc, render_ip_route);
}

CommandResult show_arp(const Invocation& inv) {
    std::string error;
    const std::optional<Json> doc = inv.session->request(proto::kReqConfigArp, &error);
    if (!doc) return CommandResult::fail(error);
    const StatsReader* r = inv.session->stats(&error);
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const Json joined = join_arp(*doc, r ? active_ports(*r) : std::vector<sadb::PortStats>{},
                                 r ? r->neighbors() : std::vector<sadb::NeighborSlot>{},
                                 static_cast<uint64_t>(now / std::chrono::nanoseconds(1)));
    return output(inv, joined, render_arp, r == nullptr);
}

CommandResult show_running_config(const Invocation& inv) {
    std::string error;
    const std::optional<Json> doc = inv.session->request(proto::kReqRunningConfig, &error);
    if (!doc) return CommandResult::fail(error);
    return output(inv, *doc, render_running_config);
}

CommandResult test_trace(const Invocation& inv) {
    Json args = {{"src", *inv.arg("SRC")}, {"dst", *inv.arg("DST")}, {"proto", *inv.arg("PROTO")}};
    if (inv.arg("SPORT")) args["sport"] = *inv.arg("SPORT");
    if (inv.arg("DPORT")) args["dport"] = *inv.arg("DPORT");
    std::string error;
    const std::optional<Json> doc = inv.session->request(proto::kReqTrace, args, &error);
    if (!doc) return CommandResult::fail(error);
    return output(inv, *doc, render_trace);
}

}  // namespace

void register_config_commands(CommandTree& tree) {
    tree.describe("show crypto map", "Crypto maps");
    tree.add("show crypto map", "", show_crypto_map);
    tree.add("show crypto map tag NAME", "Crypto maps with a given tag", show_crypto_map);
    tree.add("show access-lists", "List access lists", show_access_lists);
    tree.add("show access-lists NAME", "ACL name or number", show_access_lists);
    tree.add("show interfaces", "Interface status and configuration", show_interfaces);
    tree.add("show interfaces NAME", "Interface name", show_interfaces);
    tree.describe("show ip", "IP information");
    tree.add("show ip route", "IP routing table", show_ip_route);
    tree.add("show arp", "ARP table", show_arp);
    tree.add("show running-config", "Current operating configuration", show_running_config);
    tree.describe("test", "Test subsystems");
    tree.describe("test crypto", "Encryption module");
    tree.describe("test crypto trace", "The path of a packet: interface, SPD entry, SA, next hop");
    tree.add("test crypto trace SRC:ADDR DST:ADDR PROTO:WORD", "ip, icmp, tcp, udp or 0-255",
             test_trace);
    tree.add("test crypto trace SRC:ADDR DST:ADDR PROTO:WORD SPORT:WORD DPORT:WORD",
             "Source and destination port (tcp, udp)", test_trace);
}

}  // namespace espgw::mgmt
