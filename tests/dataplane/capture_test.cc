// Packet capture to pcapng, checked with tshark as the independent reader:
// - the opt_comment appended to a block rte_pcapng_copy built decodes as frame.comment, the
//   rewritten timestamp is today's, and the file stays valid (the next block still parses);
// - the CaptureWriter (main-lcore side) with the lcore hooks: drops carry their reason label,
//   interface captures honour the direction, packet and byte limits stop a capture by
//   themselves, and bad requests get one clear error.
#include "dataplane/capture_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_pcapng.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "dataplane/drops.h"
#include "tests/dataplane/tshark_run.h"

namespace espgw::dataplane {
namespace {

namespace wire = sadb::wire;

// A port for the interface blocks rte_pcapng_fdopen writes (one per ethdev port).
struct RingPort {
    RingPort() {
        const std::string tag =
            "cap" + std::to_string(getpid() % 100000) + "_" + std::to_string(serial++);
        ring = rte_ring_create((tag + "r").c_str(), 64, SOCKET_ID_ANY, 0);
        const int p = rte_eth_from_rings(tag.c_str(), &ring, 1, &ring, 1, SOCKET_ID_ANY);
        EXPECT_GE(p, 0);
        id = static_cast<uint16_t>(p);
    }
    ~RingPort() {
        rte_eth_dev_close(id);
        rte_ring_free(ring);
    }
    rte_ring* ring = nullptr;
    uint16_t id = 0;
    static inline int serial = 0;
};

std::string temp_dir() {
    char tmpl[] = "/tmp/espgw-capture-XXXXXX";
    const char* d = mkdtemp(tmpl);
    EXPECT_NE(d, nullptr);
    return d != nullptr ? d : "/tmp";
}

using test_util::lines;
using test_util::tshark;

// An IPv4/UDP packet of `len` bytes (data at the IP header), optionally behind Ethernet.
rte_mbuf* packet(rte_mempool* pool, uint16_t len, uint8_t last_octet, bool ethernet) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool);
    const uint16_t l2 = ethernet ? 14 : 0;
    auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, l2 + len));
    std::memset(p, 0, l2 + len);
    if (ethernet) {
        std::memset(p, 0x02, 12);
        p[12] = 0x08;
    }
    uint8_t* ip = p + l2;
    ip[0] = 0x45;
    ip[2] = static_cast<uint8_t>(len >> 8);
    ip[3] = static_cast<uint8_t>(len);
    ip[8] = 64;
    ip[9] = 17;
    const uint8_t src[4] = {198, 18, 1, last_octet}, dst[4] = {198, 18, 2, 1};
    std::memcpy(ip + 12, src, 4);
    std::memcpy(ip + 16, dst, 4);
    ip[21] = 53;
    ip[23] = 53;
    ip[24] = static_cast<uint8_t>((len - 20) >> 8);
    ip[25] = static_cast<uint8_t>(len - 20);
    return m;
}

uint32_t u32_at(const rte_mbuf* m, uint32_t off) {
    uint32_t v;
    std::memcpy(&v, rte_pktmbuf_mtod(m, const uint8_t*) + off, 4);
    return v;
}

class CaptureTest : public testing::Test {
  protected:
    void SetUp() override {
        pool_ = rte_pktmbuf_pool_create(("captest" + std::to_string(serial_++)).c_str(), 511, 0, 0,
                                        4096, SOCKET_ID_ANY);
        ASSERT_NE(pool_, nullptr);
        dir_ = temp_dir();
    }
    void TearDown() override {
        rte_mempool_free(pool_);
        std::system(("rm -rf " + dir_).c_str());
    }

    rte_mempool* pool_ = nullptr;
    std::string dir_;
    RingPort port_;
    static inline int serial_ = 0;
};

TEST_F(CaptureTest, CommentAppendedToAnRtePcapngBlockDecodesInTshark) {
    const std::string path = dir_ + "/block.pcapng";
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    rte_pcapng_t* f = rte_pcapng_fdopen(fd, "Linux", nullptr, "capture_test", nullptr);
    ASSERT_NE(f, nullptr);
    rte_mempool* copies = rte_pktmbuf_pool_create(
        ("capcopies" + std::to_string(serial_++)).c_str(), 63, 0, 0,
        RTE_PKTMBUF_HEADROOM + rte_pcapng_mbuf_size(2048) + kCaptureCommentRoom, SOCKET_ID_ANY);
    ASSERT_NE(copies, nullptr);
    const CaptureClock clock = CaptureClock::now();
    rte_mbuf* out[2];
    for (int k = 0; k < 2; ++k) {
        rte_mbuf* m = packet(pool_, static_cast<uint16_t>(61 + k), static_cast<uint8_t>(k + 1),
                             true);  // odd length: data padding before the options
        const uint64_t tsc = rte_get_tsc_cycles();
        out[k] = rte_pcapng_copy(port_.id, 0, m, copies, UINT32_MAX, tsc, RTE_PCAPNG_DIRECTION_IN);
        rte_pktmbuf_free(m);
        ASSERT_NE(out[k], nullptr);
        epb_set_timestamp(out[k], clock.ns(tsc));
    }
    const uint32_t before = out[0]->data_len;
    ASSERT_TRUE(epb_append_comment(out[0], "icv_mismatch"));
    // Both total lengths agree with the grown block: 4 (option header) + 12 + 4 (end of options).
    EXPECT_EQ(out[0]->data_len, before + 20);
    EXPECT_EQ(u32_at(out[0], 4), out[0]->data_len);
    EXPECT_EQ(u32_at(out[0], out[0]->data_len - 4), out[0]->data_len);
    ASSERT_GT(rte_pcapng_write_packets(f, out, 2), 0);
    rte_pktmbuf_free_bulk(out, 2);
    rte_pcapng_close(f);
    rte_mempool_free(copies);

    bool ok = false;
    const auto rows = lines(tshark("-r " + path +
                                       " -T fields -E 'separator=;' -e frame.comment -e ip.src"
                                       " -e frame.time_epoch",
                                   &ok));
    ASSERT_TRUE(ok);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].substr(0, rows[0].find(';')), "icv_mismatch");
    EXPECT_NE(rows[0].find(";198.18.1.1;"), std::string::npos) << rows[0];
    EXPECT_EQ(rows[1].rfind(";198.18.1.2;", 0), 0u) << rows[1];  // no comment on the second
    const double when = std::stod(rows[1].substr(rows[1].rfind(';') + 1));
    EXPECT_NEAR(when, static_cast<double>(std::time(nullptr)), 30.0);
}

TEST_F(CaptureTest, CommentTooLongLeavesTheBlockAlone) {
    rte_mempool* copies = rte_pktmbuf_pool_create(
        ("capcopies" + std::to_string(serial_++)).c_str(), 7, 0, 0,
        RTE_PKTMBUF_HEADROOM + rte_pcapng_mbuf_size(2048) + kCaptureCommentRoom, SOCKET_ID_ANY);
    rte_mbuf* m = packet(pool_, 60, 1, true);
    rte_mbuf* mc = rte_pcapng_copy(port_.id, 0, m, copies, UINT32_MAX, 0, RTE_PCAPNG_DIRECTION_IN);
    ASSERT_NE(mc, nullptr);
    const uint32_t len = mc->data_len;
    EXPECT_FALSE(epb_append_comment(mc, std::string(kMaxCaptureComment + 1, 'x')));
    EXPECT_FALSE(epb_append_comment(mc, ""));
    EXPECT_EQ(mc->data_len, len);
    EXPECT_EQ(u32_at(mc, 4), len);
    rte_pktmbuf_free(mc);
    rte_pktmbuf_free(m);
    rte_mempool_free(copies);
}

// A dataplane reduced to what capture needs: one forwarding lcore, the test's port.
class WriterTest : public CaptureTest {
  protected:
    void SetUp() override {
        CaptureTest::SetUp();
        dp_.n_ports = static_cast<uint16_t>(port_.id + 1);
        auto c = std::make_unique<LcoreCtx>(crypto::BackendKind::kIpsecMb, mgr_);
        c->index = 0;
        sadb::LcoreStats* stats = &stats_;
        c->stats = stats;
        dp_.lcores.push_back(std::move(c));
        writer_ = std::make_unique<CaptureWriter>(dp_, [] {});  // no other lcore to wait for
    }
    void TearDown() override {
        writer_.reset();
        CaptureTest::TearDown();
    }

    wire::CaptureStart request(const char* name, wire::CaptureScope scope, const char* file) {
        wire::CaptureStart r{};
        r.request_id = 7;
        r.scope = scope;
        r.port = port_.id;
        r.dir = wire::kCaptureIn | wire::kCaptureOut;
        std::snprintf(r.name, sizeof r.name, "%s", name);
        std::snprintf(r.path, sizeof r.path, "%s/%s", dir_.c_str(), file);
        return r;
    }
    LcoreCtx& lcore() { return *dp_.lcores[0]; }
    // Runs the main lcore's writer until the capture ends by itself or `polls` pass.
    std::optional<wire::CaptureStatus> poll(int polls = 4) {
        std::optional<wire::CaptureStatus> ended;
        for (int k = 0; k < polls && !ended; ++k)
            writer_->poll(&ended);
        return ended;
    }

    crypto::MbManager mgr_;
    sadb::LcoreStats stats_{};
    Dataplane dp_;
    std::unique_ptr<CaptureWriter> writer_;
};

TEST_F(WriterTest, DropsCarryTheirReasonAndThePacketLimitStopsTheCapture) {
    wire::CaptureStart req = request("DROPS", wire::CaptureScope::kDrops, "drops.pcapng");
    req.limit_packets = 3;
    const auto started = writer_->start(req);
    ASSERT_EQ(started.size(), 1u);
    ASSERT_EQ(started[0].result, wire::CaptureResult::kOk) << started[0].error;
    EXPECT_EQ(started[0].state, wire::CaptureState::kRunning);
    EXPECT_EQ(started[0].request_id, 7u);
    const sadb::DropReason reasons[] = {
        sadb::DropReason::kInvalidSpi, sadb::DropReason::kUnknownEthertype,
        sadb::DropReason::kIcvMismatch, sadb::DropReason::kReplayOld};
    for (int k = 0; k < 4; ++k) {
        const bool l2 = reasons[k] == sadb::DropReason::kUnknownEthertype;
        rte_mbuf* m = packet(pool_, 100, static_cast<uint8_t>(k + 1), l2);
        m->port = port_.id;
        if (l2) {
            drop_frame(lcore(), m, reasons[k]);
        } else {
            capture_drop(lcore(), m, reasons[k], nullptr, false);
            rte_pktmbuf_free(m);
        }
    }
    const auto ended = poll();
    ASSERT_TRUE(ended.has_value());
    EXPECT_EQ(ended->request_id, 0u);  // unsolicited: control logs it
    EXPECT_EQ(ended->state, wire::CaptureState::kStopped);
    EXPECT_EQ(ended->stop_reason, wire::CaptureStopReason::kPacketLimit);
    EXPECT_EQ(ended->packets, 3u);
    EXPECT_EQ(lcore().capture.load(), nullptr);  // unpublished

    struct stat st {};
    ASSERT_EQ(stat(req.path, &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(static_cast<uint64_t>(st.st_size), ended->bytes);
    bool ok = false;
    const auto rows = lines(tshark(
        std::string("-r ") + req.path + " -T fields -E 'separator=;' -e frame.comment -e ip.src",
        &ok));
    ASSERT_TRUE(ok);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0], "invalid_spi;198.18.1.1");
    EXPECT_EQ(rows[1], "unknown_ethertype;198.18.1.2");  // the frame's own Ethernet header
    EXPECT_EQ(rows[2], "icv_mismatch;198.18.1.3");
}

TEST_F(WriterTest, InterfaceCaptureHonoursDirectionAndStopsOnRequest) {
    wire::CaptureStart req = request("RX", wire::CaptureScope::kInterface, "rx.pcapng");
    req.dir = wire::kCaptureIn;
    ASSERT_EQ(writer_->start(req)[0].result, wire::CaptureResult::kOk);
    rte_mbuf* in[2] = {packet(pool_, 80, 1, true), packet(pool_, 80, 2, true)};
    rte_mbuf* out[1] = {packet(pool_, 80, 3, true)};
    capture_rx(lcore(), port_.id, in, 2);
    capture_tx(lcore(), port_.id, out, 1);
    capture_rx(lcore(), static_cast<uint16_t>(port_.id + 1), out, 1);  // another port
    rte_pktmbuf_free_bulk(in, 2);
    rte_pktmbuf_free_bulk(out, 1);
    EXPECT_FALSE(poll().has_value());
    wire::CaptureRef ref{};
    std::snprintf(ref.name, sizeof ref.name, "RX");
    const auto stopped = writer_->stop(ref);
    ASSERT_EQ(stopped.size(), 1u);
    EXPECT_EQ(stopped[0].stop_reason, wire::CaptureStopReason::kUser);
    EXPECT_EQ(stopped[0].packets, 2u);
    EXPECT_EQ(stopped[0].lost, 0u);
    bool ok = false;
    const auto rows =
        lines(tshark(std::string("-r ") + req.path +
                         " -T fields -E 'separator=;' -e ip.src -e frame.interface_id",
                     &ok));
    ASSERT_TRUE(ok);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].substr(0, 11), "198.18.1.1;");
    EXPECT_EQ(rows[1].substr(0, 11), "198.18.1.2;");
    // Stopping again reports the finished capture; a query lists it.
    EXPECT_EQ(writer_->stop(ref)[0].state, wire::CaptureState::kStopped);
    const auto all = writer_->query(wire::CaptureRef{});
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].count, 1u);
    EXPECT_STREQ(all[0].config.name, "RX");
}

TEST_F(WriterTest, ByteLimitStopsBeforeTheFileGrowsPastIt) {
    wire::CaptureStart req = request("BYTES", wire::CaptureScope::kInterface, "bytes.pcapng");
    req.limit_bytes = kMinCaptureBytes;
    ASSERT_EQ(writer_->start(req)[0].result, wire::CaptureResult::kOk);
    std::optional<wire::CaptureStatus> ended;
    for (int k = 0; k < 10 && !ended; ++k) {
        rte_mbuf* m = packet(pool_, 1000, static_cast<uint8_t>(k + 1), true);
        capture_rx(lcore(), port_.id, &m, 1);
        rte_pktmbuf_free(m);
        ended = poll(1);
    }
    ASSERT_TRUE(ended.has_value());
    EXPECT_EQ(ended->stop_reason, wire::CaptureStopReason::kByteLimit);
    EXPECT_LE(ended->bytes, kMinCaptureBytes);
    EXPECT_GE(ended->packets, 2u);
    bool ok = false;
    const auto rows = lines(tshark(std::string("-r ") + req.path + " -T fields -e ip.src", &ok));
    EXPECT_TRUE(ok);
    EXPECT_EQ(rows.size(), ended->packets);
}

TEST_F(WriterTest, BadRequestsGetOneClearLine) {
    wire::CaptureStart rel = request("A", wire::CaptureScope::kDrops, "x");
    std::snprintf(rel.path, sizeof rel.path, "relative.pcapng");
    auto r = writer_->start(rel);
    EXPECT_EQ(r[0].result, wire::CaptureResult::kBadRequest);
    EXPECT_STREQ(r[0].error, "file relative.pcapng: not an absolute path");

    wire::CaptureStart nodir = request("A", wire::CaptureScope::kDrops, "no/such/dir.pcapng");
    r = writer_->start(nodir);
    EXPECT_EQ(r[0].result, wire::CaptureResult::kFileError);
    EXPECT_EQ(std::string(r[0].error),
              "cannot write " + std::string(nodir.path) + ": No such file or directory");

    wire::CaptureStart port = request("A", wire::CaptureScope::kInterface, "p.pcapng");
    port.port = 999;
    EXPECT_EQ(writer_->start(port)[0].result, wire::CaptureResult::kBadRequest);

    wire::CaptureStart snap = request("A", wire::CaptureScope::kDrops, "s.pcapng");
    snap.snaplen = 10;
    EXPECT_EQ(writer_->start(snap)[0].result, wire::CaptureResult::kBadRequest);

    ASSERT_EQ(writer_->start(request("A", wire::CaptureScope::kDrops, "a.pcapng"))[0].result,
              wire::CaptureResult::kOk);
    r = writer_->start(request("A", wire::CaptureScope::kDrops, "b.pcapng"));
    EXPECT_EQ(r[0].result, wire::CaptureResult::kAlreadyRunning);
    EXPECT_STREQ(r[0].error, "capture A is already running");
    r = writer_->start(request("B", wire::CaptureScope::kDrops, "b.pcapng"));
    EXPECT_STREQ(r[0].error, "capture A is running; stop it first (one at a time)");

    wire::CaptureRef none{};
    std::snprintf(none.name, sizeof none.name, "NOPE");
    r = writer_->query(none);
    EXPECT_EQ(r[0].result, wire::CaptureResult::kNotFound);
    EXPECT_STREQ(r[0].error, "no capture named NOPE");
}

}  // namespace
}  // namespace espgw::dataplane
