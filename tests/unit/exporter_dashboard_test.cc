// The Grafana dashboard (mgmt/grafana/espgw-dashboard.json): valid JSON with the Prometheus
// data source as a variable used by every panel, every PromQL expression parses (promtool check
// rules) and names only metrics that espgw-exporter exports.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "tests/unit/exporter_fixture.h"

namespace espgw::mgmt::exporter {
namespace {

using nlohmann::json;

json dashboard() {
    std::ifstream in(ESPGW_DASHBOARD);
    EXPECT_TRUE(in.good()) << ESPGW_DASHBOARD;
    return json::parse(in);  // throws, failing the test, on invalid JSON
}

// Every expression of the panels' targets and of the query variables.
std::vector<std::string> expressions(const json& d) {
    std::vector<std::string> out;
    for (const json& p : d.at("panels"))
        for (const json& t : p.at("targets"))
            out.push_back(t.at("expr"));
    for (const json& v : d.at("templating").at("list"))
        if (v.at("type") == "query") out.push_back(v.at("definition"));
    return out;
}

// The names of the families the exporter writes for a segment that has every kind of series.
std::set<std::string> exported_names() {
    std::set<std::string> names;
    const std::string text = fixture::render(*fixture::synthetic(), true);
    const std::regex type("# TYPE (\\S+) .*");
    for (const std::string& l : fixture::lines_of(text)) {
        std::smatch m;
        if (std::regex_match(l, m, type)) names.insert(m[1]);
    }
    return names;
}

// Grafana's variables replaced by what they stand for, so Prometheus' parser can read it.
std::string as_promql(std::string e) {
    for (const auto& [from, to] : {std::pair{"$__rate_interval", "1m"}, {"$instance", ".*"}})
        for (size_t at; (at = e.find(from)) != std::string::npos;)
            e.replace(at, strlen(from), to);
    return e;
}

TEST(ExporterDashboard, PrometheusDataSourceIsAVariableUsedEverywhere) {
    const json d = dashboard();
    bool found = false;
    for (const json& v : d.at("templating").at("list"))
        found |= v.at("type") == "datasource" && v.at("query") == "prometheus" &&
                 v.at("name") == "datasource";
    EXPECT_TRUE(found);
    ASSERT_FALSE(d.at("panels").empty());
    for (const json& p : d.at("panels")) {
        EXPECT_EQ(p.at("datasource").at("uid"), "${datasource}") << p.at("title");
        ASSERT_FALSE(p.at("targets").empty()) << p.at("title");
        for (const json& t : p.at("targets"))
            EXPECT_EQ(t.at("datasource").at("uid"), "${datasource}") << p.at("title");
    }
}

TEST(ExporterDashboard, ExpressionsNameExportedMetrics) {
    const std::set<std::string> exported = exported_names();
    const std::regex metric("\\bespgw_[a-z0-9_]+\\b");
    std::set<std::string> used;
    for (const std::string& e : expressions(dashboard())) {
        for (std::sregex_iterator it(e.begin(), e.end(), metric), end; it != end; ++it) {
            used.insert(it->str());
            EXPECT_EQ(exported.count(it->str()), 1u) << it->str() << " in " << e;
        }
    }
    // What the dashboard is for: tunnels up, throughput, drops by reason, lcore load.
    for (const char* m :
         {"espgw_tunnels", "espgw_sa_bytes_total", "espgw_lcore_drops_total",
          "espgw_sa_drops_total", "espgw_lcore_busy_polls_total", "espgw_lcore_idle_polls_total"})
        EXPECT_EQ(used.count(m), 1u) << m << " unused";
}

TEST(ExporterDashboard, ExpressionsParse) {
    std::string rules = "groups:\n  - name: dashboard\n    rules:\n";
    int k = 0;
    for (const std::string& e : expressions(dashboard())) {
        if (e.rfind("label_values(", 0) == 0) continue;  // Grafana's, not PromQL
        rules += "      - record: dashboard:expr_" + std::to_string(k++) +
                 "\n        expr: " + json(as_promql(e)).dump() + "\n";
    }
    std::string out;
    EXPECT_EQ(fixture::run_promtool("check rules {}", rules, &out), 0) << out << rules;
    EXPECT_NE(out.find("SUCCESS: " + std::to_string(k) + " rules found"), std::string::npos) << out;
}

}  // namespace
}  // namespace espgw::mgmt::exporter
