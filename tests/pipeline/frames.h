// Frame builders shared by the in-process pipeline tests (inprocess_gateway.h and the tests on
// it, reconfigure_test.cc): Ethernet headers, ARP messages and small IPv4 packets with valid
// checksums.
#pragma once

#include <rte_ether.h>
#include <rte_ip.h>

#include <cstdint>
#include <cstring>

#include "dataplane/ip_header.h"
#include "tests/unit/burst_bytes.h"

namespace espgw::test_util {

inline Bytes ethernet(const rte_ether_addr& dst, const rte_ether_addr& src, uint16_t type) {
    Bytes b(dst.addr_bytes, dst.addr_bytes + 6);
    b.insert(b.end(), src.addr_bytes, src.addr_bytes + 6);
    b.push_back(static_cast<uint8_t>(type >> 8));
    b.push_back(static_cast<uint8_t>(type));
    return b;
}

// An IPv4 packet of `payload_len` payload bytes (0, 1, 2, ...), TTL 64, header checksum valid.
// UDP: ports 1000 -> 2000, checksum 0. ICMP (1): an echo request (RFC 792) with a valid checksum.
inline Bytes ipv4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t payload_len = 16) {
    using dataplane::store_be16;
    Bytes p(20 + payload_len, 0);
    p[0] = 0x45;
    store_be16(&p[2], static_cast<uint16_t>(p.size()));
    p[8] = 64;
    p[9] = proto;
    dataplane::store_be32(&p[12], src);
    dataplane::store_be32(&p[16], dst);
    for (uint16_t i = 0; i < payload_len; ++i)
        p[20 + i] = static_cast<uint8_t>(i);
    if (proto == dataplane::kProtoUdp) {
        store_be16(&p[20], 1000);
        store_be16(&p[22], 2000);
        store_be16(&p[24], payload_len);
        p[26] = p[27] = 0;
    }
    if (proto == 1) {
        p[20] = 8;
        p[21] = p[22] = p[23] = 0;
        const uint16_t c = static_cast<uint16_t>(~rte_raw_cksum(&p[20], payload_len));
        std::memcpy(&p[22], &c, 2);
    }
    dataplane::set_ipv4_checksum(p.data());
    return p;
}

// An RFC 826 message from `mac` (protocol address `sender`) about `target`, Ethernet and IPv4,
// target hardware address zero; `op` 1 request, 2 reply; the frame goes to `eth_dst`.
inline Bytes arp(uint16_t op, const rte_ether_addr& eth_dst, const rte_ether_addr& mac,
                 uint32_t sender, uint32_t target) {
    Bytes f = ethernet(eth_dst, mac, RTE_ETHER_TYPE_ARP);
    const uint8_t fixed[] = {0, 1, 8, 0, 6, 4, 0, static_cast<uint8_t>(op)};
    f.insert(f.end(), fixed, fixed + sizeof fixed);
    f.insert(f.end(), mac.addr_bytes, mac.addr_bytes + 6);
    for (int s = 24; s >= 0; s -= 8)
        f.push_back(static_cast<uint8_t>(sender >> s));
    f.insert(f.end(), 6, 0);
    for (int s = 24; s >= 0; s -= 8)
        f.push_back(static_cast<uint8_t>(target >> s));
    return f;
}

inline constexpr rte_ether_addr kBroadcast{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

inline Bytes concat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

}  // namespace espgw::test_util
