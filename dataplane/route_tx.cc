#include "dataplane/route_tx.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ether.h>

#include "dataplane/bytes.h"
#include "dataplane/capture.h"
#include "dataplane/drops.h"

namespace espgw::dataplane {
namespace {

using sadb::DropReason;

void ask_resolve(LcoreCtx& c, uint32_t ip, uint16_t port) {
    ToMain t{};
    t.kind = ToMain::kResolve;
    t.port = port;
    t.param = ip;
    rte_ring_enqueue_elem(c.to_main, &t, sizeof t);  // a lost request is retried by traffic
}

bool add_ethernet(rte_mbuf* m, const rte_ether_addr& src, const rte_ether_addr& dst) {
    auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_prepend(m, RTE_ETHER_HDR_LEN));
    if (eth == nullptr) return false;
    eth->src_addr = src;
    eth->dst_addr = dst;
    eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
    return true;
}

// Per-port staging so each port gets one tx burst per pipeline run.
struct TxStage {
    uint16_t n[kMaxPorts] = {};
    rte_mbuf* pkts[kMaxPorts][PktVec::kCapacity];
};

void stage_packet(LcoreCtx& c, Dataplane& dp, const Policy& pol, TxStage& tx, rte_mbuf* m,
                  const NextHop& nh) {
    const Iface* out = pol.iface(nh.port);
    if (out == nullptr) return drop_packet(c, m, DropReason::kNoRoute);
    const uint32_t dst = load_be32(rte_pktmbuf_mtod(m, const uint8_t*) + 16);
    const uint32_t hop = nh.gateway != 0 ? nh.gateway : dst;
    Neighbor nb{};
    if (!dp.neighbors->lookup(hop, &nb) || nb.state == NeighborState::kIncomplete) {
        ask_resolve(c, hop, nh.port);
        return drop_packet(c, m, DropReason::kNoNeighbor);
    }
    if (!add_ethernet(m, dp.macs[nh.port], nb.mac)) return drop_packet(c, m, DropReason::kNoRoom);
    tx.pkts[nh.port][tx.n[nh.port]++] = m;
}

}  // namespace

void transmit(LcoreCtx& c, Dataplane& dp, uint16_t port, rte_mbuf** pkts, uint16_t n) {
    capture_tx(c, port, pkts, n);
    const uint16_t txq = dp.txq[port] != 0 ? dp.txq[port] : 1;
    const uint16_t queue = static_cast<uint16_t>(c.index % txq);
    rte_spinlock_t* lock = dp.tx_shared[port] ? &dp.tx_lock[port][queue % 16] : nullptr;
    if (lock != nullptr) rte_spinlock_lock(lock);
    uint16_t sent = 0;
    for (int tries = 0; sent < n && tries < 4; ++tries)
        sent += rte_eth_tx_burst(port, queue, pkts + sent, static_cast<uint16_t>(n - sent));
    if (lock != nullptr) rte_spinlock_unlock(lock);
    c.stats->tx_packets += sent;
    if (sent < n) {
        count_drop(c, DropReason::kTxFull, n - sent);
        rte_pktmbuf_free_bulk(pkts + sent, n - sent);
    }
}

void route_and_transmit(LcoreCtx& c, Dataplane& dp, const Policy& pol, PktVec& v) {
    if (v.n == 0) return;
    uint32_t dst[PktVec::kCapacity];
    NextHop nh[PktVec::kCapacity];
    bool found[PktVec::kCapacity];
    for (uint16_t k = 0; k < v.n; ++k)
        dst[k] = load_be32(rte_pktmbuf_mtod(v.pkts[k], const uint8_t*) + 16);
    dp.routes->lookup_bulk(dst, v.n, nh, found);
    static thread_local TxStage tx;
    for (uint16_t k = 0; k < v.n; ++k) {
        if (!found[k] || nh[k].port >= kMaxPorts) {
            drop_packet(c, v.pkts[k], DropReason::kNoRoute);
        } else {
            stage_packet(c, dp, pol, tx, v.pkts[k], nh[k]);
        }
    }
    for (uint16_t p = 0; p < kMaxPorts; ++p) {
        if (tx.n[p] == 0) continue;
        transmit(c, dp, p, tx.pkts[p], tx.n[p]);
        tx.n[p] = 0;
    }
    v.n = 0;
}

}  // namespace espgw::dataplane
