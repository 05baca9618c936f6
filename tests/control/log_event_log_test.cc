// EventLog end to end on a fake clock: dataplane events become Cisco lines in a file, floods are
// suppressed with a summary, SA lifecycle lines come from a full load and a SIGHUP difference,
// and the debug streams see what they subscribed to.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "control/event_log.h"
#include "tests/control/control_test_util.h"

namespace espgw::control {
namespace {

using sadb::DropReason;

const char* kSite =
    "hostname site-a\n"
    "interface port0\n"
    " dpdk-port 0\n"
    " ip address 192.0.2.1 255.255.255.0\n"
    " crypto map VPN\n"
    "interface port1\n"
    " dpdk-port 1\n"
    " ip address 198.18.1.1 255.255.255.0\n"
    "access-list 101 permit ip 198.18.1.0 0.0.0.255 198.18.2.0 0.0.0.255\n"
    "crypto ipsec transform-set GCM128 esp-gcm 128\n"
    "crypto map VPN 10 ipsec-manual\n"
    " set peer 192.0.2.2\n"
    " set transform-set GCM128\n"
    " match address 101\n"
    " set session-key inbound esp 4097 cipher 000102030405060708090a0b0c0d0e0f10111213\n"
    " set session-key outbound esp 8193 cipher 1f1e1d1c1b1a191817161514131211100f0e0d0c\n";

class EventLogTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/espgw-eventlog-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        LogOptions o;
        o.destinations = {"file:" + dir_ + "/control.log"};
        o.rate = {1.0, 3};
        std::string error;
        ASSERT_TRUE(log_.open(o, &error)) << error;
        log_.set_clocks([this] { return wall_; }, [this] { return steady_; }, 0);
        policy_ = test::compile_clean(kSite);
        log_.set_policy(&policy_);
    }
    void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

    std::string text() const {
        std::ifstream f(dir_ + "/control.log");
        std::stringstream ss;
        ss << f.rdbuf();
        return ss.str();
    }
    size_t count(const std::string& what) const {
        const std::string t = text();
        size_t n = 0;
        for (size_t at = t.find(what); at != std::string::npos; at = t.find(what, at + 1))
            ++n;
        return n;
    }
    const CompiledSa& sa(uint32_t spi) const {
        for (const CompiledSa& s : policy_.sas)
            if (s.sa.spi == spi) return s;
        throw std::runtime_error("no such SA");
    }
    wire::Msg drop(DropReason r, uint32_t spi, uint32_t conn) const {
        wire::Msg m{};
        wire::set_header<wire::DropSample>(m, wire::MsgType::kDropSample, 1);
        m.body.drop.reason = static_cast<uint8_t>(r);
        m.body.drop.spi = spi;
        m.body.drop.conn_id = conn;
        m.body.drop.seq = 77;
        m.body.drop.src.version = m.body.drop.dst.version = 4;
        const uint8_t src[4] = {192, 0, 2, 2}, dst[4] = {192, 0, 2, 1};
        std::copy(src, src + 4, m.body.drop.src.bytes);
        std::copy(dst, dst + 4, m.body.drop.dst.bytes);
        m.body.drop.inner_proto = 50;
        return m;
    }
    void advance(std::chrono::milliseconds d) {
        wall_ += d;
        steady_ += d;
    }

    std::string dir_;
    EventLog log_;
    CompiledPolicy policy_;
    std::chrono::system_clock::time_point wall_ =
        std::chrono::system_clock::time_point(std::chrono::seconds(1795377739));
    RateLimiter::Clock::time_point steady_ = RateLimiter::Clock::time_point(std::chrono::hours(1));
};

TEST_F(EventLogTest, FloodOfInvalidSpisIsSuppressedWithASummary) {
    for (int i = 0; i < 60; ++i)
        log_.on_event(drop(DropReason::kInvalidSpi, 0xDEAD, 0));
    EXPECT_EQ(count("%CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid spi for "
                    "destaddr=192.0.2.1, prot=50, spi=0xDEAD(57005), srcaddr=192.0.2.2"),
              3u)
        << text();
    advance(std::chrono::milliseconds(500));
    log_.tick();
    EXPECT_EQ(count("LOG_SUPPRESSED"), 0u);  // no token yet
    advance(std::chrono::milliseconds(600));
    log_.tick();
    EXPECT_EQ(count("Nov 22 20:02:20.100: %ESPGW-4-LOG_SUPPRESSED: 57 messages suppressed for "
                    "RECVD_PKT_INV_SPI (invalid_spi) spi 0xDEAD(57005)\n"),
              1u)
        << text();
    // Another SPI is another key: not suppressed by the first one's flood.
    log_.on_event(drop(DropReason::kInvalidSpi, 0xBEEF, 0));
    EXPECT_EQ(count("spi=0xBEEF(48879)"), 1u);
}

TEST_F(EventLogTest, SummaryBeforeTheNextLineOfAKeyThatSpeaksAgain) {
    const CompiledSa& in = sa(4097);
    for (int i = 0; i < 5; ++i)
        log_.on_event(drop(DropReason::kReplayDuplicate, 4097, in.sa.conn_id));
    advance(std::chrono::milliseconds(1000));
    log_.on_event(drop(DropReason::kReplayDuplicate, 4097, in.sa.conn_id));  // before any tick
    const std::string t = text();
    const size_t summary = t.find(
        "2 messages suppressed for PKT_REPLAY_ERR (replay_duplicate) "
        "spi 0x1001(4097), connection id " +
        std::to_string(in.sa.conn_id));
    ASSERT_NE(summary, std::string::npos) << t;
    EXPECT_NE(t.find("%CRYPTO-4-PKT_REPLAY_ERR", summary), std::string::npos) << t;
    EXPECT_EQ(count("%CRYPTO-4-PKT_REPLAY_ERR"), 4u) << t;
}

TEST_F(EventLogTest, FullLoadCreatesAndAReloadDeletesAndCreates) {
    log_.sa_changes({}, policy_, "configuration");
    EXPECT_EQ(count("%ASA-6-602303: IPSEC: An inbound LAN-to-LAN SA (SPI= 0x1001) between "
                    "192.0.2.1 and 192.0.2.2 (user= 192.0.2.2) has been created. Connection id "),
              1u)
        << text();
    EXPECT_EQ(count("%ASA-6-602303: IPSEC: An outbound LAN-to-LAN SA (SPI= 0x2001)"), 1u);
    EXPECT_EQ(count("esp-gcm 128 (configuration)"), 2u) << text();

    // A restarted control that finds the same SAs running logs nothing.
    std::vector<wire::Sa> running;
    for (const CompiledSa& s : policy_.sas)
        running.push_back(s.sa);
    for (wire::Sa& s : running)
        std::fill(std::begin(s.cipher_key), std::end(s.cipher_key), 0);
    log_.sa_changes(running, policy_, "resync");
    EXPECT_EQ(count("(resync)"), 0u) << text();

    std::string edited = kSite;
    edited.replace(edited.find("inbound esp 4097"), 16, "inbound esp 4098");
    const CompiledPolicy next = test::compile_clean(edited);
    log_.sa_changes(diff(policy_, next), "Reconfigured from site-a.cfg");
    EXPECT_EQ(count("%ASA-6-602304: IPSEC: An inbound LAN-to-LAN SA (SPI= 0x1001)"), 1u) << text();
    EXPECT_EQ(count("%ASA-6-602303: IPSEC: An inbound LAN-to-LAN SA (SPI= 0x1002)"), 1u) << text();
    EXPECT_EQ(count("SA (SPI= 0x2001) between 192.0.2.1 and 192.0.2.2 (user= 192.0.2.2) has "
                    "been deleted"),
              0u);
}

TEST_F(EventLogTest, LifetimeEventsNameTheSa) {
    const CompiledSa& out = sa(8193);
    wire::Msg m{};
    wire::set_header<wire::SaEvent>(m, wire::MsgType::kSaEvent, 1);
    m.body.sa_event = {
        wire::SaEventType::kSoftLifetime, wire::Direction::kOutbound, {}, 8193, out.sa.conn_id, 0};
    log_.on_event(m);
    m.body.sa_event.type = wire::SaEventType::kHardLifetime;
    log_.on_event(m);
    EXPECT_EQ(count("%ESPGW-5-SA_SOFT_EXPIRED: IPSEC: An outbound SA (SPI= 0x2001) between "
                    "192.0.2.1 and 192.0.2.2 reached its soft lifetime"),
              1u)
        << text();
    EXPECT_EQ(count("%ESPGW-4-SA_HARD_EXPIRED"), 1u);
}

TEST_F(EventLogTest, DebugStreamsSeeTheirTopicAndPeer) {
    DebugHub& hub = log_.debug();
    const uint64_t ipsec_b = 1, ipsec_c = 2, engine = 3;
    hub.subscribe(ipsec_b, {DebugTopic::kIpsec, "192.0.2.2"}, "t1");
    hub.subscribe(ipsec_c, {DebugTopic::kIpsec, "192.0.2.3"}, "t2");
    hub.subscribe(engine, {DebugTopic::kEngine, ""}, "t3");
    log_.sa_changes({}, policy_, "configuration");
    const CompiledSa& in = sa(4097);
    log_.on_event(drop(DropReason::kIcvMismatch, 4097, in.sa.conn_id));
    log_.on_event(drop(DropReason::kInvalidSpi, 0xDEAD, 0));
    std::vector<std::string> b, c, e;
    EXPECT_TRUE(hub.drain(ipsec_b, &b));
    EXPECT_TRUE(hub.drain(ipsec_c, &c));
    EXPECT_TRUE(hub.drain(engine, &e));
    ASSERT_EQ(b.size(), 4u);  // two SAs created, two drops
    EXPECT_TRUE(b[0].starts_with("Nov 22 20:02:19.000: IPSEC(initialize_sas): ,\n")) << b[0];
    EXPECT_NE(b[0].find("IPSEC(create_sa): sa created,\n  (sa) sa_dest= 192.0.2.1, sa_prot= 50,\n"
                        "    sa_spi= 0x1001(4097),\n    sa_trans= esp-gcm 128 , sa_conn_id= "),
              std::string::npos)
        << b[0];
    EXPECT_NE(b[2].find("IPSEC(drop): decrypt: mac verify failed for connection id="),
              std::string::npos)
        << b[2];
    EXPECT_NE(b[3].find("IPSEC(drop): decaps: rec'd IPSEC packet has invalid spi"),
              std::string::npos);
    EXPECT_TRUE(c.empty());
    ASSERT_EQ(e.size(), 3u);  // two key contexts, one ICV failure
    EXPECT_NE(e[0].find("CryptoEngine0: generate key context for conn id"), std::string::npos);
    EXPECT_NE(e[2].find("CryptoEngine0: mac verify failed (PktEngReturn_MACMiscompare) for conn "
                        "id " +
                        std::to_string(in.sa.conn_id) +
                        ", spi 0x1001(4097), sequence "
                        "number 0x4D"),
              std::string::npos)
        << e[2];
}

TEST_F(EventLogTest, DebugSeesEveryDropEvenWhenTheLogSuppresses) {
    const uint64_t id = 1;
    log_.debug().subscribe(id, {DebugTopic::kIpsec, ""}, "t");
    for (int i = 0; i < 10; ++i)
        log_.on_event(drop(DropReason::kInvalidSpi, 0xDEAD, 0));
    std::vector<std::string> got;
    log_.debug().drain(id, &got);
    EXPECT_EQ(got.size(), 10u);
    EXPECT_EQ(count("RECVD_PKT_INV_SPI"), 3u);
}

TEST_F(EventLogTest, ConfigEventsReachUnfilteredIpsecDebugs) {
    const uint64_t all = 1, peer = 2;
    log_.debug().subscribe(all, {DebugTopic::kIpsec, ""}, "t");
    log_.debug().subscribe(peer, {DebugTopic::kIpsec, "192.0.2.2"}, "t");
    log_.event(LogEvent::kConfigUnchanged, {{"source", "site-a.cfg"}});
    std::vector<std::string> a, p;
    log_.debug().drain(all, &a);
    log_.debug().drain(peer, &p);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0], "Nov 22 20:02:19.000: IPSEC(config): Reloaded site-a.cfg: no change");
    EXPECT_TRUE(p.empty());
    EXPECT_EQ(count("%SYS-5-CONFIG_I: Reloaded site-a.cfg: no change"), 1u);
}

}  // namespace
}  // namespace espgw::control
