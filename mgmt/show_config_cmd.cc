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

// What a view adds to control's data: a filter (which may fail the command) and the dataplane's
// counters (when the stats segment cannot be read, the view says so and shows the rest).
struct Join {
    std::string error;  // one line: the command fails
    bool counters_missing = false;
};
using Joiner = Join (*)(const Invocation&, Json&);

// Every view: control's data for `request` (with `args`), joined, then text or --json.
CommandResult view(const Invocation& inv, const char* request, Renderer render,
                   Joiner join = nullptr, const Json& args = Json::object()) {
    std::string error;
    std::optional<Json> doc = inv.session->request(request, args, &error);
    if (!doc) return CommandResult::fail(error);
    const Join j = join ? join(inv, *doc) : Join{};
    if (!j.error.empty()) return CommandResult::fail(j.error);
    if (inv.json) return CommandResult::text(doc->dump(1) + "\n");
    return CommandResult::text((j.counters_missing ? kNoDataplaneNote : "") + render(*doc));
}

// Keeps the items of doc[key] whose "name" is `name`; false when none is left.
bool keep_named(Json& doc, const char* key, const std::string& name) {
    Json kept = Json::array();
    for (const Json& item : doc[key])
        if (item["name"] == name) kept.push_back(item);
    doc[key] = kept;
    return !kept.empty();
}

// The NAME argument, if given, keeps that item of doc[key] only.
std::string filter_by_name(const Invocation& inv, Json& doc, const char* key, const char* what) {
    const auto name = inv.arg("NAME");
    return !name || keep_named(doc, key, *name) ? ""
                                                : "no " + std::string(what) + " named " + *name;
}

std::vector<sadb::PortStats> active_ports(const StatsReader* r) {
    std::vector<sadb::PortStats> out;
    for (uint32_t p = 0; r && p < r->header().max_ports; ++p)
        if (sadb::PortStats s = r->port(p); s.active) out.push_back(s);
    return out;
}

// The crypto map of each port, as the dataplane runs it (the SPD rules name ports).
std::map<uint16_t, std::string> port_maps(const std::vector<sadb::PortStats>& ports) {
    std::map<uint16_t, std::string> out;
    for (const sadb::PortStats& p : ports)
        out[p.port] = std::string(p.crypto_map, strnlen(p.crypto_map, sizeof p.crypto_map));
    return out;
}

Join crypto_map_tag(const Invocation& inv, Json& doc) {
    const auto tag = inv.arg("NAME");
    if (!tag) return {};
    const bool found = keep_named(doc, "maps", *tag) | keep_named(doc, "dynamic_maps", *tag);
    return {found ? "" : "no crypto map named " + *tag};
}

Join acl_hits(const Invocation& inv, Json& doc) {
    if (std::string e = filter_by_name(inv, doc, "access_lists", "access list"); !e.empty())
        return {e};
    std::string error;
    const StatsReader* r = inv.session->stats(&error);
    const std::vector<sadb::SpdRuleInfo> rules =
        r ? r->spd_rules() : std::vector<sadb::SpdRuleInfo>{};
    const std::vector<uint64_t> hits =
        r ? r->spd_hits(static_cast<uint32_t>(rules.size())) : std::vector<uint64_t>{};
    doc["access_lists"] =
        join_acl_hits(doc["access_lists"], rules, hits, port_maps(active_ports(r)));
    return {"", r == nullptr};
}

Join interface_stats(const Invocation& inv, Json& doc) {
    if (std::string e = filter_by_name(inv, doc, "interfaces", "interface"); !e.empty()) return {e};
    std::string error;
    const StatsReader* r = inv.session->stats(&error);
    doc = join_interface_stats(doc, active_ports(r));
    return {"", r == nullptr};
}

Join arp_entries(const Invocation& inv, Json& doc) {
    std::string error;
    const StatsReader* r = inv.session->stats(&error);
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    doc = join_arp(doc, active_ports(r), r ? r->neighbors() : std::vector<sadb::NeighborSlot>{},
                   static_cast<uint64_t>(now / std::chrono::nanoseconds(1)));
    return {"", r == nullptr};
}

CommandResult show_crypto_map(const Invocation& inv) {
    return view(inv, proto::kReqConfigMaps, render_crypto_maps, crypto_map_tag);
}
CommandResult show_access_lists(const Invocation& inv) {
    return view(inv, proto::kReqConfigAcls, render_access_lists, acl_hits);
}
CommandResult show_interfaces(const Invocation& inv) {
    return view(inv, proto::kReqConfigInterfaces, render_interfaces, interface_stats);
}
CommandResult show_ip_route(const Invocation& inv) {
    return view(inv, proto::kReqConfigRoutes, render_ip_route);
}
CommandResult show_arp(const Invocation& inv) {
    return view(inv, proto::kReqConfigArp, render_arp, arp_entries);
}
CommandResult show_running_config(const Invocation& inv) {
    return view(inv, proto::kReqRunningConfig, render_running_config);
}

CommandResult test_trace(const Invocation& inv) {
    Json args = {{"src", *inv.arg("SRC")}, {"dst", *inv.arg("DST")}, {"proto", *inv.arg("PROTO")}};
    if (inv.arg("SPORT")) args["sport"] = *inv.arg("SPORT");
    if (inv.arg("DPORT")) args["dport"] = *inv.arg("DPORT");
    if (inv.has("fragment")) args["fragment"] = true;
    return view(inv, proto::kReqTrace, render_trace, nullptr, args);
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
    tree.add("test crypto trace SRC:ADDR DST:ADDR PROTO:WORD SPORT:WORD",
             "icmp: message type, 0-255 or a name (echo, ...); code 0 unless the name has one",
             test_trace);
    tree.add("test crypto trace SRC:ADDR DST:ADDR PROTO:WORD SPORT:WORD DPORT:WORD",
             "Source and destination port (tcp, udp); icmp: type and code", test_trace);
    tree.add("test crypto trace SRC:ADDR DST:ADDR PROTO:WORD fragment",
             "A non-initial fragment (it shows no ports)", test_trace);
}

}  // namespace espgw::mgmt
