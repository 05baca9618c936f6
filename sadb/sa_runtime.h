// SA runtime: the hot, lcore-owned form of an SA. Built once from an SaConfig off the fast path
// (keys expanded, outer header pre-built) and then touched by exactly one lcore.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "crypto/sa_crypto.h"
#include "sadb/hot_memory.h"
#include "sadb/replay_window.h"
#include "sadb/sa_config.h"
#include "sadb/sa_counters.h"

namespace espgw::sadb {

enum SaFlag : uint8_t {
    kFlagEsn = 1 << 0,
    kFlagUdpEncap = 1 << 1,
    kFlagOuterV6 = 1 << 2,
    kFlagTransport = 1 << 3,
    kFlagSoftRaised = 1 << 4,   // soft-lifetime event already sent
    kFlagHardExpired = 1 << 5,  // blocked: by the byte/packet limit or by control (seconds)
    kFlagSeqExhausted = 1 << 6,
};

inline constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();
inline constexpr uint8_t kMaxHeaderTemplate = 56;  // IPv6 40 + UDP 8 + ESP 8

struct alignas(64) SaRuntime {
    // Cache line 0: read by every packet of the SA (the counters pointer too: with thousands of
    // SAs each line a packet needs is a likely cache miss).
    const crypto::SaCrypto* crypto;
    // The owner lcore's counters: in the stats segment's SA slot in the gateway, so other
    // processes read them in place; in private memory otherwise (tests, benchmarks, tools).
    SaCounters* counters;
    uint64_t seq;  // outbound: last sequence number used (64-bit with ESN)
    // The nearest byte/packet lifetime still ahead (soft until it has been raised, then hard),
    // so each packet costs one compare pair; the limits themselves are in `lifetime`.
    uint64_t next_limit_bytes, next_limit_packets;
    uint32_t spi;   // host order
    uint32_t slot;  // index in the dataplane's SA table and the stats segment
    uint8_t flags;
    Direction direction;
    DfMode df;
    uint8_t ttl;
    uint8_t iv_len;
    uint8_t block_len;
    uint8_t icv_len;
    bool copy_dscp;
    uint8_t blocked;       // set by the main lcore only (time lifetime ran out): __atomic access
    uint16_t owner_lcore;  // the only lcore that may process this SA's packets
    uint16_t port;         // interface of the crypto map

    // Cache line 1: outer header template, copied in front of each outbound packet. Tunnel
    // mode: IP + [UDP] + ESP; transport mode: [UDP] + ESP.
    alignas(64) uint8_t hdr[kMaxHeaderTemplate];
    uint8_t hdr_len;
    uint8_t ip_hdr_len;  // 20, 40, or 0 in transport mode
    uint16_t path_mtu;
    uint32_t hdr_sum;  // outer IPv4 template: sum of its 16-bit words (RFC 1071), unfolded

    // Cache line 2, inbound: the policy check of decapsulated IPv4 packets, compiled from the
    // selector (host order; masks 0 = any), and the replay window's per-packet state.
    struct InnerPolicy {
        uint32_t src_net, src_mask;  // the remote side
        uint32_t dst_net, dst_mask;  // the local side
        uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
        uint8_t proto;
        bool any;
    };
    alignas(64) InnerPolicy inner;
    ReplayWindow replay;  // inbound only
    struct Limits {
        uint64_t soft_bytes, hard_bytes, soft_packets, hard_packets;  // kUnlimited when unset
    } lifetime;
    uint32_t sa_id;  // control's conn id: events and drop samples only

    // Cold: owned storage.
    crypto::SaCryptoPtr crypto_owner;
    crypto::PmrPtr<SaCounters> own_counters;

    bool has(SaFlag f) const { return (flags & f) != 0; }
    // Hard-expired by the fast path's byte/packet limit or by control's time lifetime.
    bool expired() const {
        return has(kFlagHardExpired) || __atomic_load_n(&blocked, __ATOMIC_RELAXED) != 0;
    }
};

static_assert(sizeof(SaRuntime) % 64 == 0);
// The owning pointers' deleters (pmr_ptr.h) make SaRuntime non-standard-layout; it has no
// virtual bases, so offsetof is exact in GCC and Clang.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
static_assert(offsetof(SaRuntime, port) + sizeof(uint16_t) <= 64,
              "the per-packet fields stay in cache line 0");
static_assert(offsetof(SaRuntime, inner) == 128 &&
                  offsetof(SaRuntime, replay) + ReplayWindow::kHotBytes <= 192,
              "an inbound packet reads lines 0 and 2 only");
#pragma GCC diagnostic pop
static_assert(sizeof(SaRuntime) <= 512, "SA runtime must stay within 8 cache lines");

using SaRuntimePtr = crypto::PmrPtr<SaRuntime>;

// Prefetching for bursts of many SAs, in two steps each issued for the whole burst before the
// next (group prefetching): first the runtime's own lines a packet reads, then, once line 0 is
// in cache, what it points at (counters, the crypto context's header line). No prefetch waits on
// a miss. The key schedule is fetched by the crypto backend a few operations ahead
// (crypto/mb_backend.cc): for a whole burst of SAs it would not fit the L1.
inline void prefetch_sa_inbound(const SaRuntime* s) {
    __builtin_prefetch(s);
    __builtin_prefetch(&s->inner);  // with the replay window
}
inline void prefetch_sa_outbound(const SaRuntime* s) {
    __builtin_prefetch(s);
    __builtin_prefetch(s->hdr);
}
inline void prefetch_sa_deps(const SaRuntime* s) {
    __builtin_prefetch(s->counters, 1);
    __builtin_prefetch(s->crypto);
}

// Compiles a config. Returns nullptr and a one-line reason on invalid input. Counters go to
// `counters` (zeroed here) when given, else to private memory. The runtime, its crypto context,
// replay bitmap and private counters are placed in `mr` (hugepages once the EAL is up).
SaRuntimePtr build_sa_runtime(const SaConfig& cfg, IMB_MGR* mgr, std::string* error,
                              SaCounters* counters = nullptr,
                              std::pmr::memory_resource* mr = hot_memory());

}  // namespace espgw::sadb
