#include "sadb/header_template.h"

#include <cstring>

namespace espgw::sadb {
namespace {

constexpr uint8_t kProtoEsp = 50;
constexpr uint8_t kProtoUdp = 17;

void put16(uint8_t* p, uint16_t v) {
    p[0] = static_cast<uint8_t>(v >> 8);
    p[1] = static_cast<uint8_t>(v);
}

void put32(uint8_t* p, uint32_t v) {
    put16(p, static_cast<uint16_t>(v >> 16));
    put16(p + 2, static_cast<uint16_t>(v));
}

uint8_t put_ipv4(uint8_t* p, const SaConfig& cfg, uint8_t proto) {
    p[0] = 0x45;
    if (cfg.df == DfMode::kSet) put16(p + 6, 0x4000);
    p[8] = cfg.ttl;
    p[9] = proto;
    std::memcpy(p + 12, cfg.local.bytes.data(), 4);
    std::memcpy(p + 16, cfg.peer.bytes.data(), 4);
    return 20;
}

uint8_t put_ipv6(uint8_t* p, const SaConfig& cfg, uint8_t proto) {
    p[0] = 0x60;
    p[6] = proto;
    p[7] = cfg.ttl;
    std::memcpy(p + 8, cfg.local.bytes.data(), 16);
    std::memcpy(p + 24, cfg.peer.bytes.data(), 16);
    return 40;
}

}  // namespace

HeaderTemplate build_header_template(const SaConfig& cfg) {
    HeaderTemplate t{};
    const bool udp = cfg.udp_encap.enabled;
    const uint8_t proto = udp ? kProtoUdp : kProtoEsp;
    uint8_t* p = t.bytes;
    if (cfg.mode == Mode::kTunnel) {
        t.ip_len = cfg.local.version == 6 ? put_ipv6(p, cfg, proto) : put_ipv4(p, cfg, proto);
        p += t.ip_len;
    }
    if (udp) {
        put16(p, cfg.udp_encap.local_port);
        put16(p + 2, cfg.udp_encap.peer_port);
        p += 8;  // length and checksum filled per packet (checksum 0 over IPv4, RFC 3948 §2.1)
    }
    put32(p, cfg.spi);
    p += 8;  // sequence number filled per packet
    t.len = static_cast<uint8_t>(p - t.bytes);
    return t;
}

}  // namespace espgw::sadb
