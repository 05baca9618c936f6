// Packets for the engine benchmark. Packet g of a run (g = burst * 32 + k) has an inner size
// from the size class (IMIX cycles through 12 sizes) and uses SA g mod N. Every burst starts
// from fresh mbufs: allocated, filled by copying pre-built bytes, and freed by the
// implementation — the same work for every implementation, also timed alone as a baseline.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace espgw::bench {

inline constexpr uint16_t kBurst = 32;

struct SizeClass {
    std::string_view name;          // "64", "512", "1420", "imix"
    std::vector<uint16_t> pattern;  // inner IP packet sizes, packet g uses pattern[g % size]
};

const std::vector<SizeClass>& all_size_classes();
const SizeClass* find_size_class(std::string_view name);

// An IPv4/UDP packet of `len` bytes with a valid header checksum and a payload that depends on
// `seed` (so decrypted output can be compared byte for byte).
std::vector<uint8_t> make_inner_packet(uint16_t len, uint32_t seed);

// A cyclic list of packets: entry p is used by packet g with p = g mod period.
class PacketPool {
  public:
    void clear();
    void add(const uint8_t* data, uint16_t len);
    uint32_t period() const { return static_cast<uint32_t>(len_.size()); }
    const uint8_t* data(uint32_t p) const { return bytes_.data() + off_[p]; }
    uint16_t len(uint32_t p) const { return len_[p]; }

  private:
    std::vector<uint8_t> bytes_;
    std::vector<uint32_t> off_;
    std::vector<uint16_t> len_;
};

// The inner packets of a size class, period = pattern size.
PacketPool inner_pool(const SizeClass& sc);

// Allocates n mbufs and copies packets g0 .. g0+n-1 of the pool into them. Aborts the run when
// the mempool is empty: a leak in an implementation must not go unnoticed.
void fill_burst(rte_mempool* mp, const PacketPool& pool, uint64_t g0, rte_mbuf** pkts, uint16_t n);

}  // namespace espgw::bench
