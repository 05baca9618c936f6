#include "control/ipv4.h"

#include <charconv>

#include "sadb/ip_addr.h"

namespace espgw::control {
namespace {

// One decimal octet without sign or leading garbage; "010" is accepted as IOS does.
std::optional<uint32_t> parse_octet(std::string_view s) {
    if (s.empty() || s.size() > 3) return std::nullopt;
    uint32_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v > 255) return std::nullopt;
    return v;
}

}  // namespace

std::optional<Ipv4> Ipv4::parse(std::string_view text) {
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
        const size_t dot = text.find('.');
        if ((i < 3) == (dot == std::string_view::npos)) return std::nullopt;
        auto octet = parse_octet(text.substr(0, dot));
        if (!octet) return std::nullopt;
        value = (value << 8) | *octet;
        text = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    }
    return Ipv4{value};
}

std::string Ipv4::to_string() const {
    return std::to_string(value >> 24) + "." + std::to_string((value >> 16) & 0xff) + "." +
           std::to_string((value >> 8) & 0xff) + "." + std::to_string(value & 0xff);
}

Prefix Prefix::of(Ipv4 addr, uint8_t len) {
    return Prefix{Ipv4{addr.value & prefix_to_mask(len).value}, len};
}

bool Prefix::contains(Ipv4 a) const {
    return (a.value & prefix_to_mask(len).value) == addr.value;
}

Ipv4 prefix_to_mask(uint8_t len) {
    return Ipv4{sadb::ipv4_mask(len)};
}

std::optional<uint8_t> mask_to_prefix(Ipv4 mask) {
    const uint32_t inverted = ~mask.value;
    // A contiguous mask inverted is 2^k - 1: adding one leaves no bit in common.
    if ((inverted & (inverted + 1)) != 0) return std::nullopt;
    return static_cast<uint8_t>(__builtin_popcount(mask.value));
}

std::optional<uint8_t> wildcard_to_prefix(Ipv4 wildcard) {
    return mask_to_prefix(Ipv4{~wildcard.value});
}

}  // namespace espgw::control
