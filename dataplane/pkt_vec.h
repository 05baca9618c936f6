// A growable-to-a-bound array of mbufs for one pipeline step: a burst can grow when packets are
// fragmented, so steps hand each other PktVecs rather than fixed bursts.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

namespace espgw::dataplane {

struct PktVec {
    static constexpr uint16_t kCapacity = 256;
    uint16_t n = 0;
    rte_mbuf* pkts[kCapacity];

    bool full() const { return n == kCapacity; }
    // Callers bound their inputs (a burst of at most kMaxBurst packets makes at most 4 each), so
    // a full vector is a bug: the packet is freed rather than written out of bounds.
    void push(rte_mbuf* m) {
        if (n < kCapacity) {
            pkts[n++] = m;
        } else {
            rte_pktmbuf_free(m);
        }
    }
};

}  // namespace espgw::dataplane
