#include "sadb/spi_index.h"

#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include <algorithm>

#include "sadb/sa_runtime.h"

namespace espgw::sadb {
namespace {

// Direct slots per SA of capacity. `capacity` counts every SA of the table (the gateway's
// outbound ones too), so about half are inbound: 4 slots per SA leave ~1 in 8 slots used, and
// with random SPIs ~6% of the SAs share their slot with an earlier one and go to the hash.
constexpr uint32_t kDirectPerSa = 4;
constexpr uint32_t kMinDirect = 256;

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
    const uint32_t slots = rte_align32pow2(std::max(kMinDirect, capacity * kDirectPerSa));
    direct_ = static_cast<SaRuntime**>(rte_zmalloc_socket("spi_direct", slots * sizeof(SaRuntime*),
                                                          RTE_CACHE_LINE_SIZE, socket_id));
    mask_ = slots - 1;
    owner_.assign(slots, 0);
    mapped_.assign(slots, 0);
}

SpiIndex::~SpiIndex() {
    rte_hash_free(hash_);
    rte_free(direct_);
}

void SpiIndex::direct_store(uint32_t slot, SaRuntime* sa) {
    __atomic_store_n(&direct_[slot], sa, __ATOMIC_RELEASE);
}

bool SpiIndex::add(uint32_t spi, SaRuntime* sa) {
    const bool existed = rte_hash_lookup(hash_, &spi) >= 0;
    if (rte_hash_add_key_data(hash_, &spi, sa) != 0) return false;
    const uint32_t s = slot_of(spi);
    if (!existed) {
        ++mapped_[s];
        ++live_;
    }
    if (direct_[s] == nullptr || owner_[s] == spi) {
        owner_[s] = spi;
        direct_store(s, sa);
    }
    return true;
}

// After the SPI holding a direct slot is removed, another SPI of the same slot (if any) takes
// it; finding one walks the hash, which happens only for the few slots shared by two SPIs.
void SpiIndex::refill(uint32_t slot) {
    direct_store(slot, nullptr);
    if (mapped_[slot] == 0) return;
    const void* key = nullptr;
    void* data = nullptr;
    uint32_t next = 0;
    while (rte_hash_iterate(hash_, &key, &data, &next) >= 0) {
        const uint32_t spi = *static_cast<const uint32_t*>(key);
        if (slot_of(spi) != slot) continue;
        owner_[slot] = spi;
        direct_store(slot, static_cast<SaRuntime*>(data));
        return;
    }
}

bool SpiIndex::remove(uint32_t spi) {
    if (rte_hash_del_key(hash_, &spi) < 0) return false;
    const uint32_t s = slot_of(spi);
    --mapped_[s];
    --live_;
    if (direct_[s] != nullptr && owner_[s] == spi) refill(s);
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
        // Three passes so the misses of a burst overlap: direct slots, then SA first lines,
        // then the SPI compare.
        for (uint32_t k = 0; k < m; ++k)
            rte_prefetch0(&direct_[slot_of(spi[k])]);
        for (uint32_t k = 0; k < m; ++k) {
            res[k] = direct_load(slot_of(spi[k]));
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
    return static_cast<uint32_t>(
        std::count_if(direct_, direct_ + mask_ + 1, [](SaRuntime* s) { return s != nullptr; }));
}

}  // namespace espgw::sadb
