// Inbound SA lookup by SPI (RFC 4303 §3.4.2; SPIs of inbound SAs are unique on this gateway,
// the outer destination is checked by the caller). One index per SA table, built on rte_hash,
// with a direct-mapped table in front of it.
//
// Why the direct-mapped table: with thousands of SAs in rotation an rte_hash lookup costs two
// cache misses per packet (the bucket with the signatures, then the key-store entry holding the
// key and the data pointer) before the SA's own first line. The direct table indexed by the
// SPI's low bits holds the SA pointer in one line; the SA's SPI, which the packet reads anyway
// on its first line, confirms the hit. DPDK's ipsec-secgw does the same (its per-lcore SAD
// cache, SPI2IDX in sad.h); here the writer fills the table, so readers never write.
//
// Two ways per bucket: with one SA pointer per slot, random SPIs collide often enough (~8% of
// 10,000 SAs at 4 slots per SA) that most bursts of 32 packets of different SAs went to the
// hash for one or two of them, a bulk lookup of its own. With two ways in a 32-byte bucket (the
// same memory per SA) only an SPI whose bucket already holds two others is left to the hash.
// Each way carries the SPI it holds so that a reader picks the way without reading either SA;
// the SA's own SPI still confirms the hit, so a reader racing the writer at worst misses the
// direct table and asks the hash.
#pragma once

#include <rte_hash.h>
#include <rte_rcu_qsbr.h>

#include <cstdint>
#include <string>
#include <vector>

namespace espgw::sadb {

struct SaRuntime;

class SpiIndex {
  public:
    // `name` must be unique per process (rte_hash names are global). With `rcu`, lookups may
    // run on other threads while this one adds and removes (lock-free readers); removed
    // entries are reclaimed after the readers registered with `rcu` passed quiescent points,
    // and a removed SA itself must live until then (the caller's RCU retirement).
    SpiIndex(const std::string& name, uint32_t capacity, int socket_id,
             rte_rcu_qsbr* rcu = nullptr);
    ~SpiIndex();
    SpiIndex(const SpiIndex&) = delete;
    SpiIndex& operator=(const SpiIndex&) = delete;

    bool ok() const { return hash_ != nullptr && direct_ != nullptr; }
    // Adds or replaces the SA of `spi` (a replacement is one atomic pointer store per table).
    bool add(uint32_t spi, SaRuntime* sa);
    bool remove(uint32_t spi);
    SaRuntime* find(uint32_t spi) const;
    // Looks up n SPIs (host order) at once; misses come back as nullptr.
    void find_bulk(const uint32_t* spis, uint32_t n, SaRuntime** out) const;
    uint32_t size() const;  // writer's view
    // SAs found through the direct table alone (for tests and the benchmark's notes).
    uint32_t direct_entries() const;

  private:
    static constexpr uint32_t kWays = 2;
    struct alignas(32) Bucket {
        uint32_t spi[kWays];  // the SPI each way holds: a hint (relaxed atomic access)
        uint32_t unused[2];
        SaRuntime* sa[kWays];  // nullptr when free; readers load with acquire
    };
    static_assert(sizeof(Bucket) == 32);

    uint32_t bucket_of(uint32_t spi) const { return spi & mask_; }
    // The SA the direct table holds for `spi`, or nullptr; the caller confirms it by its SPI.
    SaRuntime* direct_candidate(uint32_t spi) const {
        const Bucket& b = direct_[bucket_of(spi)];
        for (uint32_t w = 0; w < kWays; ++w)
            if (__atomic_load_n(&b.spi[w], __ATOMIC_RELAXED) == spi)
                return __atomic_load_n(&b.sa[w], __ATOMIC_ACQUIRE);
        return nullptr;
    }
    void way_store(uint32_t bucket, uint32_t way, uint32_t spi, SaRuntime* sa);
    uint32_t way_holding(uint32_t bucket, uint32_t spi) const;
    uint32_t free_way(uint32_t bucket) const;
    void refill(uint32_t bucket, uint32_t way);

    rte_hash* hash_ = nullptr;
    Bucket* direct_ = nullptr;
    uint32_t mask_ = 0;             // buckets - 1 (a power of two)
    std::vector<uint16_t> mapped_;  // writer only: SPIs in the hash whose bucket this is
    uint32_t live_ = 0;  // SPIs in the index (rte_hash_count also counts keys awaiting RCU)
};

}  // namespace espgw::sadb
