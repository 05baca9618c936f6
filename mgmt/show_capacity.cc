#include "mgmt/show_capacity.h"

#include <cstdio>
#include <cstring>
#include <set>

namespace espgw::mgmt {
namespace {

using Json = nlohmann::json;

Json rings_json(const sadb::ResourceRegion& res) {
    Json rings = Json::array();
    for (uint32_t k = 0; k < res.ring_count && k < sadb::kMaxRingStats; ++k) {
        const sadb::RingStats& g = res.rings[k];
        rings.push_back({{"name", std::string(g.name, strnlen(g.name, sizeof g.name))},
                         {"lcore", g.lcore < 0 ? Json() : Json(g.lcore)},
                         {"depth", g.depth},
                         {"capacity", g.capacity},
                         {"drops", g.has_drops ? Json(g.drops) : Json()}});
    }
    return rings;
}

std::string percent(uint64_t used, uint64_t max) {
    return max == 0 ? "" : " (" + std::to_string(used * 100 / max) + "%)";
}

}  // namespace

Json capacity_document(const StatsReader& r) {
    const sadb::StatsHeader& h = r.header();
    const std::vector<SaSnapshot> sas = r.sas();
    std::set<uint32_t> tunnels;
    for (const SaSnapshot& s : sas) {
        const auto& m = s.slot_copy.meta;
        tunnels.insert(m.pair_conn_id != 0 ? std::min(m.conn_id, m.pair_conn_id) : m.conn_id);
    }
    uint32_t active = 0, ports = 0;
    for (uint32_t l = 0; l < h.max_lcores; ++l)
        active += r.lcore(l).active;
    for (uint32_t p = 0; p < h.max_ports; ++p)
        ports += r.port(p).active;
    const sadb::ResourceRegion res = r.resources();
    const bool published = res.published_unix_ns != 0;
    return {{"sas", {{"used", sas.size()}, {"max", h.max_sas}}},
            {"tunnels", tunnels.size()},
            {"spd_rules", {{"used", r.spd_rules().size()}, {"max", h.max_spd_rules}}},
            {"lcores", {{"active", active}}},
            {"ports", ports},
            {"mbuf_pool",
             published ? Json{{"name", std::string(res.mbuf_pool,
                                                   strnlen(res.mbuf_pool, sizeof res.mbuf_pool))},
                              {"in_use", res.mbuf_in_use},
                              {"size", res.mbuf_pool_size}}
                       : Json()},
            {"rings", published ? rings_json(res) : Json::array()},
            {"published_unix_ns", res.published_unix_ns}};
}

std::string render_capacity(const Json& doc) {
    char buf[256];
    std::string o;
    const auto used = [&](const char* key) { return doc[key].value("used", uint64_t{0}); };
    const auto max = [&](const char* key) { return doc[key].value("max", uint64_t{0}); };
    std::snprintf(buf, sizeof buf, "SAs:        %llu of %llu in use%s, %llu tunnel(s)\n",
                  (unsigned long long)used("sas"), (unsigned long long)max("sas"),
                  percent(used("sas"), max("sas")).c_str(),
                  (unsigned long long)doc.value("tunnels", 0ull));
    o += buf;
    std::snprintf(buf, sizeof buf, "SPD rules:  %llu of %llu%s\n",
                  (unsigned long long)used("spd_rules"), (unsigned long long)max("spd_rules"),
                  percent(used("spd_rules"), max("spd_rules")).c_str());
    o += buf;
    std::snprintf(buf, sizeof buf, "Lcores:     %u active, ports: %u\n",
                  doc["lcores"].value("active", 0u), doc.value("ports", 0u));
    o += buf;
    const Json& pool = doc["mbuf_pool"];
    if (!pool.is_object()) return o + "mbuf pool:  (not published by this dataplane)\n";
    std::snprintf(buf, sizeof buf, "mbuf pool:  %s: %u of %u buffers in use%s\n",
                  pool.value("name", "").c_str(), pool.value("in_use", 0u), pool.value("size", 0u),
                  percent(pool.value("in_use", 0u), pool.value("size", 0u)).c_str());
    o += buf;
    std::snprintf(buf, sizeof buf, "Rings:      %-14s %6s %8s %9s %10s\n", "name", "lcore", "depth",
                  "capacity", "drops");
    o += buf;
    for (const Json& g : doc["rings"]) {
        const std::string lcore =
            g["lcore"].is_number() ? std::to_string(g["lcore"].get<int>()) : "-";
        const std::string drops =
            g["drops"].is_number() ? std::to_string(g["drops"].get<uint64_t>()) : "-";
        std::snprintf(buf, sizeof buf, "            %-14s %6s %8u %9u %10s\n",
                      g.value("name", "").c_str(), lcore.c_str(), g.value("depth", 0u),
                      g.value("capacity", 0u), drops.c_str());
        o += buf;
    }
    return o;
}

}  // namespace espgw::mgmt
