// Slow-path services on the main lcore (see services.cc): ARP, ICMP, PMTU, IKE punt.
#pragma once

#include <functional>

#include "dataplane/dataplane.h"
#include "sadb/wire.h"

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
    // A path MTU learnt from a PMTU message reverts to the installed one after this many TSC
    // cycles (espgw-dataplane: 10 minutes, RFC 1191 §6.3); 0: never.
    uint64_t pmtu_age_tsc = 0;
    uint32_t pmtus_learnt = 0;  // SAs with a learnt path MTU, at most (the sweep recounts)
};

// Handles one item a worker passed to the main lcore (packets are consumed).
void service(ServicesCtx& s, const ToMain& t);

// A frame control asks the dataplane to transmit (kSendPacket: IKE, ARP, ICMP), copied into an
// mbuf for the lcore that transmits for the main lcore. Never lost uncounted: a port the
// dataplane does not have (of n_ports) or a length out of range counts malformed, an empty pool
// no_mbuf, a full ring reply_ring_full.
void send_frame(ServicesCtx& s, const sadb::wire::Packet& p, uint16_t n_ports);

// RFC 4301 §8.2.2 and RFC 1191 §6.3: a learnt path MTU ages. An SA whose PMTU was last lowered
// pmtu_age_tsc ago goes back to the MTU it was installed with, so a path that got better is used
// again; a router that still needs less says so with the next packet. Called about once a second.
void age_path_mtus(ServicesCtx& s, uint64_t now_tsc);

}  // namespace espgw::dataplane
