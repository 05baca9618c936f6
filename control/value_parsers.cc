#include "control/value_parsers.h"

#include <openssl/crypto.h>

#include <charconv>
#include <string>

namespace espgw::control {
namespace {

std::optional<uint64_t> parse_base(std::string_view s, int base) {
    uint64_t v = 0;
    if (s.empty()) return std::nullopt;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool has_hex_prefix(std::string_view s) {
    return s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

// Hex digits with the separators removed; false when a character is neither.
bool mac_digits(std::string_view s, std::string* digits) {
    for (char c : s) {
        if (c == '.' || c == ':' || c == '-') continue;
        if (hex_digit(c) < 0) return false;
        digits->push_back(c);
    }
    return digits->size() == 12;
}

// The separators must sit where one of the three notations puts them.
bool mac_layout_ok(std::string_view s) {
    if (s.size() == 14) return s[4] == '.' && s[9] == '.';
    if (s.size() != 17) return false;
    for (size_t i = 2; i < 17; i += 3)
        if (s[i] != s[2] || (s[i] != ':' && s[i] != '-')) return false;
    return true;
}

}  // namespace

std::optional<uint64_t> parse_u64(std::string_view s) {
    return parse_base(s, 10);
}

std::optional<uint32_t> parse_u32(std::string_view s) {
    auto v = parse_base(s, 10);
    if (!v || *v > UINT32_MAX) return std::nullopt;
    return static_cast<uint32_t>(*v);
}

std::optional<uint64_t> parse_spi(std::string_view s) {
    return has_hex_prefix(s) ? parse_base(s.substr(2), 16) : parse_base(s, 10);
}

HexKeyStatus parse_hex_key(std::string_view s, crypto::KeyBytes* out) {
    if (has_hex_prefix(s)) s.remove_prefix(2);
    if (s.empty()) return HexKeyStatus::kEmpty;
    if (s.size() % 2 != 0) return HexKeyStatus::kOddLength;
    if (s.size() / 2 > crypto::KeyBytes::kCapacity) return HexKeyStatus::kTooLong;
    std::array<uint8_t, crypto::KeyBytes::kCapacity> buf{};
    HexKeyStatus status = HexKeyStatus::kOk;
    for (size_t i = 0; i < s.size() / 2 && status == HexKeyStatus::kOk; ++i) {
        const int hi = hex_digit(s[2 * i]);
        const int lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0) status = HexKeyStatus::kBadDigit;
        buf[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    if (status == HexKeyStatus::kOk) out->assign({buf.data(), s.size() / 2});
    OPENSSL_cleanse(buf.data(), buf.size());
    return status;
}

std::optional<std::array<uint8_t, 6>> parse_mac(std::string_view s) {
    std::string digits;
    if (!mac_layout_ok(s) || !mac_digits(s, &digits)) return std::nullopt;
    std::array<uint8_t, 6> mac{};
    for (size_t i = 0; i < 6; ++i)
        mac[i] = static_cast<uint8_t>(hex_digit(digits[2 * i]) << 4 | hex_digit(digits[2 * i + 1]));
    return mac;
}

}  // namespace espgw::control
