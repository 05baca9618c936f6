// Per-SA counters, the data behind `show crypto ipsec sa` (#pkts encaps/encrypt/digest for an
// outbound SA, decaps/decrypt/verify for an inbound one). Only the owning lcore writes them, with
// plain stores: no atomic read-modify-write. Readers in other processes see torn-free 64-bit
// values and take consistency from the stats segment's epoch (issue 3).
#pragma once

#include <array>
#include <cstdint>

#include "sadb/drop_reason.h"

namespace espgw::sadb {

// Every counted packet was encapsulated (decapsulated), encrypted (decrypted) and digested
// (verified) in one step, so #pkts encrypt and #pkts digest equal #pkts encaps when the SA has a
// cipher and an ICV, and are 0 otherwise (as `#pkts digest 0` on a PIX without integrity):
// readers derive them instead of the fast path counting three times. Idle time (`crypto ipsec
// security-association idle-time`) is judged by control from `packets` not moving.
struct alignas(64) SaCounters {
    uint64_t packets = 0;  // #pkts encaps | #pkts decaps
    uint64_t bytes = 0;    // protected (inner) bytes
    uint64_t errors = 0;   // #send errors | #recv errors: drops charged to this SA
    std::array<uint64_t, kNumDropReasons> drops{};

    void drop(DropReason r) {
        ++drops[static_cast<size_t>(r)];
        ++errors;
    }
};

}  // namespace espgw::sadb
