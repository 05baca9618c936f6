#include "mgmt/show_drops.h"

#include <cstdio>
#include <ctime>

#include "mgmt/ipsec_sa_data.h"
#include "sadb/wire_text.h"

namespace espgw::mgmt {
namespace {

using Json = nlohmann::json;

Json nonzero(const Json& drops) {
    Json out = Json::object();
    for (const auto& [label, n] : drops.items())
        if (n.get<uint64_t>() != 0) out[label] = n;
    return out;
}

// Rows in the table's order (drop_reason.def), non-zero only.
bool reason_rows(std::string& o, const Json& drops, const char* indent, bool help) {
    bool any = false;
    for (const auto& info : sadb::kDropReasons) {
        const uint64_t n = drops.value(std::string(info.label), uint64_t{0});
        if (info.reason == sadb::DropReason::kNone || n == 0) continue;
        char buf[512];
        std::snprintf(buf, sizeof buf, "%s%-28s %12llu%s%s\n", indent,
                      std::string(info.label).c_str(), static_cast<unsigned long long>(n),
                      help ? "  " : "", help ? std::string(info.help).c_str() : "");
        o += buf;
        any = true;
    }
    return any;
}

std::string clearing_line(const Json& doc) {
    const Json& at = doc["counters_cleared_at"];
    if (!at.is_number()) return "Last clearing: never\n";
    const std::time_t t = at.get<std::time_t>();
    char buf[64];
    std::strftime(buf, sizeof buf, "%H:%M:%S %Z %b %e %Y", std::localtime(&t));
    return std::string("Last clearing: ") + buf + "\n";
}

}  // namespace

Json drops_document(const StatsReader& r, const CounterBaseline& baseline, const Json& sa_doc) {
    Json lcores = Json::array();
    for (uint32_t l = 0; l < r.header().max_lcores; ++l) {
        const sadb::LcoreStats s = r.lcore(l);
        if (!s.active) continue;
        const LcoreCounterSet c = baseline.lcore(l, s);
        lcores.push_back({{"lcore", s.lcore_id},
                          {"rx_packets", c.rx_packets},
                          {"tx_packets", c.tx_packets},
                          {"punted", c.punted},
                          {"handoff_in", c.handoff_in},
                          {"handoff_out", c.handoff_out},
                          {"drops", drop_counts_json(c.drops)}});
    }
    Json sas = Json::array();
    for (const Json& sa : sa_doc.value("sas", Json::array()))
        sas.push_back({{"conn_id", sa["conn_id"]},
                       {"spi", sa["spi"]},
                       {"direction", sa["direction"]},
                       {"peer", sa["peer"]},
                       {"crypto_map", sa["crypto_map"]},
                       {"map_seq", sa["map_seq"]},
                       {"drops", nonzero(sa.value("drops", Json::object()))}});
    return {{"drops", drop_counts_json(baseline.drops(r))},
            {"lcores", lcores},
            {"sas", sas},
            {"counters_cleared_at", sa_doc.value("counters_cleared_at", Json())}};
}

std::string render_drops(const Json& doc) {
    std::string o = "Dataplane drops (all lcores):\n";
    if (!reason_rows(o, doc.value("drops", Json::object()), "  ", true)) o += "  (none)\n";
    o += "\nDrops per lcore:\n";
    bool any = false;
    for (const Json& l : doc.value("lcores", Json::array())) {
        std::string rows;
        if (!reason_rows(rows, l.value("drops", Json::object()), "    ", false)) continue;
        o += "  lcore " + std::to_string(l.value("lcore", 0u)) + ":\n" + rows;
        any = true;
    }
    if (!any) o += "  (none)\n";
    o += "\nDrops per SA:\n";
    any = false;
    for (const Json& sa : doc.value("sas", Json::array())) {
        std::string rows;
        if (!reason_rows(rows, sa.value("drops", Json::object()), "    ", false)) continue;
        o += "  conn id " + std::to_string(sa.value("conn_id", 0u)) + ", spi " +
             sadb::wire::spi_text(sa.value("spi", 0u)) + " " + sa.value("direction", "") +
             ", peer " + sa.value("peer", "") + ", crypto map " + sa.value("crypto_map", "") + " " +
             std::to_string(sa.value("map_seq", 0u)) + ":\n" + rows;
        any = true;
    }
    if (!any) o += "  (none)\n";
    return o + "\n" + clearing_line(doc);
}

}  // namespace espgw::mgmt
