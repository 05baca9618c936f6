#include "sadb/spi_index.h"

#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include <algorithm>

#include "sadb/sa_runtime.h"

namespace espgw::sadb {
namespace {

// Buckets (of two ways) per SA of capacity. `capacity` counts every SA of the table (the
// gateway's outbound ones too), so about half are inbound. With random SPIs and one bucket per
// SA a bucket holds more than two SPIs for ~1.5% of the SPIs at full capacity, ~0.3% when half
// the SAs are inbound.
constexpr uint32_t kBucketsPerSa = 1;
constexpr uint32_t kMinBuckets = 256;

}  // namespace

SpiIndex::SpiIndex(const std::string& name, uint32_t capacity, int socket_id, rte_rcu_qsbr* rcu) {
    rte_hash_parameters p{};
    p.name = name.c_str();
    // With RCU a deleted key's slot is reused only after a grace period: room for those too.
    p.entries = std::max<uint32_t>(capacity, 64) * (rcu != nullptr ? 2 : 1);
    p.key_len = sizeof(uint32_t);
    p.hash_func = rte_hash_crc;
    p.socket_id = socket_id;
    if (rcu != nullptr) p.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
    hash_ = rte_hash_create(&p);
    if (hash_ == nullptr) return;
    if (rcu != nullptr) {
        rte_hash_rcu_config cfg{};
        cfg.v = rcu;
        cfg.mode = RTE_HASH_QSBR_MODE_DQ;  // deleted keys are reclaimed once readers moved on
        if (rte_hash_rcu_qsbr_add(hash_, &cfg) != 0) {
            rte_hash_free(hash_);
            hash_ = nullptr;
            return;
        }
    }
    const uint32_t buckets = rte_align32pow2(std::max(kMinBuckets, capacity * kBucketsPerSa));
    direct_ = static_cast<Bucket*>(
        rte_zmalloc_socket("spi_direct", buckets * sizeof(Bucket), RTE_CACHE_LINE_SIZE, socket_id));
    mask_ = buckets - 1;
    mapped_.assign(buckets, 0);
}

SpiIndex::~SpiIndex() {
    rte_hash_free(hash_);
    rte_free(direct_);
}

void SpiIndex::way_store(uint32_t bucket, uint32_t way, uint32_t spi, SaRuntime* sa) {
    Bucket& b = direct_[bucket];
    __atomic_store_n(&b.spi[way], spi, __ATOMIC_RELAXED);
    __atomic_store_n(&b.sa[way], sa, __ATOMIC_RELEASE);
}

// Writer side: the way of `bucket` that holds `spi`, or kWays.
uint32_t SpiIndex::way_holding(uint32_t bucket, uint32_t spi) const {
    const Bucket& b = direct_[bucket];
    for (uint32_t w = 0; w < kWays; ++w)
        if (b.sa[w] != nullptr && b.spi[w] == spi) return w;
    return kWays;
}

// Writer side: the first free way of `bucket`, or kWays.
uint32_t SpiIndex::free_way(uint32_t bucket) const {
    const Bucket& b = direct_[bucket];
    for (uint32_t w = 0; w < kWays; ++w)
        if (b.sa[w] == nullptr) return w;
    return kWays;
}

bool SpiIndex::add(uint32_t spi, SaRuntime* sa) {
    const bool existed = rte_hash_lookup(hash_, &spi) >= 0;
    if (rte_hash_add_key_data(hash_, &spi, sa) != 0) return false;
    const uint32_t bi = bucket_of(spi);
    if (!existed) {
        ++mapped_[bi];
        ++live_;
    }
    uint32_t w = way_holding(bi, spi);  // a replacement: one pointer store
    if (w == kWays) w = free_way(bi);
    if (w != kWays) way_store(bi, w, spi, sa);
    return true;  // else the bucket is full: the SPI is found in the hash
}

// After the SPI holding a way is removed, an SPI of the same bucket that lives in the hash only
// (if any) takes it; finding one walks the hash, which happens only for the few buckets that
// hold more SPIs than ways.
void SpiIndex::refill(uint32_t bucket, uint32_t way) {
    way_store(bucket, way, 0, nullptr);
    uint32_t held = 0;
    for (uint32_t w = 0; w < kWays; ++w)
        held += direct_[bucket].sa[w] != nullptr;
    if (mapped_[bucket] <= held) return;
    const void* key = nullptr;
    void* data = nullptr;
    uint32_t next = 0;
    while (rte_hash_iterate(hash_, &key, &data, &next) >= 0) {
        const uint32_t spi = *static_cast<const uint32_t*>(key);
        if (bucket_of(spi) != bucket || way_holding(bucket, spi) != kWays) continue;
        way_store(bucket, way, spi, static_cast<SaRuntime*>(data));
        return;
    }
}

bool SpiIndex::remove(uint32_t spi) {
    if (rte_hash_del_key(hash_, &spi) < 0) return false;
    const uint32_t bi = bucket_of(spi);
    --mapped_[bi];
    --live_;
    if (const uint32_t w = way_holding(bi, spi); w != kWays) refill(bi, w);
    return true;
}

SaRuntime* SpiIndex::find(uint32_t spi) const {
    SaRuntime* sa = nullptr;
    find_bulk(&spi, 1, &sa);  // one path for the direct table's hit rule and the hash fallback
    return sa;
}

void SpiIndex::find_bulk(const uint32_t* spis, uint32_t n, SaRuntime** out) const {
    constexpr uint32_t kChunk = RTE_HASH_LOOKUP_BULK_MAX;
    for (uint32_t base = 0; base < n; base += kChunk) {
        const uint32_t m = std::min(kChunk, n - base);
        const uint32_t* spi = spis + base;
        SaRuntime** res = out + base;
        // Three passes so the misses of a burst overlap: buckets, then SA first lines, then
        // the SPI compare.
        for (uint32_t k = 0; k < m; ++k)
            rte_prefetch0(&direct_[bucket_of(spi[k])]);
        for (uint32_t k = 0; k < m; ++k) {
            res[k] = direct_candidate(spi[k]);
            if (res[k] != nullptr) rte_prefetch0(res[k]);
        }
        const void* keys[kChunk];
        uint32_t miss[kChunk];
        uint32_t misses = 0;
        for (uint32_t k = 0; k < m; ++k) {
            if (res[k] != nullptr && res[k]->spi == spi[k]) continue;
            keys[misses] = &spi[k];
            miss[misses++] = k;
        }
        if (misses == 0) continue;
        void* data[kChunk];
        uint64_t hits = 0;
        rte_hash_lookup_bulk_data(hash_, keys, misses, &hits, data);
        for (uint32_t j = 0; j < misses; ++j)
            res[miss[j]] = (hits >> j) & 1 ? static_cast<SaRuntime*>(data[j]) : nullptr;
    }
}

uint32_t SpiIndex::size() const {
    return live_;
}

uint32_t SpiIndex::direct_entries() const {
    uint32_t n = 0;
    for (uint32_t bi = 0; bi <= mask_; ++bi)
        for (uint32_t w = 0; w < kWays; ++w)
            n += direct_[bi].sa[w] != nullptr;
    return n;
}

}  // namespace espgw::sadb
