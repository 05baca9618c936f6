// Correctness guard, run before any timing: every encapsulating implementation's output must be
// decapsulated by every decapsulating one back to the original inner packet, and the crypto floor
// must compute the ICV the packet carries. A benchmark of garbage fails loudly instead.
#pragma once

#include <rte_mempool.h>

#include <string>
#include <utility>
#include <vector>

#include "bench/floor_impl.h"
#include "bench/impl.h"
#include "bench/suites.h"
#include "bench/workload.h"

namespace espgw::bench {

using Named = std::pair<std::string, Impl*>;

struct GuardSet {
    std::vector<Named> encaps;
    std::vector<Named> decaps;
    std::vector<std::pair<std::string, FloorImpl*>> floors;  // decap floors
};

// Throws std::runtime_error describing the first mismatch.
void check_cross(rte_mempool* mp, const Suite& suite, const PacketPool& inner, const GuardSet& set);

// ESP packets for decap timing: entry p is packet p of `encap` (SA p mod n_sa, inner packet
// p mod inner.period()), for p < lcm(n_sa, inner.period()).
PacketPool build_esp_pool(rte_mempool* mp, Impl& encap, const PacketPool& inner, uint32_t n_sa);

}  // namespace espgw::bench
