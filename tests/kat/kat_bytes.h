// Byte helpers for the known-answer tests: RFC texts print vectors as hex words separated by
// blanks, or describe them ("0xaa repeated 131 times", an ASCII string); Data keeps each vector
// in the form the RFC states it, and bytes() expands it.
#pragma once

#include <cctype>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace espgw::kat {

using Bytes = std::vector<uint8_t>;

// Hex digits with any whitespace in between (RFC layout); throws on anything else, so that a
// mistyped vector fails loudly instead of silently shortening.
inline Bytes unhex(std::string_view s) {
    Bytes out;
    int hi = -1;
    for (char c : s) {
        if (std::isspace(static_cast<unsigned char>(c))) continue;
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            throw std::invalid_argument("bad hex digit in vector: " + std::string(1, c));
        const int v = std::isdigit(static_cast<unsigned char>(c))
                          ? c - '0'
                          : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
        if (hi < 0) {
            hi = v;
        } else {
            out.push_back(static_cast<uint8_t>(hi << 4 | v));
            hi = -1;
        }
    }
    if (hi >= 0) throw std::invalid_argument("odd number of hex digits in vector");
    return out;
}

inline std::string to_hex(const uint8_t* p, size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        s.push_back(kDigits[p[i] >> 4]);
        s.push_back(kDigits[p[i] & 0xf]);
    }
    return s;
}

inline std::string to_hex(const Bytes& b) {
    return to_hex(b.data(), b.size());
}

// A key or message as the RFC states it.
struct Data {
    enum class Kind : uint8_t { kHex, kText, kFill };
    Kind kind;
    std::string_view s;  // hex digits or ASCII text
    uint8_t byte;        // kFill: the repeated byte
    uint16_t count;      // kFill: how many times
};

constexpr Data hex(std::string_view s) {
    return {Data::Kind::kHex, s, 0, 0};
}
constexpr Data text(std::string_view s) {
    return {Data::Kind::kText, s, 0, 0};
}
constexpr Data fill(uint8_t byte, uint16_t count) {
    return {Data::Kind::kFill, {}, byte, count};
}

inline Bytes bytes(const Data& d) {
    switch (d.kind) {
        case Data::Kind::kHex:
            return unhex(d.s);
        case Data::Kind::kText:
            return Bytes(d.s.begin(), d.s.end());
        case Data::Kind::kFill:
            return Bytes(d.count, d.byte);
    }
    return {};
}

}  // namespace espgw::kat
