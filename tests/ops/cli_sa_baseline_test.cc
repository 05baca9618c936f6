// `clear crypto counters` arithmetic and the SA document's join, on a synthetic stats segment:
// the baseline subtracts per SA slot+generation, per lcore and per port, survives a save/load,
// is ignored for a re-installed SA (new generation) and for another dataplane run; the document
// joins control's names by conn id and filters whole tunnels.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include "mgmt/counter_baseline.h"
#include "mgmt/ipsec_sa_data.h"

namespace espgw::mgmt {
namespace {

namespace wire = sadb::wire;

wire::Addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    wire::Addr x{};
    x.version = 4;
    x.bytes[0] = a, x.bytes[1] = b, x.bytes[2] = c, x.bytes[3] = d;
    return x;
}

// Two lcores, two ports, one tunnel (slots 0 inbound, 1 outbound) of map VPN 10 to 192.0.2.2
// and one of VPN 20 to 192.0.2.3 (slots 2, 3).
class Segment {
  public:
    Segment() : mem_(static_cast<uint8_t*>(std::aligned_alloc(4096, layout().size())), &std::free) {
        std::memset(mem_.get(), 0, layout().size());
        view.base = mem_.get();
        layout().fill_header(view.header());
        view.header()->start_unix_ns = 1'700'000'000'000'000'000ull;
        for (uint32_t l = 0; l < 2; ++l) {
            view.lcore(l)->active = 1;
            view.lcore(l)->lcore_id = l;
        }
        view.port(0)->active = 1;
        view.port(0)->mtu = 1500;
        std::strcpy(view.port(0)->ifname, "outside");
        add_sa(0, 1001, 0x1001, 1002, wire::Direction::kInbound, 10, v4(192, 0, 2, 2));
        add_sa(1, 1002, 0x2001, 1001, wire::Direction::kOutbound, 10, v4(192, 0, 2, 2));
        add_sa(2, 2001, 0x3001, 2002, wire::Direction::kInbound, 20, v4(192, 0, 2, 3));
        add_sa(3, 2002, 0x4001, 2001, wire::Direction::kOutbound, 20, v4(192, 0, 2, 3));
    }
    static sadb::StatsLayout layout() { return {2, 2, 8, 16, 16}; }

    void add_sa(uint32_t slot, uint32_t conn, uint32_t spi, uint32_t pair, wire::Direction d,
                uint32_t seq, wire::Addr peer) {
        sadb::SaSlot* s = view.sa(slot);
        s->in_use = 1;
        s->generation = 1;
        s->owner_lcore = 1;
        wire::Sa& m = s->meta;
        m.conn_id = s->conn_id = conn;
        m.pair_conn_id = s->pair_conn_id = pair;
        m.spi = s->spi = spi;
        m.direction = d;
        m.cipher = 9;  // crypto::Cipher::kAes128Gcm
        m.replay_window = 64;
        m.local = v4(192, 0, 2, 1);
        m.peer = peer;
        m.map_seq = seq;
        std::strcpy(m.map_name, "VPN");
        s->path_mtu = 1500;
    }
    void count(uint32_t slot, uint64_t packets, uint64_t replay_drops = 0) {
        sadb::SaSlot* s = view.sa(slot);
        s->counters.packets += packets;
        s->counters.bytes += packets * 100;
        s->counters.drops[static_cast<size_t>(sadb::DropReason::kReplayDuplicate)] += replay_drops;
        s->counters.errors += replay_drops;
        view.lcore(1)->drops.count[static_cast<size_t>(sadb::DropReason::kReplayDuplicate)] +=
            replay_drops;
        view.lcore(1)->rx_packets += packets;
        view.port(0)->rx_packets += packets;
    }

    sadb::StatsView view;

  private:
    std::unique_ptr<uint8_t, decltype(&std::free)> mem_;
};

class BaselineTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(r.attach(seg.view.base, Segment::layout().size(), &error)) << error;
        char tmpl[] = "/tmp/espgw-baseline-XXXXXX";
        dir = mkdtemp(tmpl);
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    SaSnapshot snap(uint32_t slot) {
        for (const SaSnapshot& s : r.sas())
            if (s.slot == slot) return s;
        return {};
    }

    Segment seg;
    StatsReader r;
    std::string error;
    std::string dir;
};

TEST_F(BaselineTest, ShowsCountFromTheClearWhileRawCountersStayMonotonic) {
    seg.count(1, 10, 2);
    const CounterBaseline b = CounterBaseline::capture(r);
    seg.count(1, 3, 1);
    EXPECT_EQ(b.sa(snap(1)).packets, 3u);
    EXPECT_EQ(b.sa(snap(1)).bytes, 300u);
    EXPECT_EQ(b.sa(snap(1)).errors, 1u);
    EXPECT_EQ(b.sa(snap(1)).drops[static_cast<size_t>(sadb::DropReason::kReplayDuplicate)], 1u);
    EXPECT_EQ(snap(1).slot_copy.counters.packets, 13u);  // the segment is untouched
    EXPECT_EQ(b.lcore(1, r.lcore(1)).rx_packets, 3u);
    EXPECT_EQ(b.port(0, r.port(0)).rx_packets, 3u);
    EXPECT_EQ(b.drops(r)[static_cast<size_t>(sadb::DropReason::kReplayDuplicate)], 1u);
    EXPECT_EQ(CounterBaseline().sa(snap(1)).packets, 13u);  // no baseline: raw counters
}

TEST_F(BaselineTest, SurvivesSaveAndLoadWithMode0600) {
    seg.count(0, 7);
    const std::string path = dir + "/run/x.baseline";
    ASSERT_TRUE(CounterBaseline::capture(r).save(path, &error)) << error;
    EXPECT_EQ(std::filesystem::status(path).permissions(),
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    seg.count(0, 5);
    const CounterBaseline b = CounterBaseline::load(path, r);
    EXPECT_FALSE(b.empty());
    EXPECT_EQ(b.sa(snap(0)).packets, 5u);
}

TEST_F(BaselineTest, AReinstalledSaOrAnotherDataplaneRunStartsFromRawCounters) {
    seg.count(0, 7);
    const std::string path = dir + "/x.baseline";
    ASSERT_TRUE(CounterBaseline::capture(r).save(path, &error)) << error;
    seg.view.sa(0)->generation = 2;  // the slot now holds a fresh SA
    seg.view.sa(0)->counters.packets = 1;
    EXPECT_EQ(CounterBaseline::load(path, r).sa(snap(0)).packets, 1u);
    seg.view.sa(0)->generation = 1;
    seg.view.header()->start_unix_ns += 1;  // a restarted dataplane
    EXPECT_TRUE(CounterBaseline::load(path, r).empty());
}

TEST_F(BaselineTest, AMissingOrDamagedFileIsNoBaseline) {
    EXPECT_TRUE(CounterBaseline::load(dir + "/none", r).empty());
    const std::string path = dir + "/bad";
    FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("{\"dataplane_start_ns\": \"x\"}", f);
    std::fclose(f);
    EXPECT_TRUE(CounterBaseline::load(path, r).empty());
}

TEST_F(BaselineTest, DocumentJoinsControlNamesByConnIdAndFiltersWholeTunnels) {
    seg.count(1, 10);
    const Json control = Json::parse(R"({"now": 1000, "sas": [
        {"conn_id": 1002, "interface": "outside", "installed_at": 900, "lifetime_seconds": 3600,
         "acl": {"name": "101", "line": 12, "text": "access-list 101 permit ip any any"},
         "transform_set": {"name": "GCM", "text": "esp-gcm 128"}}]})");
    const Json all = ipsec_sa_document(r, control, CounterBaseline(), {}, 1000);
    EXPECT_TRUE(all["control"].get<bool>());
    ASSERT_EQ(all["sas"].size(), 4u);
    const Json& out = all["sas"][1];
    EXPECT_EQ(out["spi"], 0x2001);
    EXPECT_EQ(out["packets"], 10);
    EXPECT_EQ(out["acl"]["line"], 12);
    EXPECT_EQ(out["interface"], "outside");
    EXPECT_EQ(out["lifetime"]["remaining_seconds"], 3500);          // 3600 - (1000 - 900)
    EXPECT_TRUE(out["lifetime"]["remaining_kilobytes"].is_null());  // no byte lifetime
    EXPECT_EQ(out["local_ident"], "(0.0.0.0/0.0.0.0/0/0)");
    EXPECT_TRUE(all["sas"][0]["acl"].is_null());  // control said nothing about conn 1001

    const Json by_spi = ipsec_sa_document(r, control, CounterBaseline(), {.spi = 0x1001}, 1000);
    ASSERT_EQ(by_spi["sas"].size(), 2u);  // the whole tunnel
    EXPECT_EQ(by_spi["sas"][1]["spi"], 0x2001);
    const Json by_peer =
        ipsec_sa_document(r, Json(), CounterBaseline(), {.peer = "192.0.2.3"}, 1000);
    ASSERT_EQ(by_peer["sas"].size(), 2u);
    EXPECT_EQ(by_peer["sas"][0]["crypto_map"], "VPN");
    EXPECT_EQ(by_peer["sas"][0]["map_seq"], 20);
    EXPECT_FALSE(by_peer["control"].get<bool>());
    EXPECT_EQ(by_peer["sas"][0]["interface"], "outside");  // from the stats segment
    EXPECT_TRUE(ipsec_sa_document(r, Json(), CounterBaseline(), {.map = "NONE"}, 0)["sas"].empty());
}

}  // namespace
}  // namespace espgw::mgmt
