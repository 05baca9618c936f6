// espgw-exporter's exposition on a synthetic stats segment built in memory from
// sadb::StatsLayout: escaping, HELP/TYPE once per family, the values of every group, per-SA
// drop series, `promtool check metrics` on the result, and the segment watcher across a
// dataplane that is absent, dead or re-created.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <regex>
#include <set>

#include "mgmt/exporter/exposition.h"
#include "mgmt/exporter/metrics.h"
#include "mgmt/exporter/segment_watcher.h"
#include "tests/unit/exporter_fixture.h"

namespace espgw::mgmt::exporter {
namespace {

using namespace fixture;
using sadb::DropReason;

TEST(ExporterExposition, EscapesLabelValuesAndHelp) {
    EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
    EXPECT_EQ(escape_help("a\\b\"c\nd"), "a\\\\b\"c\\nd");  // quotes stay in help text
    EXPECT_EQ(Labels().add("x", "1").add("y", "q\"").str(), "x=\"1\",y=\"q\\\"\"");
}

TEST(ExporterExposition, OneFamilyPerNameWithHelpAndType) {
    Exposition e;
    EXPECT_TRUE(e.family("a_total", MetricType::kCounter, "first\nline"));
    e.sample(uint64_t{3});
    e.sample(Labels().add("k", "v"), "reason", "r\"", uint64_t{18446744073709551615ull});
    EXPECT_FALSE(e.family("a_total", MetricType::kGauge, "again"));
    EXPECT_TRUE(e.family("b", MetricType::kGauge, "g"));
    e.sample(Labels{}, 1.5);
    EXPECT_EQ(e.text(),
              "# HELP a_total first\\nline\n# TYPE a_total counter\na_total 3\n"
              "a_total{k=\"v\",reason=\"r\\\"\"} 18446744073709551615\n"
              "# HELP b g\n# TYPE b gauge\nb 1.5\n");
}

// Every sample follows its family's TYPE line with no other family in between, every family
// has HELP and TYPE once, and counters are named *_total.
TEST(ExporterMetrics, FamiliesAreWholeAndNamedByConvention) {
    const std::string text = render(*synthetic(), true);
    std::map<std::string, std::string> type;
    std::set<std::string> closed;
    std::string current;
    for (const std::string& l : lines_of(text)) {
        std::smatch m;
        if (std::regex_match(l, m, std::regex("# TYPE (\\S+) (\\S+)"))) {
            ASSERT_EQ(type.count(m[1]), 0u) << "second TYPE for " << m[1];
            type[m[1]] = m[2];
            if (!current.empty()) closed.insert(current);
            current = m[1];
        } else if (l.rfind("# HELP ", 0) == 0) {
            continue;
        } else {
            const std::string name = l.substr(0, l.find_first_of("{ "));
            EXPECT_EQ(name, current) << l;
            EXPECT_EQ(closed.count(name), 0u) << name << " split";
        }
    }
    EXPECT_EQ(count_prefix(text, "# HELP "), type.size());
    for (const auto& [name, t] : type) {
        EXPECT_EQ(name.rfind("espgw_", 0), 0u) << name;
        const bool total = name.size() > 6 && name.substr(name.size() - 6) == "_total";
        EXPECT_EQ(t == "counter", total) << name;
    }
    EXPECT_GE(type.size(), 30u);
}

// The series the synthetic segment must produce, exactly as printed, and their values.
const std::pair<const char*, double> kExpected[] = {
    {"espgw_up", 1},
    {"espgw_build_info{version=\"1.2.3\",revision=\"abc\"}", 1},
    {"espgw_dataplane_start_time_seconds", 1700000000.5},
    {"espgw_config_generation", 7},
    {"espgw_sas{dir=\"out\"}", 2},
    {"espgw_sas{dir=\"in\"}", 1},
    {"espgw_tunnels", 2},
    {"espgw_sa_packets_total{sa=\"VPN/10\",spi=\"0x2001\",peer=\"192.0.2.2\",dir=\"out\"}", 42},
    {"espgw_sa_bytes_total{sa=\"VPN/10\",spi=\"0x2001\",peer=\"192.0.2.2\",dir=\"out\"}", 4200},
    {"espgw_sa_errors_total{sa=\"VPN/10\",spi=\"0x1001\",peer=\"192.0.2.2\",dir=\"in\"}", 3},
    {"espgw_sa_drops_total{sa=\"VPN/10\",spi=\"0x1001\",peer=\"192.0.2.2\",dir=\"in\","
     "reason=\"replay_duplicate\"}",
     2},
    {"espgw_sa_drops_total{sa=\"VPN/10\",spi=\"0x1001\",peer=\"192.0.2.2\",dir=\"in\","
     "reason=\"icv_mismatch\"}",
     1},
    {"espgw_sa_packets_total{sa=\"odd\\\"map\\\\x/20\",spi=\"0xABCDEF\",peer=\"192.0.2.2\","
     "dir=\"out\"}",
     1},
    {"espgw_lcore_busy_polls_total{lcore=\"0\"}", 11},
    {"espgw_lcore_drops_total{lcore=\"1\",reason=\"invalid_spi\"}", 3},
    {"espgw_lcore_drops_total{lcore=\"0\",reason=\"invalid_spi\"}", 2},
    {"espgw_lcore_drops_total{lcore=\"0\",reason=\"no_route\"}", 0},
    {"espgw_port_rx_packets_total{port=\"1\",interface=\"port1\",device=\"net_null1\"}", 1001},
    {"espgw_spd_rule_hits_total{rule=\"101\",map=\"VPN\",seq=\"10\"}", 10},
    {"espgw_spd_rule_hits_total{rule=\"102\",map=\"VPN\",seq=\"20\"}", 0},
    {"espgw_ring_depth{ring=\"event\"}", 4},
    {"espgw_ring_depth{ring=\"handoff\",lcore=\"1\"}", 2},
    {"espgw_ring_drops_total{ring=\"event\"}", 9},
    {"espgw_mbuf_pool_in_use{pool=\"espgw_pool\"}", 512},
    {"espgw_mbuf_pool_size{pool=\"espgw_pool\"}", 16383},
};

TEST(ExporterMetrics, ValuesOfEveryGroup) {
    const std::string t = render(*synthetic());
    for (const auto& [series, want] : kExpected)
        EXPECT_EQ(value(t, series), want) << series;
    EXPECT_EQ(count_prefix(t, "espgw_ring_drops_total{"), 1u);  // only rings that count drops
}

size_t per_sa_reasons() {
    size_t n = 0;
    for (const auto& info : sadb::kDropReasons)
        n += info.per_sa;
    return n;
}

TEST(ExporterMetrics, PerSaDropSeriesNonZeroOrAll) {
    const auto seg = synthetic();
    EXPECT_EQ(count_prefix(render(*seg), "espgw_sa_drops_total{"), 2u);
    EXPECT_EQ(count_prefix(render(*seg, true), "espgw_sa_drops_total{"), 3 * per_sa_reasons());
    // Every lcore reason is present, zero or not, so rate() has a series from the start.
    EXPECT_EQ(count_prefix(render(*seg), "espgw_lcore_drops_total{"),
              2 * (sadb::kNumDropReasons - 1));
}

TEST(ExporterMetrics, WithoutDataplaneOnlyUpZeroAndBuildInfo) {
    const std::string t = render_metrics(nullptr, {false, "1.2.3", "abc"});
    EXPECT_EQ(value(t, "espgw_up"), 0);
    EXPECT_EQ(count_prefix(t, "# TYPE "), 2u);
}

TEST(ExporterMetrics, PromtoolFindsNothing) {
    ASSERT_EQ(access("/usr/bin/promtool", X_OK), 0) << "promtool missing (Debian's prometheus)";
    for (const std::string& text : {render(*synthetic(), true), render(*synthetic()),
                                    render_metrics(nullptr, {false, "1", "x"})}) {
        std::string out;
        EXPECT_EQ(run_promtool("check metrics", text, &out), 0) << out;
        EXPECT_EQ(out, "");
    }
}

// The watcher on real /dev/shm files of a private instance name.
class WatcherTest : public testing::Test {
  protected:
    std::string instance = "exporter-test-" + std::to_string(getpid());
    std::string name = sadb::stats_path(instance);
    void TearDown() override { shm_unlink(name.c_str()); }

    void publish(const Segment& seg) {
        shm_unlink(name.c_str());  // a new file behind the name, as a restarted dataplane makes
        const int fd = shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(write(fd, seg.data(), seg.size()), static_cast<ssize_t>(seg.size()));
        close(fd);
    }
    void set_generation(uint64_t g) { patch(offsetof(sadb::StatsHeader, config_generation), g); }
    void set_pid(uint32_t pid) { patch(offsetof(sadb::StatsHeader, dataplane_pid), pid); }
    template <typename T>
    void patch(size_t off, T v) {
        const int fd = shm_open(name.c_str(), O_RDWR, 0);
        ASSERT_EQ(pwrite(fd, &v, sizeof v, static_cast<off_t>(off)),
                  static_cast<ssize_t>(sizeof v));
        close(fd);
    }
};

uint32_t dead_pid() {
    const pid_t p = fork();
    if (p == 0) _exit(0);
    waitpid(p, nullptr, 0);
    return static_cast<uint32_t>(p);
}

TEST_F(WatcherTest, AbsentDeadAndRecreatedDataplane) {
    SegmentWatcher w(instance);
    std::string why;
    EXPECT_EQ(w.get(&why), nullptr);
    EXPECT_NE(why.find(instance), std::string::npos) << why;

    auto seg = synthetic();
    publish(*seg);
    const StatsReader* r = w.get(&why);
    ASSERT_NE(r, nullptr) << why;
    EXPECT_EQ(r->header().config_generation, 7u);
    set_generation(8);  // the same file: read live
    EXPECT_EQ(w.get(&why)->header().config_generation, 8u);

    set_pid(dead_pid());  // a crashed dataplane leaves its file behind
    EXPECT_EQ(w.get(&why), nullptr);
    EXPECT_NE(why.find("not running"), std::string::npos) << why;

    seg->view().header()->config_generation = 9;
    publish(*seg);  // restarted: re-created under the same name
    r = w.get(&why);
    ASSERT_NE(r, nullptr) << why;
    EXPECT_EQ(r->header().config_generation, 9u);
    EXPECT_EQ(value(render_metrics(r, {}), "espgw_up"), 1);

    seg->view().header()->version = 99;  // a dataplane of another build
    publish(*seg);
    EXPECT_EQ(w.get(&why), nullptr);
    EXPECT_NE(why.find("version"), std::string::npos) << why;

    shm_unlink(name.c_str());  // a dataplane that stopped cleanly removes it
    EXPECT_EQ(w.get(&why), nullptr);
}

}  // namespace
}  // namespace espgw::mgmt::exporter
