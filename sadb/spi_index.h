// Inbound SA lookup by SPI (RFC 4303 §3.4.2; SPIs of inbound SAs are unique on this gateway,
// the outer destination is checked by the caller). One index per SA table, built on rte_hash,
// with a direct-mapped table in front of it.
//
// Why the direct-mapped table: with thousands of SAs in rotation an rte_hash lookup costs two
// cache misses per packet (the bucket with the signatures, then the key-store entry holding the
// key and the data pointer) before the SA's own first line. The direct table indexed by the
// SPI's low bits holds the SA pointer in one line; the SA's SPI, which the packet reads anyway
// on its first line, confirms the hit. An SPI whose slot is taken by another SPI is found in
// the hash. DPDK's ipsec-secgw does the same (its per-lcore SAD cache, SPI2IDX in sad.h); here
// the writer fills the table, so readers never write.
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
    uint32_t slot_of(uint32_t spi) const { return spi & mask_; }
    void direct_store(uint32_t slot, SaRuntime* sa);
    SaRuntime* direct_load(uint32_t slot) const {
        return __atomic_load_n(&direct_[slot], __ATOMIC_ACQUIRE);
    }
    void refill(uint32_t slot);

    rte_hash* hash_ = nullptr;
    SaRuntime** direct_ = nullptr;  // readers: __atomic acquire loads
    uint32_t mask_ = 0;             // direct table size - 1 (a power of two)
    std::vector<uint32_t> owner_;   // writer only: the SPI a non-empty direct slot holds
    std::vector<uint16_t> mapped_;  // writer only: SPIs in the hash whose slot this is
    uint32_t live_ = 0;  // SPIs in the index (rte_hash_count also counts keys awaiting RCU)
};

}  // namespace espgw::sadb
