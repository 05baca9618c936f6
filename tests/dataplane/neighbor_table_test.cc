// Neighbour table: learnt vs static entries, ARP request rate limiting, capacity and slot reuse,
// and readers racing writers (no torn MAC, no entry of another address).
#include "dataplane/neighbor_table.h"

#include <gtest/gtest.h>
#include <rte_cycles.h>
#include <rte_memory.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>

#include "dataplane/bytes.h"
#include "tests/dataplane/test_rcu.h"

namespace espgw::dataplane {
namespace {

using S = NeighborStatus;
using St = NeighborState;

uint32_t ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return uint32_t{a} << 24 | uint32_t{b} << 16 | uint32_t{c} << 8 | d;
}

rte_ether_addr mac(uint8_t last) {
    return rte_ether_addr{{0x02, 0, 0, 0, 0, last}};
}

bool same_mac(const rte_ether_addr& a, const rte_ether_addr& b) {
    return rte_is_same_ether_addr(&a, &b) != 0;
}

std::unique_ptr<NeighborTable> make_table(const char* name, uint32_t capacity = 1024,
                                          rte_rcu_qsbr* rcu = nullptr) {
    std::string error;
    auto t = NeighborTable::create(name, SOCKET_ID_ANY, capacity, rcu, &error);
    EXPECT_NE(t, nullptr) << error;
    return t;
}

TEST(NeighborTable, UpsertLookupRemove) {
    auto t = make_table("nb-basic");
    ASSERT_NE(t, nullptr);
    const uint32_t gw = ipv4(192, 0, 2, 2);
    Neighbor n;
    EXPECT_FALSE(t->lookup(gw, &n));
    EXPECT_EQ(t->upsert(gw, mac(2), 0, St::kReachable), S::kOk);
    ASSERT_TRUE(t->lookup(gw, &n));
    EXPECT_TRUE(same_mac(n.mac, mac(2)));
    EXPECT_EQ(n.port, 0);
    EXPECT_EQ(n.state, St::kReachable);
    EXPECT_GT(n.updated_tsc, 0u);
    EXPECT_EQ(t->upsert(gw, mac(3), 1, St::kReachable), S::kOk);  // the peer moved
    ASSERT_TRUE(t->lookup(gw, &n));
    EXPECT_TRUE(same_mac(n.mac, mac(3)));
    EXPECT_EQ(n.port, 1);
    EXPECT_EQ(t->size(), 1u);
    EXPECT_EQ(t->remove(gw), S::kOk);
    EXPECT_FALSE(t->lookup(gw, &n));
    EXPECT_EQ(t->remove(gw), S::kNotFound);
    EXPECT_EQ(t->size(), 0u);
    EXPECT_EQ(t->upsert(gw, mac(2), 0, St::kIncomplete), S::kBadState);
}

TEST(NeighborTable, StaticEntriesAreNeverOverwrittenByLearntOnes) {
    auto t = make_table("nb-static");
    ASSERT_NE(t, nullptr);
    const uint32_t gw = ipv4(192, 0, 2, 2);
    EXPECT_EQ(t->upsert(gw, mac(2), 0, St::kStatic), S::kOk);
    EXPECT_EQ(t->upsert(gw, mac(66), 0, St::kReachable), S::kStaticKept);
    EXPECT_FALSE(t->mark_incomplete(gw, 0));
    Neighbor n;
    ASSERT_TRUE(t->lookup(gw, &n));
    EXPECT_TRUE(same_mac(n.mac, mac(2)));
    EXPECT_EQ(n.state, St::kStatic);
    EXPECT_EQ(t->upsert(gw, mac(7), 0, St::kStatic), S::kOk);  // reconfigured
    ASSERT_TRUE(t->lookup(gw, &n));
    EXPECT_TRUE(same_mac(n.mac, mac(7)));
    const uint32_t other = ipv4(192, 0, 2, 3);  // learnt first, then configured
    EXPECT_EQ(t->upsert(other, mac(3), 0, St::kReachable), S::kOk);
    EXPECT_EQ(t->upsert(other, mac(4), 0, St::kStatic), S::kOk);
    ASSERT_TRUE(t->lookup(other, &n));
    EXPECT_EQ(n.state, St::kStatic);
}

TEST(NeighborTable, WireNeighbors) {
    auto t = make_table("nb-wire");
    ASSERT_NE(t, nullptr);
    sadb::wire::Neighbor w{};
    w.addr.version = 4;
    store_be32(w.addr.bytes, ipv4(198, 51, 100, 7));
    const uint8_t bytes[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    std::memcpy(w.mac, bytes, 6);
    w.port = 2;
    w.is_static = 1;
    EXPECT_EQ(t->upsert(w), S::kOk);
    Neighbor n;
    ASSERT_TRUE(t->lookup(ipv4(198, 51, 100, 7), &n));
    EXPECT_EQ(std::memcmp(n.mac.addr_bytes, bytes, 6), 0);
    EXPECT_EQ(n.port, 2);
    EXPECT_EQ(n.state, St::kStatic);
    w.addr.version = 6;
    EXPECT_EQ(t->upsert(w), S::kNotIpv4);
}

TEST(NeighborTable, OneArpRequestPerSecondWhileIncomplete) {
    auto t = make_table("nb-arp");
    ASSERT_NE(t, nullptr);
    const uint64_t hz = rte_get_tsc_hz();
    const uint64_t t0 = rte_rdtsc();
    const uint32_t ip = ipv4(198, 18, 1, 9);
    EXPECT_TRUE(t->mark_incomplete(ip, 1, t0));
    EXPECT_FALSE(t->mark_incomplete(ip, 1, t0 + 1));
    EXPECT_FALSE(t->mark_incomplete(ip, 1, t0 + hz - 1));
    Neighbor n;
    ASSERT_TRUE(t->lookup(ip, &n));
    EXPECT_EQ(n.state, St::kIncomplete);
    EXPECT_EQ(n.port, 1);
    EXPECT_TRUE(same_mac(n.mac, rte_ether_addr{}));
    EXPECT_TRUE(t->mark_incomplete(ip, 1, t0 + hz));  // retry after 1 s
    EXPECT_FALSE(t->mark_incomplete(ip, 1, t0 + hz + 5));
    EXPECT_EQ(t->upsert(ip, mac(9), 1, St::kReachable), S::kOk);  // the reply
    EXPECT_FALSE(t->mark_incomplete(ip, 1, t0 + 10 * hz));
    ASSERT_TRUE(t->lookup(ip, &n));
    EXPECT_EQ(n.state, St::kReachable);
}

TEST(NeighborTable, ForEachListsEveryEntry) {
    auto t = make_table("nb-list");
    ASSERT_NE(t, nullptr);
    for (uint8_t i = 1; i <= 20; ++i) {
        ASSERT_EQ(t->upsert(ipv4(10, 0, 0, i), mac(i), i % 3, St::kReachable), S::kOk);
    }
    ASSERT_EQ(t->remove(ipv4(10, 0, 0, 5)), S::kOk);
    ASSERT_TRUE(t->mark_incomplete(ipv4(10, 0, 1, 1), 0));
    std::map<uint32_t, Neighbor> seen;
    t->for_each([&](uint32_t ip, const Neighbor& n) { seen[ip] = n; });
    EXPECT_EQ(seen.size(), 20u);
    EXPECT_EQ(seen.count(ipv4(10, 0, 0, 5)), 0u);
    EXPECT_TRUE(same_mac(seen[ipv4(10, 0, 0, 7)].mac, mac(7)));
    EXPECT_EQ(seen[ipv4(10, 0, 1, 1)].state, St::kIncomplete);
}

void fill_and_reuse(rte_rcu_qsbr* rcu, const char* name) {
    auto t = make_table(name, 64, rcu);
    ASSERT_NE(t, nullptr);
    for (uint8_t i = 0; i < 64; ++i) {
        ASSERT_EQ(t->upsert(ipv4(10, 0, 0, i), mac(i), 0, St::kReachable), S::kOk) << int(i);
    }
    EXPECT_EQ(t->upsert(ipv4(10, 0, 1, 0), mac(0), 0, St::kReachable), S::kTableFull);
    EXPECT_FALSE(t->mark_incomplete(ipv4(10, 0, 1, 0), 0));  // no room to remember it
    for (int round = 0; round < 3; ++round) {                // slots and hash keys come back
        ASSERT_EQ(t->remove(ipv4(10, 0, 0, 3)), S::kOk);
        ASSERT_EQ(t->upsert(ipv4(10, 0, 0, 3), mac(33), 0, St::kReachable), S::kOk);
    }
    Neighbor n;
    ASSERT_TRUE(t->lookup(ipv4(10, 0, 0, 3), &n));
    EXPECT_TRUE(same_mac(n.mac, mac(33)));
    EXPECT_EQ(t->size(), 64u);
}

TEST(NeighborTable, FullTableAndSlotReuse) {
    fill_and_reuse(nullptr, "nb-full");
    TestRcu rcu(4);  // no reader registered: every grace period is over at once
    ASSERT_NE(rcu.get(), nullptr);
    fill_and_reuse(rcu.get(), "nb-full-rcu");
}

// Two workers missing the same addresses at the same instant: one request per address.
TEST(NeighborTable, ConcurrentMissesSendOneRequest) {
    auto t = make_table("nb-miss", 4096);
    ASSERT_NE(t, nullptr);
    const uint64_t now = rte_rdtsc();
    std::atomic<uint32_t> requests{0};
    std::atomic<int> ready{0};
    auto worker = [&] {
        run_on_any_cpu();
        ready.fetch_add(1);
        while (ready.load() < 2) {
        }
        for (uint32_t i = 0; i < 2000; ++i) {
            requests += t->mark_incomplete(ipv4(10, 9, 0, 0) + i, 0, now) ? 1 : 0;
        }
    };
    std::thread a(worker), b(worker);
    a.join();
    b.join();
    EXPECT_EQ(requests.load(), 2000u);
}

// Address i always maps to MAC bytes all equal to v and port v, with v = generation << 4 | i:
// a reader that sees unequal bytes saw a torn MAC; a wrong low nibble, another address's slot.
rte_ether_addr gen_mac(uint8_t v) {
    return rte_ether_addr{{v, v, v, v, v, v}};
}

std::string check_entry(uint32_t i, const Neighbor& n) {
    const uint8_t v = n.mac.addr_bytes[0];
    for (uint8_t b : n.mac.addr_bytes) {
        if (b != v) return "torn MAC";
    }
    if (n.port != v) return "MAC and port from different updates";
    if ((v & 0xf) != i) return "entry of another address";
    return {};
}

TEST(NeighborTable, ReadersNeverSeeTornOrForeignEntries) {
    TestRcu rcu(4);
    ASSERT_NE(rcu.get(), nullptr);
    constexpr uint32_t kAddrs = 16;
    auto t = make_table("nb-race", 16, rcu.get());  // no spare slots: reuse is immediate
    ASSERT_NE(t, nullptr);
    const uint32_t base = ipv4(192, 0, 2, 0);
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> lookups{0}, hits{0};
    std::string failure;
    std::thread reader([&] {
        run_on_any_cpu();
        RcuReader member(rcu.get(), 2);
        Neighbor n;
        while (!stop.load(std::memory_order_relaxed) && failure.empty()) {
            for (uint32_t i = 0; i < kAddrs && failure.empty(); ++i) {
                if (!t->lookup(base + i, &n)) continue;
                failure = check_entry(i, n);
                hits.fetch_add(1, std::memory_order_relaxed);
            }
            lookups.fetch_add(kAddrs, std::memory_order_relaxed);
            member.quiescent();
        }
    });
    uint64_t updates = 0, refused = 0;
    uint32_t gen = 0;
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
    while (std::chrono::steady_clock::now() < end) {
        const uint32_t i = gen % kAddrs;
        const uint8_t v = static_cast<uint8_t>((gen / kAddrs % 16) << 4 | i);
        ++gen;
        if (gen % 5 == 0) {
            t->remove(base + i);
            continue;
        }
        const S s = t->upsert(base + i, gen_mac(v), v, St::kReachable);
        updates += s == S::kOk;
        if (s == S::kTableFull) {  // removed slots still in their grace period
            ++refused;
            std::this_thread::yield();
        }
    }
    stop = true;
    reader.join();
    EXPECT_EQ(failure, "");
    EXPECT_GT(hits.load(), 0u);
    EXPECT_GT(updates, 100u);  // the machine may be busy: churn, not speed
    std::printf(
        "[ NEIGHBOR ] race: %llu updates, %llu refused (slots in their grace period), "
        "%llu lookups, %llu hits\n",
        static_cast<unsigned long long>(updates), static_cast<unsigned long long>(refused),
        static_cast<unsigned long long>(lookups.load()),
        static_cast<unsigned long long>(hits.load()));
}

TEST(NeighborTable, LookupCost) {
    auto t = make_table("nb-cost", 4096);
    ASSERT_NE(t, nullptr);
    for (uint32_t i = 0; i < 1000; ++i) {
        ASSERT_EQ(t->upsert(ipv4(10, 0, 0, 0) + i, mac(1), 0, St::kReachable), S::kOk);
    }
    Neighbor n;
    uint32_t found = 0;
    const uint64_t c0 = rte_rdtsc();
    for (uint32_t round = 0; round < 1000; ++round) {
        for (uint32_t i = 0; i < 1000; ++i)
            found += t->lookup(ipv4(10, 0, 0, 0) + i, &n);
    }
    const double cycles = double(rte_rdtsc() - c0) / 1e6;
    EXPECT_EQ(found, 1000000u);
    std::printf("[ NEIGHBOR ] 1000 entries: lookup %.1f TSC cycles\n", cycles);
}

}  // namespace
}  // namespace espgw::dataplane
