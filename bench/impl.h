// What every measured implementation offers the harness: a place to put a burst of fresh mbufs
// and a call that processes it. Survivors come back at the front of the slots; the harness frees
// them (the same rte_pktmbuf_free_bulk for everyone), the implementation frees what it drops.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>
#include <string>

namespace espgw::bench {

class Impl {
  public:
    virtual ~Impl() = default;
    // Where the harness allocates the burst (lets espgw receive straight into its EspBurst).
    virtual rte_mbuf** slots() = 0;
    // Processes packets g0 .. g0+n-1 sitting in slots(); returns how many survived, now in
    // slots()[0 .. result).
    virtual uint16_t process(uint64_t g0, uint16_t n) = 0;
};

// The "mbuf alloc+copy+free" baseline: processes nothing.
class NoopImpl : public Impl {
  public:
    rte_mbuf** slots() override { return pkts_; }
    uint16_t process(uint64_t, uint16_t n) override { return n; }

  private:
    rte_mbuf* pkts_[64];
};

}  // namespace espgw::bench
