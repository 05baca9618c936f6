// The forwarding loop of an lcore: poll its rx queues, classify, run the inbound and outbound
// paths, then the packets other lcores handed over and what the main lcore asked to send.
#include "dataplane/worker.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip_frag.h>
#include <rte_pause.h>

#include <thread>

#include "dataplane/capture.h"
#include "dataplane/classify.h"
#include "dataplane/drops.h"
#include "dataplane/inbound.h"
#include "dataplane/outbound.h"
#include "dataplane/route_tx.h"
#include "dataplane/spd_inbound.h"

namespace espgw::dataplane {
namespace {

void punt(LcoreCtx& c, rte_mbuf* m, ToMain::Kind kind) {
    ToMain t{};
    t.kind = kind;
    t.port = m->port;
    t.m = m;
    if (rte_ring_enqueue_elem(c.to_main, &t, sizeof t) != 0) {
        if (kind == ToMain::kArp) return drop_frame(c, m, sadb::DropReason::kPuntFull);
        return drop_packet(c, m, sadb::DropReason::kPuntFull);
    }
    ++c.stats->punted;
}

// n <= kMaxBurst, within a PktVec's capacity: the counts stay in registers (a push per packet
// through the vector's count in memory chains every packet to the one before).
void process_rx(LcoreCtx& c, Dataplane& dp, const Policy& pol, uint16_t port, rte_mbuf** pkts,
                uint16_t n) {
    static_assert(kMaxBurst <= PktVec::kCapacity);
    PktVec out, in;
    uint16_t n_out = 0, n_in = 0;
    for (uint16_t k = 0; k < n; ++k) {
        if (k + 2 < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[k + 2], const void*));
        const Classified r = classify_frame(pkts[k], pol);
        switch (r.cls) {
            case PacketClass::kOutbound:
                pkts[k]->hash.usr = 0;  // from here on our flags, not the NIC's RSS hash
                out.pkts[n_out++] = pkts[k];
                break;
            case PacketClass::kInbound:
                in.pkts[n_in++] = pkts[k];
                break;
            case PacketClass::kSlowArp:
                punt(c, pkts[k], ToMain::kArp);
                break;
            case PacketClass::kSlowLocal:
                pkts[k]->hash.usr = 0;  // our flags, not the NIC's RSS hash: not via an SA
                if (!drop_unprotected_local(c, pol, pkts[k])) punt(c, pkts[k], ToMain::kLocal);
                break;
            case PacketClass::kDrop:
                if (r.l2_stripped) {
                    drop_packet(c, pkts[k], r.drop);
                } else {
                    drop_frame(c, pkts[k], r.drop);
                }
                break;
        }
    }
    in.n = n_in;
    out.n = n_out;
    if (in.n != 0) inbound(c, dp, pol, in);
    // One rx queue, one port: its mirrored PROTECT rules (or none) hold for the whole burst.
    const bool mapped = port < kMaxPorts && ((pol.spd_in_ports >> port) & 1u) != 0;
    if (out.n != 0)
        outbound(c, dp, pol, out, mapped ? Origin::kReceived : Origin::kReceivedUnmapped);
}

uint32_t poll_rx(LcoreCtx& c, Dataplane& dp, const Policy& pol) {
    uint32_t total = 0;
    rte_mbuf* pkts[kMaxBurst];
    for (const auto& [port, queue] : c.rx) {
        const uint16_t n = rte_eth_rx_burst(port, queue, pkts, kMaxBurst);
        if (n == 0) continue;
        total += n;
        c.stats->rx_packets += n;
        capture_rx(c, port, pkts, n);
        process_rx(c, dp, pol, port, pkts, n);
    }
    return total;
}

// Packets of SAs this lcore owns, handed over by others.
uint32_t poll_handoff(LcoreCtx& c, Dataplane& dp, const Policy& pol) {
    Handoff h[kMaxBurst];
    const unsigned n =
        rte_ring_dequeue_burst_elem(c.handoff_in, h, sizeof(Handoff), kMaxBurst, nullptr);
    if (n == 0) return 0;
    c.stats->handoff_in += n;
    rte_mbuf* in[kMaxBurst];
    rte_mbuf* out[kMaxBurst];
    sadb::SaRuntime* sas[kMaxBurst];
    uint16_t n_in = 0, n_out = 0;
    for (unsigned k = 0; k < n; ++k) {
        if (h[k].sa == nullptr) {
            in[n_in++] = h[k].m;
        } else {
            out[n_out] = h[k].m;
            sas[n_out++] = h[k].sa;
        }
    }
    if (n_in != 0) inbound_owned(c, dp, pol, in, n_in);
    PktVec esp;
    outbound_protected(c, dp, pol, out, sas, n_out, esp);
    route_and_transmit(c, dp, pol, esp);
    return n;
}

// Frames and packets the main lcore produced (ARP, ICMP replies and errors).
uint32_t poll_from_main(LcoreCtx& c, Dataplane& dp, const Policy& pol) {
    ToWorker w[kMaxBurst];
    const unsigned n =
        rte_ring_dequeue_burst_elem(c.from_main, w, sizeof(ToWorker), kMaxBurst, nullptr);
    PktVec l3;
    for (unsigned k = 0; k < n; ++k) {
        if (w[k].kind == ToWorker::kL2Frame) {
            transmit(c, dp, w[k].port, &w[k].m, 1);
        } else {
            w[k].m->hash.usr = 0;
            l3.push(w[k].m);
        }
    }
    if (l3.n != 0) outbound(c, dp, pol, l3, Origin::kLocal);
    return n;
}

// SA events raised by the ESP stages go to the main lcore, which tells control.
void forward_events(LcoreCtx& c) {
    for (uint32_t k = 0; k < c.esp.events.size(); ++k) {
        const sadb::SaEvent& e = c.esp.events[k];
        ToMain t{};
        t.kind = ToMain::kSaEvent;
        t.event_type = static_cast<uint8_t>(e.type);
        t.spi = e.spi;
        t.conn_id = e.sa_id;
        t.port = static_cast<uint16_t>(e.direction);
        tell_main(c, t);
    }
    c.esp.events.clear();
}

// rte_ip_frag reaps an expired reassembly only when a later fragment lands in its bucket: a
// fragment that never completes would keep its mbufs, uncounted, until then. The sweep walks the
// table's LRU list from the oldest entry and stops at the first one still within its timeout.
void expire_fragments(LcoreCtx& c) {
    rte_ip_frag_table_del_expired_entries(c.frag_tbl, &c.death_row, rte_rdtsc());
    if (c.death_row.cnt == 0) return;
    count_drop(c, sadb::DropReason::kReassemblyFailed, c.death_row.cnt);
    rte_ip_frag_free_death_row(&c.death_row, 3);
}

}  // namespace

uint32_t worker_poll(LcoreCtx& c, Dataplane& dp) {
    const Policy* pol = dp.current();
    if (pol == nullptr || !dp.forwarding.load(std::memory_order_relaxed)) return 0;
    sadb::stats_write_begin(c.stats);
    uint32_t done = poll_rx(c, dp, *pol);
    done += poll_handoff(c, dp, *pol);
    done += poll_from_main(c, dp, *pol);
    forward_events(c);
    expire_fragments(c);
    if (done != 0) {
        ++c.stats->polls_busy;
    } else {
        ++c.stats->polls_idle;
    }
    sadb::stats_write_end(c.stats);
    return done;
}

void idle_backoff(uint32_t* idle_polls) {
    // Several gateways share two cores in the lab: sleep after a run of empty polls.
    if (++*idle_polls < 256) {
        rte_pause();
        return;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(*idle_polls < 4096 ? 50 : 500));
}

int worker_main(void* arg) {
    auto* args = static_cast<WorkerArgs*>(arg);
    LcoreCtx& c = *args->ctx;
    Dataplane& dp = *args->dp;
    rte_rcu_qsbr_thread_online(dp.rcu, c.index);
    uint32_t idle = 0;
    while (!dp.stop.load(std::memory_order_relaxed)) {
        const uint32_t done = worker_poll(c, dp);
        rte_rcu_qsbr_quiescent(dp.rcu, c.index);
        if (done != 0) {
            idle = 0;
        } else if (dp.idle_backoff) {
            idle_backoff(&idle);
        }
    }
    rte_rcu_qsbr_thread_offline(dp.rcu, c.index);
    return 0;
}

}  // namespace espgw::dataplane
