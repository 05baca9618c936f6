// The inbound SPI index (sadb/spi_index.h): a two-way direct table in front of rte_hash. Checks
// that every SPI is found whether it holds a way of its bucket or finds the bucket full and lives
// in the hash only, that a removed way owner hands the way to another SPI of the bucket, against a
// reference map over random operations, and that lock-free readers never miss a stable SPI
// while the writer adds and removes others (rte_hash with RW_CONCURRENCY_LF and RCU).
#include <gtest/gtest.h>
#include <rte_rcu_qsbr.h>

#include <atomic>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "sadb/sa_runtime.h"
#include "sadb/spi_index.h"
#include "tests/dataplane/test_rcu.h"

namespace espgw::sadb {
namespace {

// Enough of an SA for the index: the SPI on its first line.
class Sas {
  public:
    SaRuntime* get(uint32_t spi) {
        auto& p = by_spi_[spi];
        if (!p) {
            p = std::make_unique<SaRuntime>();
            p->spi = spi;
        }
        return p.get();
    }

  private:
    std::map<uint32_t, std::unique_ptr<SaRuntime>> by_spi_;
};

std::string unique_name(const char* base) {
    static int n = 0;
    return std::string(base) + std::to_string(n++);
}

// The direct table of an index of capacity 64 has 256 buckets: SPIs equal modulo 256 share one.
constexpr uint32_t kSlots64 = 256;

TEST(SpiIndex, SharedSlotFoundThroughHashAndHandedOverOnRemove) {
    Sas sas;
    SpiIndex idx(unique_name("spi_shared"), 64, SOCKET_ID_ANY);
    ASSERT_TRUE(idx.ok());
    const uint32_t a = 0x1000 + 7, b = a + kSlots64, c = a + 2 * kSlots64;
    ASSERT_TRUE(idx.add(a, sas.get(a)));
    ASSERT_TRUE(idx.add(b, sas.get(b)));
    ASSERT_TRUE(idx.add(c, sas.get(c)));
    EXPECT_EQ(idx.size(), 3u);
    EXPECT_EQ(idx.direct_entries(), 2u);  // a and b hold the two ways; c is in the hash only
    EXPECT_EQ(idx.find(a), sas.get(a));
    EXPECT_EQ(idx.find(b), sas.get(b));
    EXPECT_EQ(idx.find(c), sas.get(c));
    EXPECT_EQ(idx.find(a + 3 * kSlots64), nullptr);  // same bucket, never added

    ASSERT_TRUE(idx.remove(a));
    EXPECT_EQ(idx.find(a), nullptr);
    EXPECT_EQ(idx.direct_entries(), 2u);  // c took a's way over
    EXPECT_EQ(idx.find(b), sas.get(b));
    EXPECT_EQ(idx.find(c), sas.get(c));
    ASSERT_TRUE(idx.remove(b));
    EXPECT_EQ(idx.direct_entries(), 1u);  // nobody left to take b's way
    EXPECT_EQ(idx.find(c), sas.get(c));
    ASSERT_TRUE(idx.remove(c));
    EXPECT_EQ(idx.direct_entries(), 0u);
    EXPECT_FALSE(idx.remove(c));
    EXPECT_EQ(idx.size(), 0u);
}

TEST(SpiIndex, ReplacingAnSaKeepsItsSpiAndSlot) {
    Sas sas, other;
    SpiIndex idx(unique_name("spi_replace"), 64, SOCKET_ID_ANY);
    ASSERT_TRUE(idx.ok());
    const uint32_t a = 0x42, b = a + kSlots64;
    ASSERT_TRUE(idx.add(a, sas.get(a)));
    ASSERT_TRUE(idx.add(b, sas.get(b)));
    ASSERT_TRUE(idx.add(a, other.get(a)));  // new keys, same SPI
    ASSERT_TRUE(idx.add(b, other.get(b)));
    EXPECT_EQ(idx.size(), 2u);
    EXPECT_EQ(idx.find(a), other.get(a));
    EXPECT_EQ(idx.find(b), other.get(b));
    uint32_t spis[] = {b, a, b};
    SaRuntime* out[3];
    idx.find_bulk(spis, 3, out);
    EXPECT_EQ(out[0], other.get(b));
    EXPECT_EQ(out[1], other.get(a));
    EXPECT_EQ(out[2], other.get(b));
}

// Random adds, replacements and removes over a small SPI space that crowds the direct buckets,
// checked after every step against std::map, single and bulk lookups alike.
TEST(SpiIndex, MatchesAReferenceMapOverRandomOperations) {
    Sas sas[2];
    SpiIndex idx(unique_name("spi_random"), 64, SOCKET_ID_ANY);
    ASSERT_TRUE(idx.ok());
    std::map<uint32_t, SaRuntime*> ref;
    std::mt19937 rng(20261123);
    // 48 possible SPIs (the hash holds 64) over 16 buckets of two ways: up to 3 SPIs each.
    auto random_spi = [&] { return (rng() % 16) + kSlots64 * (1 + rng() % 3); };
    std::vector<uint32_t> probe(48);
    for (uint32_t k = 0; k < probe.size(); ++k)
        probe[k] = (k % 16) + kSlots64 * (1 + k / 16);
    for (int step = 0; step < 20000; ++step) {
        const uint32_t spi = random_spi();
        if (rng() % 3 == 0) {
            EXPECT_EQ(idx.remove(spi), ref.erase(spi) == 1);
        } else {
            SaRuntime* sa = sas[rng() % 2].get(spi);
            ASSERT_TRUE(idx.add(spi, sa));
            ref[spi] = sa;
        }
        ASSERT_EQ(idx.size(), ref.size());
        std::vector<SaRuntime*> out(probe.size());
        idx.find_bulk(probe.data(), static_cast<uint32_t>(probe.size()), out.data());
        for (uint32_t k = 0; k < probe.size(); ++k) {
            const auto it = ref.find(probe[k]);
            SaRuntime* want = it == ref.end() ? nullptr : it->second;
            ASSERT_EQ(out[k], want) << "step " << step << " spi " << probe[k];
            ASSERT_EQ(idx.find(probe[k]), want);
        }
    }
}

// Readers on another thread look up a stable set of SPIs (many sharing direct buckets, so they
// go through the hash) while the writer fills the hash to 95% with other SPIs and empties it
// again, moving keys between cuckoo buckets and handing direct ways from one churned SPI to the
// next. No lookup of a stable SPI may miss, and no lookup of a churned SPI may return another
// SPI's SA (it may miss: the SPI comes and goes). The window in which a reader could pair one
// way's SPI hint with the next owner's pointer is two loads from one cache line: this test does
// not hit it reliably (with the SA's own SPI check removed from find_bulk it still passed 5 of 5
// runs). That check, not this test, is what keeps a hint race from returning a wrong SA. Like the
// gateway's main lcore (control_endpoint.cc), the writer waits for a grace period after each batch,
// so the key-store slots of removed SPIs can be reused. The reader runs on any CPU (test_rcu.h):
// pinned to the writer's, it would only interleave with it at preemptions.
TEST(SpiIndex, LockFreeReadersNeverMissAStableSpiDuringWrites) {
    dataplane::TestRcu rcu(1);
    ASSERT_NE(rcu.get(), nullptr);
    constexpr uint32_t kCapacity = 1024;  // 1024 direct buckets, 2048 hash entries with RCU
    auto idx =
        std::make_unique<SpiIndex>(unique_name("spi_lf"), kCapacity, SOCKET_ID_ANY, rcu.get());
    ASSERT_TRUE(idx->ok());
    Sas sas;
    std::vector<uint32_t> stable;
    for (uint32_t k = 0; k < 256; ++k)
        stable.push_back((k << 12) | (k % 32));  // 32 buckets
    for (uint32_t s : stable)
        ASSERT_TRUE(idx->add(s, sas.get(s)));
    std::vector<uint32_t> churn;
    for (uint32_t k = 0; k < 1700; ++k)
        churn.push_back(0x80000000u | (k << 12) | (k % 64));
    for (uint32_t s : churn)
        sas.get(s);

    std::atomic<bool> started{false}, stop{false};
    std::atomic<uint64_t> lookups{0}, misses{0}, wrong{0};
    std::thread reader([&] {
        dataplane::run_on_any_cpu();
        dataplane::RcuReader member(rcu.get(), 0);
        std::vector<SaRuntime*> out(stable.size()), churned(churn.size());
        started = true;
        while (!stop.load(std::memory_order_relaxed)) {
            idx->find_bulk(stable.data(), static_cast<uint32_t>(stable.size()), out.data());
            for (uint32_t k = 0; k < stable.size(); ++k)
                if (out[k] == nullptr || out[k]->spi != stable[k]) misses.fetch_add(1);
            idx->find_bulk(churn.data(), static_cast<uint32_t>(churn.size()), churned.data());
            for (uint32_t k = 0; k < churn.size(); ++k)
                if (churned[k] != nullptr && churned[k]->spi != churn[k]) wrong.fetch_add(1);
            lookups.fetch_add(stable.size(), std::memory_order_relaxed);
            member.quiescent();
        }
    });
    while (!started.load())
        std::this_thread::yield();
    uint32_t failed_writes = 0;  // no ASSERT before the reader is joined
    for (int round = 0; round < 100; ++round) {
        for (uint32_t s : churn)
            failed_writes += idx->add(s, sas.get(s)) ? 0 : 1;
        for (uint32_t s : churn)
            failed_writes += idx->remove(s) ? 0 : 1;
        rte_rcu_qsbr_synchronize(rcu.get(), RTE_QSBR_THRID_INVALID);
    }
    stop = true;
    reader.join();
    EXPECT_EQ(failed_writes, 0u);
    EXPECT_GT(lookups.load(), 0u);
    EXPECT_EQ(misses.load(), 0u) << "of " << lookups.load() << " lookups";
    EXPECT_EQ(wrong.load(), 0u);
    EXPECT_EQ(idx->size(), stable.size());
}

}  // namespace
}  // namespace espgw::sadb
