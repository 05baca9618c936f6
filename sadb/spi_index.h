// Inbound SA lookup by SPI (RFC 4303 §3.4.2; SPIs of inbound SAs are unique on this gateway,
// the outer destination is checked by the caller). One index per lcore, built on rte_hash.
#pragma once

#include <rte_hash.h>
#include <rte_rcu_qsbr.h>

#include <cstdint>
#include <string>

namespace espgw::sadb {

struct SaRuntime;

class SpiIndex {
public:
    // `name` must be unique per process (rte_hash names are global). With `rcu`, lookups may
    // run on other threads while this one adds and removes (lock-free readers); removed
    // entries are reclaimed after the readers registered with `rcu` passed quiescent points.
    SpiIndex(const std::string& name, uint32_t capacity, int socket_id,
             rte_rcu_qsbr* rcu = nullptr);
    ~SpiIndex();
    SpiIndex(const SpiIndex&) = delete;
    SpiIndex& operator=(const SpiIndex&) = delete;

    bool ok() const { return hash_ != nullptr; }
    bool add(uint32_t spi, SaRuntime* sa);
    bool remove(uint32_t spi);
    SaRuntime* find(uint32_t spi) const;
    // Looks up n SPIs (host order) at once; misses come back as nullptr.
    void find_bulk(const uint32_t* spis, uint32_t n, SaRuntime** out) const;
    uint32_t size() const;

private:
    rte_hash* hash_ = nullptr;
};

}  // namespace espgw::sadb
