// IPv4 addresses, masks and prefixes as the configuration writes them (dotted quads, network masks
// and ACL wildcard masks). IPv6 arrives with the IPv6 access-list issue.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace espgw::control {

struct Ipv4 {
    uint32_t value = 0;  // host order

    static std::optional<Ipv4> parse(std::string_view text);
    std::string to_string() const;
    auto operator<=>(const Ipv4&) const = default;
};

struct Prefix {
    Ipv4 addr;  // already masked
    uint8_t len = 0;

    static Prefix of(Ipv4 addr, uint8_t len);
    bool contains(Ipv4 a) const;
    auto operator<=>(const Prefix&) const = default;
};

Ipv4 prefix_to_mask(uint8_t len);
// Contiguous network mask (255.255.255.0) to its length; nullopt for 255.0.255.0.
std::optional<uint8_t> mask_to_prefix(Ipv4 mask);
// ACL wildcard (0.0.0.255) to a prefix length; nullopt when the wildcard is not contiguous,
// which IOS allows but a prefix-based SPD cannot express.
std::optional<uint8_t> wildcard_to_prefix(Ipv4 wildcard);

}  // namespace espgw::control
