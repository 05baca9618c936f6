// Constant-time comparison of ICVs (12, 16, 24 or 32 bytes): XORs accumulated over 8- and
// 4-byte words, no early exit, so timing reveals nothing about where a forged ICV differs.
#pragma once

#include <cstdint>
#include <cstring>

namespace espgw::crypto {

inline bool icv_equal(const uint8_t* a, const uint8_t* b, uint32_t len) {
    uint64_t diff = 0;
    uint32_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x, y;
        std::memcpy(&x, a + i, 8);
        std::memcpy(&y, b + i, 8);
        diff |= x ^ y;
    }
    for (; i < len; i += 4) {  // ICV lengths are multiples of 4
        uint32_t x, y;
        std::memcpy(&x, a + i, 4);
        std::memcpy(&y, b + i, 4);
        diff |= x ^ y;
    }
    return diff == 0;
}

}  // namespace espgw::crypto
