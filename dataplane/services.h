// Slow-path services on the main lcore (see services.cc): ARP, ICMP, PMTU, IKE punt.
#pragma once

#include <functional>

#include "dataplane/dataplane.h"

namespace espgw::dataplane {

struct ServicesCtx {
    const Policy* policy = nullptr;
    NeighborTable* neighbors = nullptr;
    SaTable* sas = nullptr;
    const sadb::StatsView* stats = nullptr;
    rte_mempool* pool = nullptr;
    rte_ring* out = nullptr;              // to the worker that transmits for the main lcore
    sadb::DropCounters* drops = nullptr;  // the main lcore's drop counters
    std::function<bool(rte_mbuf*)> punt_to_control;  // takes the mbuf when it returns true
    uint64_t icmp_window_start = 0;
    uint32_t icmp_sent = 0;
};

// Handles one item a worker passed to the main lcore (packets are consumed).
void service(ServicesCtx& s, const ToMain& t);

}  // namespace espgw::dataplane
