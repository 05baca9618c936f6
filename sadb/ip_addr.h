// IPv4/IPv6 address value type shared by configuration, selectors and header templates.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace espgw::sadb {

struct IpAddr {
    uint8_t version = 0;             // 4 or 6; 0 = unset
    std::array<uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4

    static std::optional<IpAddr> parse(std::string_view text);
    static IpAddr v4(uint32_t host_order);
    std::string to_string() const;
    uint32_t v4_host() const {
        return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) |
               (uint32_t{bytes[2]} << 8) | bytes[3];
    }
    size_t size() const { return version == 6 ? 16 : 4; }
    bool operator==(const IpAddr&) const = default;
};

}  // namespace espgw::sadb
