// A burst on its way through the ESP stages: mbufs plus per-packet metadata, and the per-lcore
// context the stages share (crypto backend, drop counters, events, scratch). No allocation per
// packet; every array is sized for the largest burst.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>
#include <cstring>

#include "crypto/backend.h"
#include "crypto/crypto_op.h"
#include "dataplane/bytes.h"
#include "sadb/drop_reason.h"
#include "sadb/sa_event.h"
#include "sadb/sa_runtime.h"

namespace espgw::sadb {
class SpiIndex;
}

namespace espgw::dataplane {

inline constexpr uint16_t kMaxBurst = 64;

// Inbound parse results, per packet.
struct InboundMeta {
    uint16_t esp_off;   // ESP header offset from the start of the outer IP header
    uint16_t esp_len;   // ESP header to end of ICV
    uint16_t nh_field;  // offset of the byte naming the protocol after IP (transport mode)
    bool udp;           // arrived UDP-encapsulated (RFC 3948)
    uint64_t seq;       // inferred 64-bit sequence number
};

struct EspBurst {
    uint16_t n = 0;
    rte_mbuf* pkts[kMaxBurst];
    sadb::SaRuntime* sa[kMaxBurst];  // outbound: chosen by the caller; inbound: by SPI lookup
    sadb::DropReason drop[kMaxBurst];
    InboundMeta in[kMaxBurst];

    void reset(uint16_t count) {
        n = count;
        for (uint16_t k = 0; k < count; ++k)
            drop[k] = sadb::DropReason::kNone;
    }
};

struct alignas(64) OpScratch {
    uint8_t nonce[16];  // CTR/GCM salt||IV, or the CBC zero IV
    uint8_t aad[12];
    uint8_t pad[4];
    uint8_t icv[32];     // computed ICV
    uint8_t icv_rx[32];  // received ICV saved before ESN high bits overwrite it
};

// GCM's AAD, RFC 4106 §5: SPI || sequence number, which is the ESP header itself (written by
// encap, received by decap); with ESN the high-order 32 bits go between the two fields, so the
// 12 bytes are assembled in scratch.
inline void set_gcm_aad(const uint8_t* esp, uint64_t seq, bool esn, OpScratch& sc,
                        crypto::CryptoOp& op) {
    if (!esn) {
        op.aad = esp;
        op.aad_len = 8;
        return;
    }
    std::memcpy(sc.aad, esp, 4);
    store_be32(sc.aad + 4, static_cast<uint32_t>(seq >> 32));
    std::memcpy(sc.aad + 8, esp + 4, 4);
    op.aad = sc.aad;
    op.aad_len = 12;
}

// Called for a dropped packet before it is freed (the gateway turns some into drop samples for
// control's log). Drops are rare, so a plain function pointer costs nothing on the fast path.
using DropSampleFn = void (*)(void* user, const rte_mbuf* m, sadb::DropReason r,
                              const sadb::SaRuntime* sa, uint64_t seq);

// Packets and bytes of the current run of packets of one SA, added to its counters once per run
// (design.md): a per-packet add to the counters line is a load-add-store chain from one packet to
// the next. `base_*` are the counters when the run began, for the exact lifetime check.
//
// Field order matters: with `packets` and `bytes` side by side the compiler merges their updates
// into one 16-byte store, and the next packet's 8-byte loads of them cannot be forwarded from it
// (a stall of ~10 cycles per packet, measured with perf in esp_encap).
struct SaTally {
    sadb::SaRuntime* sa = nullptr;
    uint64_t packets = 0, base_packets = 0;
    uint64_t bytes = 0, base_bytes = 0;
};

inline constexpr uint16_t kAnyLcore = 0xffff;

struct EspContext {
    EspContext(crypto::BackendKind kind, crypto::MbManager& mgr) : backend(kind, mgr) {}

    crypto::Backend backend;
    sadb::DropCounters drops;
    sadb::SaEventQueue events;
    const sadb::SpiIndex* spi_index = nullptr;
    // The lcore running this context (kAnyLcore: a single-threaded tool or test). A packet of an
    // SA another lcore owns is left unjudged by esp_parse: its owner parses it again after the
    // handoff and alone writes the SA's counters (single writer, sa_counters.h).
    uint16_t lcore = kAnyLcore;
    uint16_t ip_id = 0;
    // Known-answer tests pin the IV of packet k to iv_override[k] (nullptr in production).
    const uint8_t* const* iv_override = nullptr;
    DropSampleFn drop_sampler = nullptr;
    void* drop_sampler_user = nullptr;
    SaTally tally;  // flushed before each stage returns (sa_accounting.h)

    uint16_t n_ops = 0;
    uint16_t op_pkt[kMaxBurst];
    uint32_t prot_len[kMaxBurst];  // protected bytes per packet, for counters and lifetimes
    uint16_t udp6_off[kMaxBurst];  // outbound UDP-over-IPv6 header needing a checksum, or 0
    crypto::CryptoOp ops[kMaxBurst];
    OpScratch scratch[kMaxBurst];
};

// The shape of both ESP stages (DPDK lib/ipsec's prepare/process split): prepare the crypto op
// of every live packet, run them all as one burst, then finish each op in order.
template <typename Prepare, typename Finish>
inline void run_esp_stage(EspContext& ctx, EspBurst& b, Prepare prepare, Finish finish) {
    ctx.n_ops = 0;
    for (uint16_t k = 0; k < b.n; ++k)
        if (b.drop[k] == sadb::DropReason::kNone) prepare(ctx, b, k);
    ctx.backend.process(ctx.ops, ctx.n_ops);
    for (uint16_t i = 0; i < ctx.n_ops; ++i)
        finish(ctx, b, i);
}

// Marks packet k dropped; charges the SA when the reason is counted per SA.
inline void mark_drop(EspBurst& b, uint16_t k, sadb::DropReason r) {
    b.drop[k] = r;
    if (b.sa[k] != nullptr && sadb::drop_reason_info(r).per_sa) b.sa[k]->counters->drop(r);
}

}  // namespace espgw::dataplane
