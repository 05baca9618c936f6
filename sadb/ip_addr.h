// IPv4/IPv6 address value type shared by configuration, selectors and header templates.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace espgw::sadb {

struct IpAddr {
    uint8_t version = 0;              // 4 or 6; 0 = unset
    std::array<uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4

    static std::optional<IpAddr> parse(std::string_view text);
    static IpAddr v4(uint32_t host_order);
    std::string to_string() const;
    uint32_t v4_host() const {
        return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
               bytes[3];
    }
    size_t size() const { return version == 6 ? 16 : 4; }
    bool operator==(const IpAddr&) const = default;
};

// The IPv4 netmask (host order) of a prefix length. Lengths above 32 give the /32 mask: callers
// validate lengths from outside, and a bad one must not become a shift by a negative count.
constexpr uint32_t ipv4_mask(unsigned prefix_len) {
    return prefix_len == 0    ? 0
           : prefix_len >= 32 ? ~uint32_t{0}
                              : ~uint32_t{0} << (32 - prefix_len);
}

// Whether a selector address with this prefix length is one: IPv4 /0-/32, IPv6 /0-/128, or no
// address at all (version 0) with length 0.
constexpr bool prefix_ok(uint8_t version, unsigned prefix_len) {
    return version == 4 ? prefix_len <= 32 : version == 6 ? prefix_len <= 128 : prefix_len == 0;
}

}  // namespace espgw::sadb
