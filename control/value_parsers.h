// Parsing of single configuration values: numbers, SPIs, hex keys, MAC addresses. Pure functions
// returning std::nullopt or a status; the callers turn failures into diagnostics.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "crypto/key_bytes.h"

namespace espgw::control {

std::optional<uint64_t> parse_u64(std::string_view s);
std::optional<uint32_t> parse_u32(std::string_view s);

// IOS writes SPIs in decimal; 0x-prefixed hex is accepted too. Range is checked by the caller.
std::optional<uint64_t> parse_spi(std::string_view s);

enum class HexKeyStatus : uint8_t { kOk, kEmpty, kOddLength, kBadDigit, kTooLong };

// Decodes hex key material straight into `out` (the decoded bytes never sit in an unwiped
// buffer). An optional 0x prefix is accepted.
HexKeyStatus parse_hex_key(std::string_view s, crypto::KeyBytes* out);

// Cisco dotted form 0200.0000.0002; 02:00:00:00:00:02 and 02-00-00-00-00-02 are accepted too.
std::optional<std::array<uint8_t, 6>> parse_mac(std::string_view s);

}  // namespace espgw::control
