// espgw-exporter's exposition on a synthetic stats segment built in memory from
// sadb::StatsLayout: escaping, HELP/TYPE once per family, the values of every group, per-SA
// drop series, `promtool check metrics` on the result, and the segment watcher across a
// dataplane that is absent, dead or re-created.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

#include "mgmt/exporter/exposition.h"
#include "mgmt/exporter/metrics.h"
#include "mgmt/exporter/segment_watcher.h"

namespace espgw::mgmt::exporter {
namespace {

namespace wire = sadb::wire;
using sadb::DropReason;

// A zeroed segment of a small layout, laid out as the dataplane lays it out.
class Segment {
public:
    // Page-aligned like a mapping: the per-lcore and per-SA structs are 64-byte aligned.
    explicit Segment(const sadb::StatsLayout& l)
        : layout_(l), mem_(static_cast<uint8_t*>(std::aligned_alloc(4096, l.size())), &std::free) {
        std::memset(mem_.get(), 0, l.size());
        view_.base = mem_.get();
        l.fill_header(view_.header());
        view_.header()->dataplane_pid = static_cast<uint32_t>(getpid());
        view_.header()->start_unix_ns = 1'700'000'000'500'000'000ull;
        std::strcpy(view_.header()->instance, "synthetic");
    }
    const sadb::StatsView& view() const { return view_; }
    const void* data() const { return mem_.get(); }
    size_t size() const { return layout_.size(); }

private:
    sadb::StatsLayout layout_;
    std::unique_ptr<uint8_t, decltype(&std::free)> mem_;
    sadb::StatsView view_;
};

wire::Addr v4(const char* text) {
    wire::Addr a{};
    a.version = 4;
    inet_pton(AF_INET, text, a.bytes);
    return a;
}

void add_sa(const sadb::StatsView& v, uint32_t slot, uint32_t conn, uint32_t pair, uint32_t spi,
            wire::Direction dir, const char* map, uint32_t seq, uint64_t packets) {
    sadb::SaSlot* s = v.sa(slot);
    s->in_use = 1;
    s->owner_lcore = 0;
    s->meta.conn_id = conn;
    s->meta.pair_conn_id = pair;
    s->meta.spi = spi;
    s->meta.direction = dir;
    s->meta.peer = v4("192.0.2.2");
    std::strncpy(s->meta.map_name, map, sizeof s->meta.map_name - 1);
    s->meta.map_seq = seq;
    s->counters.packets = packets;
    s->counters.bytes = packets * 100;
}

void add_lcore(const sadb::StatsView& v, uint32_t index, uint32_t lcore_id) {
    sadb::LcoreStats* l = v.lcore(index);
    l->active = 1;
    l->lcore_id = lcore_id;
    l->polls_busy = 10 + index;
    l->polls_idle = 90;
}

// Two forwarding lcores, two ports, a tunnel (in + out) on map VPN 10, a lone outbound SA on a
// map whose name needs escaping, three SPD rules, rings and the mbuf pool.
std::unique_ptr<Segment> synthetic() {
    auto seg = std::make_unique<Segment>(sadb::StatsLayout{4, 4, 8, 16, 8});
    const sadb::StatsView& v = seg->view();
    v.header()->forwarding = 1;
    v.header()->config_generation = 7;
    add_lcore(v, 0, 1);
    add_lcore(v, 1, 0);
    v.lcore(0)->drops.count[static_cast<size_t>(DropReason::kInvalidSpi)] = 3;
    v.lcore(1)->drops.count[static_cast<size_t>(DropReason::kInvalidSpi)] = 2;
    for (uint16_t p = 0; p < 2; ++p) {
        sadb::PortStats* s = v.port(p);
        s->active = 1;
        s->port = p;
        s->rx_packets = 1000 + p;
        std::snprintf(s->name, sizeof s->name, "net_null%u", unsigned{p});
        std::snprintf(s->ifname, sizeof s->ifname, "port%u", unsigned{p});
    }
    std::strcpy(v.port(0)->crypto_map, "VPN");
    add_sa(v, 0, 1, 2, 0x1001, wire::Direction::kInbound, "VPN", 10, 5);
    add_sa(v, 1, 2, 1, 0x2001, wire::Direction::kOutbound, "VPN", 10, 42);
    add_sa(v, 3, 3, 0, 0xabcdef, wire::Direction::kOutbound, "odd\"map\\x", 20, 1);
    v.sa(0)->counters.drop(DropReason::kReplayDuplicate);
    v.sa(0)->counters.drop(DropReason::kReplayDuplicate);
    v.sa(0)->counters.drop(DropReason::kIcvMismatch);
    v.spd_rules()->count = 3;
    for (uint32_t k = 0; k < 3; ++k) *v.spd_rule(k) = {100 + k, 10 + 10 * (k / 2), k, 0, 0, 0, 0};
    v.spd_hits(0)[1] = 4;
    v.spd_hits(1)[1] = 6;
    sadb::ResourceRegion* r = v.resources();
    r->published_unix_ns = 1;
    std::strcpy(r->mbuf_pool, "espgw_pool");
    r->mbuf_pool_size = 16383;
    r->mbuf_in_use = 512;
    r->ring_count = 3;
    r->rings[0] = {"command", -1, 1023, 0, 0, {}, 0};
    r->rings[1] = {"event", -1, 1023, 4, 1, {}, 9};
    r->rings[2] = {"handoff", 1, 1023, 2, 0, {}, 0};
    return seg;
}

std::string render(const Segment& seg, bool all_drops = false) {
    StatsReader reader;
    std::string error;
    EXPECT_TRUE(reader.attach(seg.data(), seg.size(), &error)) << error;
    return render_metrics(&reader, {all_drops, "1.2.3", "abc"});
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

// The value of the one sample `series` (name{labels} exactly as printed), or -1.
double value(const std::string& text, const std::string& series) {
    double found = -1;
    for (const std::string& l : lines_of(text))
        if (l.rfind(series + " ", 0) == 0) found = std::stod(l.substr(series.size() + 1));
    return found;
}

size_t count_prefix(const std::string& text, const std::string& prefix) {
    size_t n = 0;
    for (const std::string& l : lines_of(text)) n += l.rfind(prefix, 0) == 0;
    return n;
}

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

TEST(ExporterMetrics, ValuesOfEveryGroup) {
    const std::string t = render(*synthetic());
    EXPECT_EQ(value(t, "espgw_up"), 1);
    EXPECT_EQ(value(t, "espgw_build_info{version=\"1.2.3\",revision=\"abc\"}"), 1);
    EXPECT_EQ(value(t, "espgw_dataplane_start_time_seconds"), 1700000000.5);
    EXPECT_EQ(value(t, "espgw_config_generation"), 7);
    EXPECT_EQ(value(t, "espgw_sas{dir=\"out\"}"), 2);
    EXPECT_EQ(value(t, "espgw_sas{dir=\"in\"}"), 1);
    EXPECT_EQ(value(t, "espgw_tunnels"), 2);
    const std::string out = "{sa=\"VPN/10\",spi=\"0x2001\",peer=\"192.0.2.2\",dir=\"out\"}";
    EXPECT_EQ(value(t, "espgw_sa_packets_total" + out), 42);
    EXPECT_EQ(value(t, "espgw_sa_bytes_total" + out), 4200);
    const std::string in = "{sa=\"VPN/10\",spi=\"0x1001\",peer=\"192.0.2.2\",dir=\"in\"";
    EXPECT_EQ(value(t, "espgw_sa_errors_total" + in + "}"), 3);
    EXPECT_EQ(value(t, "espgw_sa_drops_total" + in + ",reason=\"replay_duplicate\"}"), 2);
    EXPECT_EQ(value(t, "espgw_sa_drops_total" + in + ",reason=\"icv_mismatch\"}"), 1);
    EXPECT_EQ(value(t, "espgw_sa_packets_total{sa=\"odd\\\"map\\\\x/20\",spi=\"0xABCDEF\","
                       "peer=\"192.0.2.2\",dir=\"out\"}"), 1);
    EXPECT_EQ(value(t, "espgw_lcore_busy_polls_total{lcore=\"0\"}"), 11);
    EXPECT_EQ(value(t, "espgw_lcore_drops_total{lcore=\"1\",reason=\"invalid_spi\"}"), 3);
    EXPECT_EQ(value(t, "espgw_lcore_drops_total{lcore=\"0\",reason=\"invalid_spi\"}"), 2);
    EXPECT_EQ(value(t, "espgw_lcore_drops_total{lcore=\"0\",reason=\"no_route\"}"), 0);
    EXPECT_EQ(value(t, "espgw_port_rx_packets_total{port=\"1\",interface=\"port1\","
                       "device=\"net_null1\"}"), 1001);
    EXPECT_EQ(value(t, "espgw_spd_rule_hits_total{rule=\"101\",map=\"VPN\",seq=\"10\"}"), 10);
    EXPECT_EQ(value(t, "espgw_spd_rule_hits_total{rule=\"102\",map=\"VPN\",seq=\"20\"}"), 0);
    EXPECT_EQ(value(t, "espgw_ring_depth{ring=\"event\"}"), 4);
    EXPECT_EQ(value(t, "espgw_ring_depth{ring=\"handoff\",lcore=\"1\"}"), 2);
    EXPECT_EQ(value(t, "espgw_ring_drops_total{ring=\"event\"}"), 9);
    EXPECT_EQ(count_prefix(t, "espgw_ring_drops_total{"), 1u);  // only rings that count drops
    EXPECT_EQ(value(t, "espgw_mbuf_pool_in_use{pool=\"espgw_pool\"}"), 512);
    EXPECT_EQ(value(t, "espgw_mbuf_pool_size{pool=\"espgw_pool\"}"), 16383);
}

size_t per_sa_reasons() {
    size_t n = 0;
    for (const auto& info : sadb::kDropReasons) n += info.per_sa;
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

// promtool's lint (exit 0 and no output) on a full exposition and on the no-dataplane one.
int promtool(const std::string& text, std::string* output) {
    char path[] = "/tmp/espgw-exporter-test-XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0 || write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        return -1;
    close(fd);
    const std::string cmd = std::string("promtool check metrics < ") + path + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    char buf[512];
    while (p != nullptr && std::fgets(buf, sizeof buf, p) != nullptr) *output += buf;
    const int status = p != nullptr ? pclose(p) : -1;
    unlink(path);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(ExporterMetrics, PromtoolFindsNothing) {
    ASSERT_EQ(access("/usr/bin/promtool", X_OK), 0) << "promtool missing (Debian's prometheus)";
    for (const std::string& text : {render(*synthetic(), true), render(*synthetic()),
                                    render_metrics(nullptr, {false, "1", "x"})}) {
        std::string out;
        EXPECT_EQ(promtool(text, &out), 0) << out;
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
        ASSERT_EQ(pwrite(fd, &v, sizeof v, static_cast<off_t>(off)), static_cast<ssize_t>(sizeof v));
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
