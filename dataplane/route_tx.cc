#include "dataplane/route_tx.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip_frag.h>

#include "dataplane/bytes.h"
#include "dataplane/capture.h"
#include "dataplane/drops.h"
#include "dataplane/forward_prep.h"

namespace espgw::dataplane {
namespace {

using sadb::DropReason;

void ask_resolve(LcoreCtx& c, uint32_t ip, uint16_t port) {
    ToMain t{};
    t.kind = ToMain::kResolve;
    t.port = port;
    t.param = ip;
    tell_main(c, t);  // a lost request is retried by traffic
}

void add_ethernet(rte_mbuf* m, const rte_ether_addr& src, const rte_ether_addr& dst) {
    auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_prepend(m, RTE_ETHER_HDR_LEN));
    eth->src_addr = src;
    eth->dst_addr = dst;
    eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
}

// The last next hop resolved in this call: a burst mostly goes to one or a few next hops (every
// ESP packet to the outside router, decapsulated traffic to the inside one), so each run of
// packets to one hop costs one ARP cache lookup instead of one per packet.
struct HopCache {
    uint32_t hop = 0;
    uint16_t port = kMaxPorts;  // no entry yet
    bool known = false;         // a complete entry (else: incomplete or missing)
    rte_ether_addr mac{};
};

bool resolve_hop(Dataplane& dp, HopCache& hc, uint32_t hop, uint16_t port) {
    if (hop == hc.hop && port == hc.port) return hc.known;
    Neighbor nb{};
    hc.hop = hop;
    hc.port = port;
    hc.known = dp.neighbors->lookup(hop, &nb) && nb.state != NeighborState::kIncomplete;
    hc.mac = nb.mac;
    return hc.known;
}

// Fragments per packet on a cleartext egress: a 1500-byte packet down to a 256-byte `ip mtu`.
constexpr uint16_t kMaxEgressFragments = 8;

// A packet larger than its egress interface's `ip mtu` (RFC 791 §2.3, RFC 1191): with DF set,
// refused with ICMP fragmentation needed (the main lcore sends it; not for the gateway's own
// packets, which have nobody to tell); else cut into fragments that are routed once more.
void egress_oversize(LcoreCtx& c, Dataplane& dp, const Policy& pol, rte_mbuf* m, uint16_t mtu,
                     PktVec& frags) {
    const uint8_t* ip = rte_pktmbuf_mtod(m, const uint8_t*);
    if ((ip[6] & 0x40) != 0) {
        if (pol.local(load_be32(ip + 12)) != nullptr)
            return drop_packet(c, m, DropReason::kDfTooBig);
        return frag_needed(c, m, mtu, 0);
    }
    rte_mbuf* out[kMaxEgressFragments];
    const int n =
        frags.full() ? -1
                     : rte_ipv4_fragment_packet(m, out, kMaxEgressFragments, mtu, dp.pool, dp.pool);
    rte_pktmbuf_free(m);
    if (n <= 0) return count_drop(c, DropReason::kFragmentFailed);
    for (int k = 0; k < n; ++k) {
        set_ipv4_checksum(rte_pktmbuf_mtod(out[k], uint8_t*));
        if (frags.full()) {
            rte_pktmbuf_free(out[k]);
            count_drop(c, DropReason::kFragmentFailed);
        } else {
            frags.push(out[k]);
        }
    }
}

// Routed frames and their egress port, transmitted as one burst per port.
struct TxPlan {
    uint16_t n = 0;
    bool mixed = false;  // more than one egress port
    uint8_t port[PktVec::kCapacity];
    rte_mbuf* pkts[PktVec::kCapacity];
};

// Resolves the next hop's MAC and writes the Ethernet header; false when the packet was dropped.
// The egress port is a configured interface (the caller checked).
bool make_frame(LcoreCtx& c, Dataplane& dp, HopCache& hc, rte_mbuf* m, const NextHop& nh) {
    const uint32_t dst = load_be32(rte_pktmbuf_mtod(m, const uint8_t*) + 16);
    const uint32_t hop = nh.gateway != 0 ? nh.gateway : dst;
    if (!resolve_hop(dp, hc, hop, nh.port)) {
        ask_resolve(c, hop, nh.port);
        drop_packet(c, m, DropReason::kNoNeighbor);
        return false;
    }
    if (rte_pktmbuf_headroom(m) < RTE_ETHER_HDR_LEN) {
        drop_packet(c, m, DropReason::kNoRoom);
        return false;
    }
    add_ethernet(m, dp.macs[nh.port], hc.mac);
    return true;
}

// One tx burst per port, packets of a port in their original order.
void transmit_plan(LcoreCtx& c, Dataplane& dp, TxPlan& tx) {
    if (tx.n == 0) return;
    if (!tx.mixed) return transmit(c, dp, tx.port[0], tx.pkts, tx.n);
    rte_mbuf* one[PktVec::kCapacity];
    uint32_t done = 0;  // ports already sent, as a bit set
    for (uint16_t first = 0; first < tx.n; ++first) {
        const uint8_t p = tx.port[first];
        if ((done >> p) & 1u) continue;
        done |= 1u << p;
        uint16_t n = 0;
        for (uint16_t k = first; k < tx.n; ++k)
            if (tx.port[k] == p) one[n++] = tx.pkts[k];
        transmit(c, dp, p, one, n);
    }
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

void route_lookup(Dataplane& dp, const PktVec& v, NextHop* nh, bool* found) {
    uint32_t dst[PktVec::kCapacity];
    for (uint16_t k = 0; k < v.n; ++k)
        dst[k] = load_be32(rte_pktmbuf_mtod(v.pkts[k], const uint8_t*) + 16);
    dp.routes->lookup_bulk(dst, v.n, nh, found);
}

void route_and_transmit(LcoreCtx& c, Dataplane& dp, const Policy& pol, PktVec& v) {
    if (v.n == 0) return;
    NextHop nh[PktVec::kCapacity];
    bool found[PktVec::kCapacity];
    route_lookup(dp, v, nh, found);
    transmit_routed(c, dp, pol, v, nh, found);
}

void transmit_routed(LcoreCtx& c, Dataplane& dp, const Policy& pol, PktVec& v, const NextHop* nh,
                     const bool* found) {
    HopCache hc;
    TxPlan tx;
    PktVec frags;       // of packets larger than their egress MTU, routed after this burst
    uint16_t n_tx = 0;  // tx.n, in a register while the loop calls out
    // The egress interface's `ip tcp adjust-mss` and `ip mtu`, read once per run of packets
    // to one port (a burst mostly leaves by one).
    uint16_t egress = kMaxPorts, mss = 0, mtu = UINT16_MAX;
    const Iface* out = nullptr;
    for (uint16_t k = 0; k < v.n; ++k) {
        if (found != nullptr && !found[k]) {
            drop_packet(c, v.pkts[k], DropReason::kNoRoute);
            continue;
        }
        if (nh[k].port != egress) {
            egress = nh[k].port;
            out = pol.iface(egress);
            mss = out != nullptr ? out->mss_clamp : 0;
            mtu = out != nullptr && out->mtu != 0 ? out->mtu : UINT16_MAX;
        }
        if (out == nullptr) {  // a route to a port without an interface (or beyond kMaxPorts)
            drop_packet(c, v.pkts[k], DropReason::kNoRoute);
            continue;
        }
        // `ip tcp adjust-mss` acts on SYNs leaving the interface too (the ingress one was
        // applied on arrival); ESP packets return at the protocol test.
        if (mss != 0) clamp_mss(v.pkts[k], mss);
        if (v.pkts[k]->pkt_len > mtu) [[unlikely]] {
            egress_oversize(c, dp, pol, v.pkts[k], mtu, frags);
            continue;
        }
        if (!make_frame(c, dp, hc, v.pkts[k], nh[k])) continue;
        tx.mixed |= n_tx != 0 && tx.port[0] != nh[k].port;
        tx.port[n_tx] = static_cast<uint8_t>(nh[k].port);
        tx.pkts[n_tx++] = v.pkts[k];
    }
    tx.n = n_tx;
    transmit_plan(c, dp, tx);
    v.n = 0;
    if (frags.n != 0) route_and_transmit(c, dp, pol, frags);  // each fits: no deeper than this
}

}  // namespace espgw::dataplane
