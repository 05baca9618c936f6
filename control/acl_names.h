// The names IOS access lists accept for protocols, TCP/UDP ports and ICMP messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace espgw::control {

inline constexpr uint8_t kProtoIcmp = 1;
inline constexpr uint8_t kProtoTcp = 6;
inline constexpr uint8_t kProtoUdp = 17;

// `ip` is 0 (any protocol); a number 0-255 is accepted as is.
std::optional<uint8_t> protocol_by_name(std::string_view s);

// A port number or name valid for `protocol` (www is TCP 80, isakmp is UDP 500, ...).
std::optional<uint16_t> port_by_name(std::string_view s, uint8_t protocol);

struct IcmpMessage {
    uint8_t type;
    std::optional<uint8_t> code;
};

std::optional<IcmpMessage> icmp_by_name(std::string_view s);

// The reverse, for show output (IOS prints the keyword where one exists): "" when none.
std::string_view protocol_name(uint8_t protocol);
std::string_view port_name(uint16_t port, uint8_t protocol);
std::string_view icmp_name(uint8_t type, std::optional<uint8_t> code);

}  // namespace espgw::control
