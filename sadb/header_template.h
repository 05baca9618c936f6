// Builds the bytes an outbound SA puts in front of every packet (RFC 4303 §3.1 tunnel/transport
// layouts, RFC 3948 §2.1 UDP encapsulation). Per-packet fields (lengths, ID, checksum, sequence
// number, DS field, DF) are left zero for the encap stage to fill.
#pragma once

#include <cstdint>

#include "sadb/sa_config.h"

namespace espgw::sadb {

struct HeaderTemplate {
    uint8_t bytes[56];
    uint8_t len;
    uint8_t ip_len;  // bytes of outer IP header (0 in transport mode)
};

HeaderTemplate build_header_template(const SaConfig& cfg);

}  // namespace espgw::sadb
