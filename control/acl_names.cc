#include "control/acl_names.h"

#include "control/line_lexer.h"
#include "control/value_parsers.h"

namespace espgw::control {
namespace {

struct Named {
    std::string_view name;
    uint16_t value;
};

constexpr Named kProtocols[] = {
    {"ip", 0},    {"icmp", 1}, {"igmp", 2},  {"ipinip", 4}, {"tcp", 6},
    {"udp", 17},  {"gre", 47}, {"esp", 50},  {"ahp", 51},   {"eigrp", 88},
    {"ospf", 89}, {"nos", 94}, {"pim", 103}, {"pcp", 108},  {"sctp", 132},
};

// IOS keyword tables of `access-list ... eq ?` for TCP and UDP.
constexpr Named kTcpPorts[] = {
    {"bgp", 179},         {"chargen", 19}, {"cmd", 514},      {"daytime", 13}, {"discard", 9},
    {"domain", 53},       {"echo", 7},     {"exec", 512},     {"finger", 79},  {"ftp", 21},
    {"ftp-data", 20},     {"gopher", 70},  {"hostname", 101}, {"ident", 113},  {"irc", 194},
    {"klogin", 543},      {"kshell", 544}, {"login", 513},    {"lpd", 515},    {"nntp", 119},
    {"pim-auto-rp", 496}, {"pop2", 109},   {"pop3", 110},     {"smtp", 25},    {"ssh", 22},
    {"sunrpc", 111},      {"tacacs", 49},  {"talk", 517},     {"telnet", 23},  {"time", 37},
    {"uucp", 540},        {"whois", 43},   {"www", 80},       {"https", 443},  {"ldap", 389},
    {"citrix-ica", 1494},
};

constexpr Named kUdpPorts[] = {
    {"biff", 512},        {"bootpc", 68},
    {"bootps", 67},       {"discard", 9},
    {"dnsix", 195},       {"domain", 53},
    {"echo", 7},          {"isakmp", 500},
    {"mobile-ip", 434},   {"nameserver", 42},
    {"netbios-dgm", 138}, {"netbios-ns", 137},
    {"netbios-ss", 139},  {"non500-isakmp", 4500},
    {"ntp", 123},         {"pim-auto-rp", 496},
    {"rip", 520},         {"snmp", 161},
    {"snmptrap", 162},    {"sunrpc", 111},
    {"syslog", 514},      {"tacacs", 49},
    {"talk", 517},        {"tftp", 69},
    {"time", 37},         {"who", 513},
    {"xdmcp", 177},
};

struct NamedIcmp {
    std::string_view name;
    IcmpMessage message;
};

constexpr NamedIcmp kIcmp[] = {
    {"echo-reply", {0, {}}},
    {"unreachable", {3, {}}},
    {"net-unreachable", {3, 0}},
    {"host-unreachable", {3, 1}},
    {"protocol-unreachable", {3, 2}},
    {"port-unreachable", {3, 3}},
    {"packet-too-big", {3, 4}},
    {"administratively-prohibited", {3, 13}},
    {"source-quench", {4, {}}},
    {"redirect", {5, {}}},
    {"echo", {8, {}}},
    {"router-advertisement", {9, {}}},
    {"router-solicitation", {10, {}}},
    {"time-exceeded", {11, {}}},
    {"ttl-exceeded", {11, 0}},
    {"parameter-problem", {12, {}}},
    {"timestamp-request", {13, {}}},
    {"timestamp-reply", {14, {}}},
    {"information-request", {15, {}}},
    {"information-reply", {16, {}}},
    {"mask-request", {17, {}}},
    {"mask-reply", {18, {}}},
    {"traceroute", {30, {}}},
};

template <size_t N>
std::optional<uint16_t> lookup(const Named (&table)[N], std::string_view s) {
    for (const Named& n : table)
        if (iequals(n.name, s)) return n.value;
    return std::nullopt;
}

template <size_t N>
std::string_view name_of(const Named (&table)[N], uint16_t value) {
    for (const Named& n : table)
        if (n.value == value) return n.name;
    return {};
}

}  // namespace

std::optional<uint8_t> protocol_by_name(std::string_view s) {
    if (auto v = lookup(kProtocols, s)) return static_cast<uint8_t>(*v);
    if (auto n = parse_u32(s); n && *n <= 255) return static_cast<uint8_t>(*n);
    return std::nullopt;
}

std::optional<uint16_t> port_by_name(std::string_view s, uint8_t protocol) {
    if (auto n = parse_u32(s); n && *n <= 65535) return static_cast<uint16_t>(*n);
    if (protocol == kProtoTcp) return lookup(kTcpPorts, s);
    if (protocol == kProtoUdp) return lookup(kUdpPorts, s);
    return std::nullopt;
}

std::optional<IcmpMessage> icmp_by_name(std::string_view s) {
    for (const NamedIcmp& n : kIcmp)
        if (iequals(n.name, s)) return n.message;
    return std::nullopt;
}

std::string_view protocol_name(uint8_t protocol) {
    return name_of(kProtocols, protocol);
}

std::string_view port_name(uint16_t port, uint8_t protocol) {
    if (protocol == kProtoTcp) return name_of(kTcpPorts, port);
    if (protocol == kProtoUdp) return name_of(kUdpPorts, port);
    return {};
}

std::string_view icmp_name(uint8_t type, std::optional<uint8_t> code) {
    for (const NamedIcmp& n : kIcmp)
        if (n.message.type == type && n.message.code == code) return n.name;
    return {};
}

}  // namespace espgw::control
