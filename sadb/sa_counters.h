// Per-SA counters, the data behind `show crypto ipsec sa` (#pkts encaps/encrypt/digest for an
// outbound SA, decaps/decrypt/verify for an inbound one). Only the owning lcore writes them, with
// plain stores: no atomic read-modify-write. Readers in other processes see torn-free 64-bit
// values and take consistency from the stats segment's epoch (issue 3).
#pragma once

#include <array>
#include <cstdint>

#include "sadb/drop_reason.h"

namespace espgw::sadb {

struct alignas(64) SaCounters {
    uint64_t packets = 0;        // #pkts encaps | #pkts decaps
    uint64_t crypt_packets = 0;  // #pkts encrypt | #pkts decrypt (0 for NULL encryption)
    uint64_t auth_packets = 0;   // #pkts digest | #pkts verify (0 without integrity)
    uint64_t bytes = 0;          // protected (inner) bytes
    uint64_t errors = 0;         // #send errors | #recv errors: drops charged to this SA
    uint64_t last_used_tsc = 0;  // for idle-time (control reads it)
    std::array<uint64_t, kNumDropReasons> drops{};

    void drop(DropReason r) {
        ++drops[static_cast<size_t>(r)];
        ++errors;
    }
};

}  // namespace espgw::sadb
