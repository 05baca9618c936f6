// Per-SA bookkeeping shared by encap and decap: byte/packet lifetimes (RFC 4301 §4.4.2.1, soft
// raises one event, hard blocks the SA) and the `show crypto ipsec sa` counters.
#pragma once

#include "dataplane/esp_burst.h"

namespace espgw::dataplane {

inline void raise_event(EspContext& ctx, const sadb::SaRuntime& s, sadb::SaEventType t) {
    ctx.events.push({t, s.direction, s.spi, s.sa_id});
}

// A limit was reached: raise the soft event once and aim at the hard limit, or block the SA.
// Returns false when the SA is blocked.
inline bool lifetime_reached(EspContext& ctx, sadb::SaRuntime& s) {
    if (s.expired()) return false;
    const sadb::SaCounters& c = *s.counters;
    const sadb::SaRuntime::Limits& l = s.lifetime;
    if (c.packets >= l.hard_packets || c.bytes >= l.hard_bytes) {
        s.flags |= sadb::kFlagHardExpired;
        raise_event(ctx, s, sadb::SaEventType::kHardLifetime);
        return false;
    }
    if (!s.has(sadb::kFlagSoftRaised)) {
        s.flags |= sadb::kFlagSoftRaised;
        raise_event(ctx, s, sadb::SaEventType::kSoftLifetime);
    }
    s.next_limit_bytes = l.hard_bytes;
    s.next_limit_packets = l.hard_packets;
    return true;
}

// Adds the current run's packets and bytes to its SA's counters and ends the run.
inline void flush_tally(SaTally& t) {
    if (t.sa != nullptr) {
        sadb::SaCounters& c = *t.sa->counters;
        c.packets += t.packets;
        c.bytes += t.bytes;
    }
    t = SaTally{};
}

inline void begin_tally(SaTally& t, sadb::SaRuntime& s) {
    flush_tally(t);
    t.sa = &s;
    t.base_packets = s.counters->packets;
    t.base_bytes = s.counters->bytes;
}

// Counts one finished packet, unless the SA's hard lifetime has been reached (then false: drop
// it). Exact per packet: called as each packet is finished, with the counters plus the run so
// far including every packet before it; prepare() only tests the hard-expired flag. The caller
// flushes ctx.tally once the stage is done.
inline bool account_packet(EspContext& ctx, sadb::SaRuntime& s, uint32_t protected_bytes) {
    SaTally& t = ctx.tally;
    if (t.sa != &s) begin_tally(t, s);
    if (t.base_packets + t.packets >= s.next_limit_packets ||
        t.base_bytes + t.bytes >= s.next_limit_bytes) [[unlikely]] {
        begin_tally(t, s);  // lifetime_reached reads the counters
        if (!lifetime_reached(ctx, s)) return false;
    }
    ++t.packets;
    t.bytes += protected_bytes;
    return true;
}

}  // namespace espgw::dataplane
