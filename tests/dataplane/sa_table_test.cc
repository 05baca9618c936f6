// The dataplane's SA table (dataplane/sa_table.h) with a worker reading its SPI index while the
// main lcore reinstalls an inbound SA under the same SPI, as a SIGHUP that changes a tunnel's
// lifetime or replay window does: the new SA must be published before the old one is withdrawn,
// so no packet of the tunnel ever finds its SPI unknown.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>

#include "crypto/mb_manager.h"
#include "dataplane/policy.h"
#include "dataplane/sa_table.h"
#include "dataplane/shm_files.h"
#include "tests/dataplane/test_rcu.h"
#include "tests/dataplane/wire_builders.h"

namespace espgw::dataplane {
namespace {

namespace wire = sadb::wire;
using test_util::selector;
using test_util::v4;

wire::Sa inbound_sa(uint32_t spi, uint32_t conn_id, uint32_t replay_window) {
    wire::Sa w{};
    w.spi = spi;
    w.conn_id = conn_id;
    w.direction = wire::Direction::kInbound;
    w.mode = wire::Mode::kTunnel;
    w.cipher = static_cast<uint8_t>(crypto::Cipher::kAes128Gcm);
    w.integrity = static_cast<uint8_t>(crypto::Integrity::kNone);
    w.df = wire::DfPolicy::kCopy;
    w.ttl = 64;
    w.cipher_key_len = 20;
    for (uint8_t i = 0; i < 20; ++i)
        w.cipher_key[i] = static_cast<uint8_t>(i * 7 + 1);
    w.path_mtu = 1500;
    w.replay_window = replay_window;
    w.local = v4(0xc0000201);
    w.peer = v4(0xc6336401);
    w.selector = selector(0xc6120100, 24, 0xc6120200, 24);
    return w;
}

TEST(SaTable, ReinstallingAnInboundSaUnderItsSpiNeverHidesTheSpi) {
    std::string err;
    const std::string name = "sat" + std::to_string(getpid() % 100000);
    ShmFile stats = create_stats_segment(name, {2, kMaxPorts, 16, 16}, &err);
    ASSERT_TRUE(stats.valid()) << err;
    sadb::StatsView view;
    view.base = static_cast<uint8_t*>(stats.base());
    TestRcu rcu(1);
    ASSERT_NE(rcu.get(), nullptr);
    SaTable table(16, view, SOCKET_ID_ANY, rcu.get());
    crypto::MbManager mgr;
    constexpr uint32_t kSpi = 0x5eed1234, kConn = 7;
    ASSERT_TRUE(table.install(inbound_sa(kSpi, kConn, 64), 0, mgr.get(), &err)) << err;

    std::atomic<bool> started{false}, stop{false};
    std::atomic<uint64_t> lookups{0}, misses{0};
    std::thread worker([&] {
        run_on_any_cpu();
        RcuReader member(rcu.get(), 0);
        started = true;
        while (!stop.load(std::memory_order_relaxed)) {
            for (int k = 0; k < 64; ++k) {
                const sadb::SaRuntime* sa = table.inbound_index().find(kSpi);
                if (sa == nullptr || sa->spi != kSpi) misses.fetch_add(1);
            }
            lookups.fetch_add(64, std::memory_order_relaxed);
            member.quiescent();
        }
    });
    while (!started.load())
        std::this_thread::yield();
    uint32_t failed = 0;  // no ASSERT before the worker is joined
    for (uint32_t round = 0; round < 5000; ++round) {
        // Same conn id and SPI, another replay window: a changed SA, built and swapped in.
        failed += table.install(inbound_sa(kSpi, kConn, 64 + 32 * (round % 8)), 0, mgr.get(), &err)
                      ? 0
                      : 1;
        rte_rcu_qsbr_synchronize(rcu.get(), RTE_QSBR_THRID_INVALID);
        table.free_retired();
    }
    stop = true;
    worker.join();
    EXPECT_EQ(failed, 0u) << err;
    EXPECT_GT(lookups.load(), 0u);
    EXPECT_EQ(misses.load(), 0u) << "of " << lookups.load() << " lookups";
    EXPECT_EQ(table.size(), 1u);
    EXPECT_EQ(table.inbound_index().size(), 1u);
}

}  // namespace
}  // namespace espgw::dataplane
