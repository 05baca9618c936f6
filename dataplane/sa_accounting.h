// Per-SA bookkeeping shared by encap and decap: byte/packet lifetimes (RFC 4301 §4.4.2.1, soft
// raises one event, hard blocks the SA) and the `show crypto ipsec sa` counters.
#pragma once

#include "dataplane/esp_burst.h"

namespace espgw::dataplane {

inline void raise_event(EspContext& ctx, const sadb::SaRuntime& s, sadb::SaEventType t) {
    ctx.events.push({t, s.direction, s.spi, s.sa_id});
}

// False when the SA may no longer carry traffic. Exact per packet: called as each packet is
// finished, when the counters include every packet before it. prepare() only tests the flag.
inline bool sa_usable(EspContext& ctx, sadb::SaRuntime& s) {
    if (s.has(sadb::kFlagHardExpired)) return false;
    if (s.counters.packets < s.hard_packets && s.counters.bytes < s.hard_bytes) return true;
    s.flags |= sadb::kFlagHardExpired;
    raise_event(ctx, s, sadb::SaEventType::kHardLifetime);
    return false;
}

inline void account_packet(EspContext& ctx, sadb::SaRuntime& s, uint32_t protected_bytes) {
    sadb::SaCounters& c = s.counters;
    ++c.packets;
    c.bytes += protected_bytes;
    if ((c.packets >= s.soft_packets || c.bytes >= s.soft_bytes) &&
        !s.has(sadb::kFlagSoftRaised)) {
        s.flags |= sadb::kFlagSoftRaised;
        raise_event(ctx, s, sadb::SaEventType::kSoftLifetime);
    }
}

}  // namespace espgw::dataplane
