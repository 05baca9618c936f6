// Route table: longest prefix match, default route, replacement, next-hop dedupe and reuse, a
// naive longest-match reference, and a reader racing the writer under RCU.
#include "dataplane/route_table.h"

#include <gtest/gtest.h>
#include <rte_cycles.h>
#include <rte_memory.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "dataplane/bytes.h"
#include "tests/dataplane/test_rcu.h"

namespace espgw::dataplane {
namespace {

using S = RouteStatus;

uint32_t ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return uint32_t{a} << 24 | uint32_t{b} << 16 | uint32_t{c} << 8 | d;
}

uint32_t mask(uint8_t len) {
    return len == 0 ? 0 : ~uint32_t{0} << (32 - len);
}

std::unique_ptr<RouteTable> make_table(const char* name, rte_rcu_qsbr* rcu = nullptr,
                                       const RouteTableLimits& limits = {}) {
    std::string error;
    auto t = RouteTable::create(name, SOCKET_ID_ANY, rcu, &error, limits);
    EXPECT_NE(t, nullptr) << error;
    return t;
}

// The next hop for `dst`, or port 0xffff when there is no route.
NextHop find(const RouteTable& t, uint32_t dst) {
    NextHop nh{0xffff, 0};
    if (!t.lookup(dst, &nh)) return NextHop{0xffff, 0};
    return nh;
}

constexpr NextHop kMiss{0xffff, 0};

TEST(RouteTable, LongestPrefixWins) {
    auto t = make_table("rt-lpm");
    ASSERT_NE(t, nullptr);
    const NextHop a{0, ipv4(192, 0, 2, 1)}, b{1, ipv4(192, 0, 2, 2)}, c{1, 0}, d{2, 0},
        e{3, ipv4(198, 51, 100, 9)};
    EXPECT_EQ(t->add(ipv4(10, 0, 0, 0), 8, a), S::kOk);
    EXPECT_EQ(t->add(ipv4(10, 1, 0, 0), 16, b), S::kOk);
    EXPECT_EQ(t->add(ipv4(10, 1, 2, 0), 24, c), S::kOk);
    EXPECT_EQ(t->add(ipv4(10, 1, 2, 128), 25, d), S::kOk);  // tbl8
    EXPECT_EQ(t->add(ipv4(10, 1, 2, 200), 32, e), S::kOk);
    EXPECT_EQ(t->size(), 5u);
    EXPECT_EQ(find(*t, ipv4(10, 9, 9, 9)), a);
    EXPECT_EQ(find(*t, ipv4(10, 1, 9, 9)), b);
    EXPECT_EQ(find(*t, ipv4(10, 1, 2, 1)), c);
    EXPECT_EQ(find(*t, ipv4(10, 1, 2, 129)), d);
    EXPECT_EQ(find(*t, ipv4(10, 1, 2, 200)), e);
    EXPECT_EQ(find(*t, ipv4(11, 0, 0, 1)), kMiss);
}

TEST(RouteTable, DefaultRoute) {
    auto t = make_table("rt-default");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(find(*t, ipv4(8, 8, 8, 8)), kMiss);
    const NextHop gw{0, ipv4(192, 0, 2, 2)}, inside{1, 0};
    EXPECT_EQ(t->add(0, 0, gw), S::kOk);
    EXPECT_EQ(t->add(ipv4(198, 18, 1, 0), 24, inside), S::kOk);
    EXPECT_EQ(find(*t, ipv4(8, 8, 8, 8)), gw);
    EXPECT_EQ(find(*t, ipv4(198, 18, 1, 7)), inside);
    EXPECT_EQ(t->remove(0, 0), S::kOk);
    EXPECT_EQ(find(*t, ipv4(8, 8, 8, 8)), kMiss);
    EXPECT_EQ(find(*t, ipv4(198, 18, 1, 7)), inside);
}

TEST(RouteTable, ReAddReplacesAndRemoveFallsBack) {
    auto t = make_table("rt-replace");
    ASSERT_NE(t, nullptr);
    const NextHop a{0, 1}, b{0, 2}, c{0, 3};
    EXPECT_EQ(t->add(ipv4(10, 0, 0, 0), 8, a), S::kOk);
    EXPECT_EQ(t->add(ipv4(10, 1, 2, 0), 24, b), S::kOk);
    EXPECT_EQ(t->add(ipv4(10, 1, 2, 99), 24, c), S::kOk);  // host bits are ignored
    EXPECT_EQ(t->size(), 2u);
    EXPECT_EQ(find(*t, ipv4(10, 1, 2, 3)), c);
    EXPECT_EQ(t->remove(ipv4(10, 1, 2, 0), 24), S::kOk);
    EXPECT_EQ(find(*t, ipv4(10, 1, 2, 3)), a);
    EXPECT_EQ(t->remove(ipv4(10, 1, 2, 0), 24), S::kNotFound);
    EXPECT_EQ(t->remove(ipv4(10, 0, 0, 0), 33), S::kBadPrefixLength);
    EXPECT_EQ(t->add(ipv4(10, 0, 0, 0), 33, a), S::kBadPrefixLength);
}

TEST(RouteTable, WireRoutes) {
    auto t = make_table("rt-wire");
    ASSERT_NE(t, nullptr);
    sadb::wire::Route r{};
    r.prefix.version = 4;
    store_be32(r.prefix.bytes, ipv4(198, 51, 100, 0));
    r.prefix_len = 24;
    r.port = 3;  // next_hop.version 0: connected
    EXPECT_EQ(t->add(r), S::kOk);
    EXPECT_EQ(find(*t, ipv4(198, 51, 100, 5)), (NextHop{3, 0}));
    r.next_hop.version = 4;
    store_be32(r.next_hop.bytes, ipv4(192, 0, 2, 2));
    EXPECT_EQ(t->add(r), S::kOk);
    EXPECT_EQ(find(*t, ipv4(198, 51, 100, 5)), (NextHop{3, ipv4(192, 0, 2, 2)}));
    r.next_hop.version = 6;
    EXPECT_EQ(t->add(r), S::kNotIpv4);
    r.next_hop.version = 0;
    r.prefix.version = 6;
    EXPECT_EQ(t->add(r), S::kNotIpv4);
}

void dedupe_and_reuse(rte_rcu_qsbr* rcu, const char* name) {
    RouteTableLimits limits;
    limits.max_next_hops = 2;
    auto t = make_table(name, rcu, limits);
    ASSERT_NE(t, nullptr);
    const NextHop a{0, 1}, b{0, 2}, c{0, 3};
    EXPECT_EQ(t->add(ipv4(10, 1, 0, 0), 16, a), S::kOk);
    EXPECT_EQ(t->add(ipv4(10, 2, 0, 0), 16, a), S::kOk);  // same next hop, same id
    EXPECT_EQ(t->add(ipv4(10, 3, 0, 0), 16, b), S::kOk);
    EXPECT_EQ(t->add(ipv4(10, 4, 0, 0), 16, c), S::kNextHopsFull);
    EXPECT_EQ(t->remove(ipv4(10, 3, 0, 0), 16), S::kOk);  // b's id is free (after a grace period)
    EXPECT_EQ(t->add(ipv4(10, 4, 0, 0), 16, c), S::kOk);
    EXPECT_EQ(find(*t, ipv4(10, 4, 0, 1)), c);
    EXPECT_EQ(find(*t, ipv4(10, 2, 0, 1)), a);
    EXPECT_EQ(find(*t, ipv4(10, 3, 0, 1)), kMiss);
}

TEST(RouteTable, NextHopsAreDeduplicatedAndReused) {
    dedupe_and_reuse(nullptr, "rt-dedupe");
    TestRcu rcu(4);  // no reader registered: every grace period is over at once
    ASSERT_NE(rcu.get(), nullptr);
    dedupe_and_reuse(rcu.get(), "rt-dedupe-rcu");
}

TEST(RouteTable, FullTablesAreReported) {
    RouteTableLimits limits;
    limits.max_routes = 4;
    limits.tbl8_groups = 2;
    auto t = make_table("rt-full", nullptr, limits);
    ASSERT_NE(t, nullptr);
    const NextHop a{0, 1};
    EXPECT_EQ(t->add(ipv4(10, 0, 1, 128), 25, a), S::kOk);
    EXPECT_EQ(t->add(ipv4(10, 0, 2, 128), 25, a), S::kOk);
    EXPECT_EQ(t->add(ipv4(10, 0, 3, 128), 25, a), S::kTableFull);  // third tbl8 group
    EXPECT_EQ(t->add(ipv4(10, 1, 0, 0), 16, a), S::kOk);
    EXPECT_EQ(t->add(ipv4(10, 2, 0, 0), 16, a), S::kOk);
    EXPECT_EQ(t->add(ipv4(10, 3, 0, 0), 16, a), S::kTableFull);  // fifth rule
    EXPECT_EQ(t->size(), 4u);
}

// Longest match by a linear scan over the routes.
NextHop naive(const std::map<std::pair<uint32_t, uint8_t>, NextHop>& routes, uint32_t dst) {
    int best = -1;
    NextHop nh = kMiss;
    for (const auto& [key, hop] : routes) {
        if ((dst & mask(key.second)) == key.first && key.second > best) {
            best = key.second;
            nh = hop;
        }
    }
    return nh;
}

TEST(RouteTable, BulkLookupMatchesNaiveLongestMatch) {
    auto t = make_table("rt-naive");
    ASSERT_NE(t, nullptr);
    std::mt19937 rng(7);
    std::map<std::pair<uint32_t, uint8_t>, NextHop> routes;
    const uint8_t lens[] = {0, 8, 12, 16, 20, 24, 25, 27, 30, 32};
    for (int i = 0; i < 3000; ++i) {
        const uint8_t len = lens[rng() % 10];
        const uint32_t prefix = (ipv4(10, 0, 0, 0) | (rng() & 0x0003ffff)) & mask(len);
        const NextHop nh{static_cast<uint16_t>(rng() % 4), static_cast<uint32_t>(rng() % 50)};
        if (rng() % 4 == 0) {
            const S want = routes.erase({prefix, len}) ? S::kOk : S::kNotFound;
            ASSERT_EQ(t->remove(prefix, len), want);
        } else {
            ASSERT_EQ(t->add(prefix, len, nh), S::kOk);
            routes[{prefix, len}] = nh;
        }
    }
    ASSERT_EQ(t->size(), routes.size());
    std::vector<uint32_t> dst(1000);  // more than one internal chunk
    for (uint32_t& d : dst)
        d = ipv4(10, 0, 0, 0) | (rng() & 0x0007ffff);
    std::vector<NextHop> out(dst.size());
    std::unique_ptr<bool[]> found(new bool[dst.size()]);
    t->lookup_bulk(dst.data(), static_cast<uint32_t>(dst.size()), out.data(), found.get());
    for (size_t i = 0; i < dst.size(); ++i) {
        const NextHop want = naive(routes, dst[i]);
        EXPECT_EQ(found[i], !(want == kMiss)) << i;
        if (found[i]) {
            EXPECT_EQ(out[i], want) << i;
        }
    }
    const uint64_t c0 = rte_rdtsc();
    for (int round = 0; round < 1000; ++round) {
        for (size_t i = 0; i + 32 <= dst.size(); i += 32) {
            t->lookup_bulk(&dst[i], 32, &out[i], &found[i]);
        }
    }
    std::printf("[ ROUTE    ] %zu routes: lookup_bulk %.1f TSC cycles/address (bursts of 32)\n",
                routes.size(), double(rte_rdtsc() - c0) / (1000.0 * (dst.size() / 32 * 32)));
}

// Route r (1..K-1) under 10.1.0.0/22 with next hop {port r, gateway 11.0.r.v}: a reader can
// tell which route a next hop belongs to and whether that route covers the address.
struct ChurnRoute {
    uint32_t prefix;
    uint8_t len;
};

NextHop churn_hop(uint32_t r, uint32_t v) {
    return NextHop{static_cast<uint16_t>(r), ipv4(11, 0, 0, 0) | r << 8 | v};
}

std::string check_hop(const std::vector<ChurnRoute>& routes, uint32_t dst, bool found, NextHop nh) {
    if (!found) return "miss although 10.0.0.0/8 is always there";
    const uint32_t r = nh.port;
    if (r >= routes.size() || nh.gateway != (churn_hop(r, nh.gateway & 0xff).gateway) ||
        (nh.gateway & 0xff) > 3) {
        return "next hop that no route ever had";
    }
    if ((dst & mask(routes[r].len)) != routes[r].prefix) return "next hop of a route not covering";
    return {};
}

TEST(RouteTable, ReaderNeverSeesAnImpossibleNextHop) {
    TestRcu rcu(4);
    ASSERT_NE(rcu.get(), nullptr);
    RouteTableLimits limits;
    limits.max_next_hops = 40;  // few spare ids: freed ones are reused quickly
    limits.tbl8_groups = 16;
    auto t = make_table("rt-race", rcu.get(), limits);
    ASSERT_NE(t, nullptr);
    std::mt19937 rng(3);
    std::vector<ChurnRoute> routes = {{ipv4(10, 0, 0, 0), 8}};
    const uint8_t lens[] = {16, 22, 24, 25, 28, 32};
    for (uint32_t r = 1; r < 32; ++r) {
        const uint8_t len = lens[rng() % 6];
        const uint32_t host = static_cast<uint32_t>(rng() & 0x3ff);
        routes.push_back({(ipv4(10, 1, 0, 0) | host) & mask(len), len});
    }
    ASSERT_EQ(t->add(routes[0].prefix, 8, churn_hop(0, 0)), S::kOk);

    std::atomic<bool> stop{false};
    std::atomic<uint64_t> lookups{0};
    std::string failure;
    std::thread reader([&] {
        run_on_any_cpu();
        RcuReader member(rcu.get(), 1);
        std::mt19937 r(11);
        uint32_t dst[32];
        NextHop out[32];
        bool found[32];
        while (!stop.load(std::memory_order_relaxed) && failure.empty()) {
            for (uint32_t& d : dst)
                d = ipv4(10, 1, 0, 0) | (r() & 0x3ff);
            t->lookup_bulk(dst, 32, out, found);
            for (int i = 0; i < 32 && failure.empty(); ++i) {
                failure = check_hop(routes, dst[i], found[i], out[i]);
            }
            lookups.fetch_add(32, std::memory_order_relaxed);
            member.quiescent();
        }
    });
    uint64_t applied = 0, refused = 0;
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
    while (std::chrono::steady_clock::now() < end) {
        const uint32_t r = 1 + rng() % 31;
        const S s = rng() % 3 == 0
                        ? t->remove(routes[r].prefix, routes[r].len)
                        : t->add(routes[r].prefix, routes[r].len, churn_hop(r, rng() % 4));
        applied += s == S::kOk;
        if (s == S::kNextHopsFull || s == S::kTableFull) {
            ++refused;
            std::this_thread::yield();  // let the reader reach a quiescent state
        }
    }
    stop = true;
    reader.join();
    EXPECT_EQ(failure, "");
    EXPECT_GT(lookups.load(), 0u);
    EXPECT_GT(applied, 100u);  // the machine may be busy: churn, not speed
    std::printf(
        "[ ROUTE    ] race: %llu changes applied, %llu refused (ids or tbl8 groups in "
        "their grace period), %llu lookups\n",
        static_cast<unsigned long long>(applied), static_cast<unsigned long long>(refused),
        static_cast<unsigned long long>(lookups.load()));
}

}  // namespace
}  // namespace espgw::dataplane
