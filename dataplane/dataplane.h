// The espgw-dataplane process state shared by the main lcore and the workers, and the per-lcore
// context. Ownership rules (design.md "Fast-path rules"):
// - The main lcore alone writes shared state: it swaps the immutable Policy, publishes SAs in the
//   SA table, updates routes and neighbours, and frees replaced objects after an RCU grace
//   period (rte_rcu_qsbr; every forwarding lcore reports a quiescent state once per loop).
// - Each SA has one owner lcore: only the owner touches its sequence number, replay window and
//   counters. A packet of an SA that arrives on another lcore is handed to the owner.
// - Workers never block and never allocate per packet; whatever needs the slow path (ARP, ICMP
//   to the gateway, IKE, ICMP errors) is passed to the main lcore over a ring.
#pragma once

#include <rte_ip_frag.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "crypto/mb_manager.h"
#include "dataplane/esp_burst.h"
#include "dataplane/neighbor_table.h"
#include "dataplane/policy.h"
#include "dataplane/route_table.h"
#include "dataplane/sa_table.h"
#include "dataplane/spd_cache.h"
#include "sadb/stats_segment.h"

namespace espgw::dataplane {

struct CaptureSession;  // dataplane/capture.h

// Worker -> main lcore: a packet for the slow path, or an event for control.
struct ToMain {
    enum Kind : uint8_t {
        kArp,           // ARP frame received (Ethernet header still on)
        kLocal,         // IPv4 packet for one of the gateway's addresses (ICMP, IKE, ...)
        kTimeExceeded,  // send ICMP time exceeded for this packet, then free it
        kFragNeeded,    // send ICMP fragmentation needed (param = next-hop MTU), then free it
        kResolve,       // send an ARP request for param (host order IPv4) on port `port`
        kSaEvent,       // event for control
        kAcquire,       // PROTECT rule `param` hit without an SA (src, dst, proto, ports)
        kDropSample,    // a dropped packet's facts for control's log (event_type = reason)
    };
    Kind kind;
    uint8_t event_type;  // kSaEvent: sadb::SaEventType; kDropSample: sadb::DropReason
    uint16_t port;
    uint32_t param;
    rte_mbuf* m;
    uint32_t spi;
    uint32_t conn_id;
    // kDropSample: outer (or only) header and, after decapsulation, the inner one.
    uint64_t seq;
    uint32_t src, dst;
    uint32_t inner_src, inner_dst;
    uint8_t proto, inner_proto;
    uint8_t direction;
    uint8_t pad[1];
    // kTimeExceeded / kFragNeeded: the packet came out of a tunnel (kViaSa | SA slot), so the
    // ICMP error is sourced from an address inside that SA's selectors and goes back through it.
    uint32_t via;
    uint16_t sport, dport;  // kAcquire: the packet's TCP/UDP ports (0 for other protocols)
    uint32_t pad2;
};

// In mbuf hash.usr between inbound delivery and the outbound path: "decapsulated by SA slot".
inline constexpr uint32_t kViaSa = 1u << 30;
inline constexpr uint32_t kViaSlotMask = kViaSa - 1;
static_assert(sizeof(ToMain) % 8 == 0, "rte_ring element sizes are multiples of 4");

// Main lcore -> worker: a frame to send as is, or an IPv4 packet to route (and maybe encrypt).
struct ToWorker {
    enum Kind : uint8_t { kL2Frame, kL3Packet };
    Kind kind;
    uint8_t pad;
    uint16_t port;  // kL2Frame: egress port
    uint32_t pad2;
    rte_mbuf* m;
};

// A packet handed to the lcore that owns its SA.
struct Handoff {
    rte_mbuf* m;
    sadb::SaRuntime* sa;  // outbound SA, or nullptr for an inbound ESP packet (re-parsed)
};

struct LcoreCtx {
    LcoreCtx(crypto::BackendKind kind, crypto::MbManager& mgr) : esp(kind, mgr) {}

    unsigned lcore_id = 0;
    uint16_t index = 0;  // worker index: handoff target and tx queue
    bool is_main = false;
    std::vector<std::pair<uint16_t, uint16_t>> rx;  // (port, queue) polled by this lcore
    EspContext esp;
    std::unique_ptr<crypto::MbManager> own_mgr;
    rte_ring* handoff_in = nullptr;  // MPSC: packets of SAs this lcore owns
    rte_ring* to_main = nullptr;     // SPSC: ToMain items
    rte_ring* from_main = nullptr;   // SPSC: ToWorker items
    rte_ip_frag_tbl* frag_tbl = nullptr;
    rte_ip_frag_death_row death_row{};
    sadb::LcoreStats* stats = nullptr;
    uint64_t* spd_hits = nullptr;
    SpdCache spd_cache;  // SPD answers by exact packet key (spd_cache.h)
    // ACQUIRE rate limit, per SPD rule (rule id modulo the table: rules that share a slot share
    // the limit): a burst of packets without an SA raises one ACQUIRE per rule, not per packet.
    static constexpr uint32_t kAcquireSlots = 64;
    std::array<uint64_t, kAcquireSlots> last_acquire_tsc{};
    uint64_t sample_window_tsc = 0;  // drop samples: at most kDropSamplesPerSecond
    uint32_t samples_in_window = 0;
    // The running packet capture, or nullptr (the stages' one test per burst); set by the main
    // lcore, freed only after an RCU grace period (capture_writer.h).
    std::atomic<CaptureSession*> capture{nullptr};
    // Messages the full ring to the main lcore refused (tell_main); written by this lcore only,
    // read by the main lcore for the to_main ring's drops (`show capacity`, Prometheus).
    std::atomic<uint64_t> to_main_lost{0};
};

// Messages for the main lcore that carry no packet of their own to count (SA events, drop
// samples, ACQUIREs, ARP resolutions, ICMP error requests): a full ring loses one, counted in
// to_main_lost. Packets punted for service count punt_full instead (worker.cc, inbound.cc).
inline bool tell_main(LcoreCtx& c, ToMain& t) {  // non-const: DPDK 22.11 rings take void*
    if (rte_ring_enqueue_elem(c.to_main, &t, sizeof t) == 0) return true;
    c.to_main_lost.store(c.to_main_lost.load(std::memory_order_relaxed) + 1,
                         std::memory_order_relaxed);
    return false;
}

inline constexpr uint32_t kDropSamplesPerSecond = 100;

struct Dataplane {
    std::string instance;
    sadb::StatsView stats;
    std::atomic<const Policy*> policy{nullptr};
    std::unique_ptr<SaTable> sas;
    std::unique_ptr<RouteTable> routes;
    std::unique_ptr<NeighborTable> neighbors;
    rte_rcu_qsbr* rcu = nullptr;
    rte_mempool* pool = nullptr;
    std::vector<std::unique_ptr<LcoreCtx>> lcores;  // index = worker index
    std::array<int16_t, RTE_MAX_LCORE> index_of_lcore{};
    uint16_t n_ports = 0;
    // Per port: worker w transmits on queue w % txq[port]. When a port has fewer tx queues
    // than workers, the workers sharing a queue take its lock (only then).
    std::array<uint16_t, kMaxPorts> txq{};
    std::array<bool, kMaxPorts> tx_shared{};
    std::array<std::array<rte_spinlock_t, 16>, kMaxPorts> tx_lock{};
    std::array<rte_ether_addr, kMaxPorts> macs{};
    std::atomic<bool> forwarding{false};
    std::atomic<bool> stop{false};
    bool idle_backoff = true;

    const Policy* current() const { return policy.load(std::memory_order_acquire); }
    LcoreCtx& worker(uint16_t index) { return *lcores[index]; }
};

}  // namespace espgw::dataplane
