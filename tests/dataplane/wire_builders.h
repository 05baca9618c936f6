// Builders of sadb/wire.h values for dataplane tests that install SAs and policies directly
// (no control process): IPv4 addresses in host order.
#pragma once

#include <cstdint>

#include "dataplane/bytes.h"
#include "sadb/wire.h"

namespace espgw::test_util {

inline sadb::wire::Addr v4(uint32_t host_order) {
    sadb::wire::Addr w{};
    w.version = 4;
    dataplane::store_be32(w.bytes, host_order);
    return w;
}

// src/src_len -> dst/dst_len, any protocol, all ports.
inline sadb::wire::Selector selector(uint32_t src, uint8_t src_len, uint32_t dst, uint8_t dst_len) {
    sadb::wire::Selector s{};
    s.src = v4(src);
    s.dst = v4(dst);
    s.src_prefix = src_len;
    s.dst_prefix = dst_len;
    s.sport_hi = s.dport_hi = 65535;
    return s;
}

}  // namespace espgw::test_util
