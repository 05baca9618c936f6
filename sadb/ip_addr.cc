#include "sadb/ip_addr.h"

#include <arpa/inet.h>

#include <cstring>

namespace espgw::sadb {

std::optional<IpAddr> IpAddr::parse(std::string_view text) {
    const std::string s(text);
    IpAddr a;
    if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
        a.version = 4;
        return a;
    }
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
        a.version = 6;
        return a;
    }
    return std::nullopt;
}

IpAddr IpAddr::v4(uint32_t h) {
    IpAddr a;
    a.version = 4;
    a.bytes[0] = static_cast<uint8_t>(h >> 24);
    a.bytes[1] = static_cast<uint8_t>(h >> 16);
    a.bytes[2] = static_cast<uint8_t>(h >> 8);
    a.bytes[3] = static_cast<uint8_t>(h);
    return a;
}

std::string IpAddr::to_string() const {
    char buf[INET6_ADDRSTRLEN] = "unset";
    if (version == 4) inet_ntop(AF_INET, bytes.data(), buf, sizeof buf);
    if (version == 6) inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
    return buf;
}

}  // namespace espgw::sadb
