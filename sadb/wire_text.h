// Text forms of wire values as the CLI and the log print them (IOS style): addresses, dotted
// masks, SPIs as hex(decimal).
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "sadb/ip_addr.h"
#include "sadb/wire.h"

namespace espgw::sadb::wire {

inline std::string addr_text(const Addr& a) {
    char buf[INET6_ADDRSTRLEN] = "0.0.0.0";
    if (a.version == 4) inet_ntop(AF_INET, a.bytes, buf, sizeof buf);
    if (a.version == 6) inet_ntop(AF_INET6, a.bytes, buf, sizeof buf);
    return buf;
}

inline std::string mask_text(uint8_t prefix) {
    const uint32_t m = ipv4_mask(prefix);
    char buf[20];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", m >> 24, (m >> 16) & 255, (m >> 8) & 255,
                  m & 255);
    return buf;
}

inline std::string hex_text(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llX", static_cast<unsigned long long>(v));
    return buf;
}

// 0x1001(4097), as `show crypto ipsec sa` prints SPIs.
inline std::string spi_text(uint32_t spi) {
    return hex_text(spi) + "(" + std::to_string(spi) + ")";
}

}  // namespace espgw::sadb::wire
