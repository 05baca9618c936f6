// The stats segment: every counter of the dataplane, in a shared-memory file that the CLI and the
// exporter map read-only (/dev/shm/espgw.<instance>.stats, mode 0600). Defined once, here.
//
//   [StatsHeader][LcoreStats x max_lcores][PortStats x max_ports][SaSlot x max_sas]
//   [SPD rule hits: uint64_t x max_spd_rules, one array per lcore]
//   [NeighborRegion][NeighborSlot x max_neighbors]
//   [ResourceRegion: rings, mbuf pool][SpdRuleRegion][SpdRuleInfo x max_spd_rules]
//
// Single writer per counter: an lcore writes its own LcoreStats, the SA slots it owns and its own
// SPD hit array; the main lcore writes PortStats and the slot headers. Consistency for readers
// is an lcore seqlock: the lcore makes `seq` odd before it writes a burst's counters and even
// after, so a reader that sees the same even value before and after copying has a consistent
// view of everything that lcore wrote (two stores per burst, nothing per packet).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "sadb/drop_reason.h"
#include "sadb/sa_counters.h"
#include "sadb/wire.h"

namespace espgw::sadb {

inline constexpr uint32_t kStatsMagic = 0x45535053;  // "ESPS"
// 2: the neighbour region. 3: the resource region and the SPD rule table. 4: SaSlot's install
// time; drop reasons 37 (pmtu_mismatch) and 38 (not_ipsec) widen every drop counter array.
// 5: drop reason 39 (ecn_ce_not_ect). 6: drop reason 40 (martian_address). 7: drop reasons 41
// (icmp_rate_limited) and 42 (reply_ring_full).
inline constexpr uint32_t kStatsVersion = 7;

struct StatsHeader {
    uint32_t magic;
    uint32_t version;
    uint32_t max_lcores;
    uint32_t max_ports;
    uint32_t max_sas;
    uint32_t max_spd_rules;
    uint64_t lcore_off, port_off, sa_off, spd_off, size;
    uint64_t config_generation;  // last generation applied on every lcore
    uint32_t dataplane_pid;
    uint32_t forwarding;  // 1 once the first full configuration is applied
    uint64_t start_unix_ns;
    char instance[32];
    uint32_t max_neighbors;
    uint32_t pad;
    uint64_t neighbor_off;
    uint64_t resource_off;
    uint64_t spd_rule_off;
};

struct alignas(64) LcoreStats {
    uint64_t seq;  // seqlock, see above
    uint32_t lcore_id;
    uint8_t active;
    uint8_t is_main;
    uint8_t pad[2];
    uint64_t polls_busy;
    uint64_t polls_idle;
    uint64_t rx_packets;
    uint64_t tx_packets;
    uint64_t handoff_out;  // packets sent to the lcore that owns their SA
    uint64_t handoff_in;
    uint64_t punted;  // packets sent to the main lcore / control
    DropCounters drops;
};

struct alignas(64) PortStats {
    uint64_t seq;
    uint16_t port;
    uint8_t active;
    uint8_t pad[5];
    uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
    uint64_t rx_errors, tx_errors, rx_missed, rx_nombuf;
    char name[32];  // DPDK device name
    // The interface configured on the port (written at each commit; read by show commands).
    uint8_t configured;
    uint8_t prefix;
    uint16_t mtu;
    uint16_t mss_clamp;
    uint8_t outside;
    uint8_t pad2;
    uint32_t addr;  // host order
    uint8_t mac[6];
    char ifname[32];
    char description[64];
    char crypto_map[32];
};

// One SA. `generation` changes whenever the slot is given to another SA, so a reader can tell a
// counter reset from a reused slot.
struct alignas(64) SaSlot {
    uint32_t generation;
    uint8_t in_use;
    uint8_t direction;  // wire::Direction
    uint8_t owner_lcore;
    uint8_t cipher;
    uint32_t spi;
    uint32_t conn_id;
    uint32_t pair_conn_id;
    // Per-SA IOS counters beyond the engine's: pre-fragmentation and PMTU (show crypto ipsec sa).
    // Written by the owner lcore: prefrag_*, fragments_created, reassembly_needed. Written by the
    // main lcore, which sends and receives ICMP: pmtu_sent (messages that left, after its rate
    // limit), pmtu_rcvd and path_mtu.
    uint64_t prefrag_ok;
    uint64_t prefrag_fail;
    uint64_t fragments_created;
    uint64_t pmtu_sent;
    uint64_t pmtu_rcvd;
    uint64_t reassembly_needed;
    uint16_t path_mtu;
    uint8_t pad2[6];
    // CLOCK_REALTIME when the dataplane installed this SA (a fresh slot; an identical SA resent
    // keeps it): control's time lifetime survives a restart of control.
    uint64_t installed_unix_ns;
    wire::Sa meta;        // the SA as installed (keys zeroed): peer, selectors, transform, map
    SaCounters counters;  // written by the owner lcore
};

// The ARP cache (learnt, static and pending entries) as the main lcore last published it, for
// `show arp`: rewritten whole about once a second between `seq` odd and even (a seqlock over
// the region). Bounded: at most max_neighbors slots; `total` is how many the table held.
enum class NeighborSlotState : uint8_t { kIncomplete, kReachable, kStatic };

struct NeighborSlot {
    uint32_t addr;  // host order
    uint16_t port;
    NeighborSlotState state;
    uint8_t pad;
    uint8_t mac[6];
    uint8_t pad2[2];
    uint64_t updated_unix_ns;  // learnt or refreshed (incomplete: last request)
};

struct NeighborRegion {
    uint64_t seq;
    uint32_t count;  // slots filled
    uint32_t total;  // entries in the dataplane's table (> count: the region was full)
    uint64_t published_unix_ns;
    uint64_t pad;
};

// Ring and buffer-pool use (`show crypto capacity`, the exporter), rewritten by the main lcore
// about once a second between `seq` odd and even. A ring's `drops` counts messages the
// dataplane could not enqueue on it where that is counted per ring (`has_drops`: the event
// ring); packets lost on a full handoff or punt ring are the lcores' handoff_full / punt_full
// drop reasons.
inline constexpr uint32_t kMaxRingStats = 256;

struct RingStats {
    char name[24];  // command, event, handoff, to_main, from_main
    // The forwarding lcore the ring serves (handoff: its input; to_main / from_main: its link
    // with the main lcore), -1 for the rings to and from control.
    int32_t lcore;
    uint32_t capacity;
    uint32_t depth;
    uint8_t has_drops;
    uint8_t pad[3];
    uint64_t drops;
};

struct ResourceRegion {
    uint64_t seq;
    uint64_t published_unix_ns;
    char mbuf_pool[32];  // name of the packet buffer pool
    uint32_t mbuf_pool_size;
    uint32_t mbuf_in_use;  // buffers taken from the pool (rte_mempool_in_use_count)
    uint32_t ring_count;
    uint32_t pad;
    RingStats rings[kMaxRingStats];
};

// The live SPD snapshot's rules, index k = SPD hit counter k of every lcore, published by the
// main lcore after each commit between `seq` odd and even.
struct SpdRuleInfo {
    uint32_t id;          // wire::SpdRule::id (match order)
    uint32_t map_seq;     // crypto map sequence number
    uint32_t acl_line;    // line of the access-list
    uint32_t sa_conn_id;  // outbound SA of a PROTECT rule, 0 if none
    uint16_t port;        // interface of the crypto map (PortStats::crypto_map names the map)
    uint8_t action;       // wire::SpdAction
    uint8_t pad;
};

struct SpdRuleRegion {
    uint64_t seq;
    uint32_t count;  // rules in the snapshot (at most max_spd_rules)
    uint32_t pad;
};

struct StatsLayout {
    uint32_t max_lcores, max_ports, max_sas, max_spd_rules;
    uint32_t max_neighbors = 8192;  // the neighbour table's capacity

    size_t lcore_off() const { return align(sizeof(StatsHeader)); }
    size_t port_off() const { return lcore_off() + max_lcores * sizeof(LcoreStats); }
    size_t sa_off() const { return port_off() + max_ports * sizeof(PortStats); }
    size_t spd_off() const { return sa_off() + size_t{max_sas} * sizeof(SaSlot); }
    size_t neighbor_off() const {
        return align(spd_off() + size_t{max_lcores} * max_spd_rules * sizeof(uint64_t));
    }
    size_t resource_off() const {
        return align(neighbor_off() + sizeof(NeighborRegion) +
                     max_neighbors * sizeof(NeighborSlot));
    }
    size_t spd_rule_off() const { return align(resource_off() + sizeof(ResourceRegion)); }
    size_t size() const {
        return align(spd_rule_off() + sizeof(SpdRuleRegion) +
                     size_t{max_spd_rules} * sizeof(SpdRuleInfo));
    }
    static size_t align(size_t n) { return (n + 4095) & ~size_t{4095}; }

    // The layout half of a zeroed segment's header (the writer adds pid, start time, instance).
    void fill_header(StatsHeader* h) const {
        h->magic = kStatsMagic;
        h->version = kStatsVersion;
        h->max_lcores = max_lcores;
        h->max_ports = max_ports;
        h->max_sas = max_sas;
        h->max_spd_rules = max_spd_rules;
        h->lcore_off = lcore_off();
        h->port_off = port_off();
        h->sa_off = sa_off();
        h->spd_off = spd_off();
        h->max_neighbors = max_neighbors;
        h->neighbor_off = neighbor_off();
        h->resource_off = resource_off();
        h->spd_rule_off = spd_rule_off();
        h->size = size();
    }
};

inline std::string stats_path(const std::string& instance) {
    return "/espgw." + instance + ".stats";
}

// Typed view of a mapped segment.
struct StatsView {
    uint8_t* base = nullptr;

    StatsHeader* header() const { return reinterpret_cast<StatsHeader*>(base); }
    LcoreStats* lcore(uint32_t i) const {
        return reinterpret_cast<LcoreStats*>(base + header()->lcore_off) + i;
    }
    PortStats* port(uint32_t i) const {
        return reinterpret_cast<PortStats*>(base + header()->port_off) + i;
    }
    SaSlot* sa(uint32_t i) const { return reinterpret_cast<SaSlot*>(base + header()->sa_off) + i; }
    uint64_t* spd_hits(uint32_t lcore) const {
        return reinterpret_cast<uint64_t*>(base + header()->spd_off) +
               size_t{lcore} * header()->max_spd_rules;
    }
    NeighborRegion* neighbors() const {
        return reinterpret_cast<NeighborRegion*>(base + header()->neighbor_off);
    }
    NeighborSlot* neighbor(uint32_t i) const {
        return reinterpret_cast<NeighborSlot*>(neighbors() + 1) + i;
    }
    ResourceRegion* resources() const {
        return reinterpret_cast<ResourceRegion*>(base + header()->resource_off);
    }
    SpdRuleRegion* spd_rules() const {
        return reinterpret_cast<SpdRuleRegion*>(base + header()->spd_rule_off);
    }
    SpdRuleInfo* spd_rule(uint32_t i) const {
        return reinterpret_cast<SpdRuleInfo*>(spd_rules() + 1) + i;
    }
};

// The segment is plain memory shared between processes (structs stay copyable for readers):
// fields that another process reads while they change are accessed with these.
template <typename T>
inline T shm_load(const T& x) {
    return __atomic_load_n(&x, __ATOMIC_ACQUIRE);
}
template <typename T>
inline void shm_store(T& x, T v) {
    __atomic_store_n(&x, v, __ATOMIC_RELEASE);
}

// Writer side of a seqlock (LcoreStats, PortStats): odd while writing.
inline void seq_write_begin(uint64_t* seq) {
    __atomic_store_n(seq, *seq + 1, __ATOMIC_RELAXED);
    std::atomic_thread_fence(std::memory_order_release);
}
inline void seq_write_end(uint64_t* seq) {
    std::atomic_thread_fence(std::memory_order_release);
    __atomic_store_n(seq, *seq + 1, __ATOMIC_RELAXED);
}
inline void stats_write_begin(LcoreStats* s) {
    seq_write_begin(&s->seq);
}
inline void stats_write_end(LcoreStats* s) {
    seq_write_end(&s->seq);
}

}  // namespace espgw::sadb
