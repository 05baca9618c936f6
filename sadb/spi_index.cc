#include "sadb/spi_index.h"

#include <rte_hash_crc.h>

#include <algorithm>

namespace espgw::sadb {

SpiIndex::SpiIndex(const std::string& name, uint32_t capacity, int socket_id,
                   rte_rcu_qsbr* rcu) {
    rte_hash_parameters p{};
    p.name = name.c_str();
    p.entries = std::max<uint32_t>(capacity, 64);
    p.key_len = sizeof(uint32_t);
    p.hash_func = rte_hash_crc;
    p.socket_id = socket_id;
    if (rcu != nullptr) p.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
    hash_ = rte_hash_create(&p);
    if (hash_ == nullptr || rcu == nullptr) return;
    rte_hash_rcu_config cfg{};
    cfg.v = rcu;
    cfg.mode = RTE_HASH_QSBR_MODE_DQ;  // deleted keys are reclaimed once readers moved on
    if (rte_hash_rcu_qsbr_add(hash_, &cfg) != 0) {
        rte_hash_free(hash_);
        hash_ = nullptr;
    }
}

SpiIndex::~SpiIndex() { rte_hash_free(hash_); }

bool SpiIndex::add(uint32_t spi, SaRuntime* sa) {
    return rte_hash_add_key_data(hash_, &spi, sa) == 0;
}

bool SpiIndex::remove(uint32_t spi) { return rte_hash_del_key(hash_, &spi) >= 0; }

SaRuntime* SpiIndex::find(uint32_t spi) const {
    void* data = nullptr;
    return rte_hash_lookup_data(hash_, &spi, &data) >= 0 ? static_cast<SaRuntime*>(data) : nullptr;
}

void SpiIndex::find_bulk(const uint32_t* spis, uint32_t n, SaRuntime** out) const {
    constexpr uint32_t kChunk = RTE_HASH_LOOKUP_BULK_MAX;
    for (uint32_t base = 0; base < n; base += kChunk) {
        const uint32_t m = std::min(kChunk, n - base);
        const void* keys[kChunk];
        void* data[kChunk];
        for (uint32_t k = 0; k < m; ++k) keys[k] = &spis[base + k];
        uint64_t hits = 0;
        rte_hash_lookup_bulk_data(hash_, keys, m, &hits, data);
        for (uint32_t k = 0; k < m; ++k)
            out[base + k] = (hits >> k) & 1 ? static_cast<SaRuntime*>(data[k]) : nullptr;
    }
}

uint32_t SpiIndex::size() const { return static_cast<uint32_t>(rte_hash_count(hash_)); }

}  // namespace espgw::sadb
