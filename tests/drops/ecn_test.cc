// ECN through tunnel decapsulation, RFC 6040 §4.2 (figure 4), every combination of the outer
// and inner codepoints for IPv4 and IPv6 inner packets: the outer CE mark reaches an ECN-capable
// inner packet, ECT(1) replaces ECT(0), everything else leaves the inner field alone, and CE
// over Not-ECT is dropped (ecn_ce_not_ect). The inner IPv4 checksum must stay valid.
#include <gtest/gtest.h>

#include "tests/drops/esp_env.h"

namespace espgw::dataplane {
namespace {

using namespace esp_test;
using sadb::DropReason;

constexpr uint8_t kNotEct = 0, kEct1 = 1, kEct0 = 2, kCe = 3;
constexpr int kDrop = -1;

// RFC 6040 figure 4, rows: arriving inner header; columns: arriving outer header, in the order
// Not-ECT, ECT(1), ECT(0), CE (the codepoints' numeric order).
constexpr int kTable[4][4] = {
    /* inner Not-ECT */ {kNotEct, kNotEct, kNotEct, kDrop},
    /* inner ECT(1)  */ {kEct1, kEct1, kEct1, kCe},
    /* inner ECT(0)  */ {kEct0, kEct1, kEct0, kCe},
    /* inner CE      */ {kCe, kCe, kCe, kCe},
};

Bytes ipv4_with_ecn(uint8_t ecn) {
    Bytes p = ipv4_udp(24);
    p[1] = static_cast<uint8_t>(0xb8 | ecn);  // DSCP EF, which must survive untouched
    set_ipv4_checksum(p.data());
    return p;
}

Bytes ipv6_with_ecn(uint8_t ecn) {
    Bytes p(40 + 8 + 16, 0);
    const uint8_t tc = static_cast<uint8_t>(0xb8 | ecn);
    p[0] = static_cast<uint8_t>(0x60 | (tc >> 4));
    p[1] = static_cast<uint8_t>((tc << 4) | 0x0a);  // low nibble: flow label bits
    p[2] = 0xbc;
    p[3] = 0xde;
    store_be16(&p[4], 8 + 16);
    p[6] = kProtoUdp;
    p[7] = 64;
    p[8] = 0x20;  // 2001:db8::1 -> 2001:db8::2
    p[9] = 0x01;
    p[10] = 0x0d;
    p[11] = 0xb8;
    std::copy(p.begin() + 8, p.begin() + 24, p.begin() + 24);
    p[23] = 1;
    p[39] = 2;
    store_be16(&p[40], 1000);
    store_be16(&p[42], 2000);
    store_be16(&p[44], 8 + 16);
    return p;
}

void check(bool v6) {
    for (uint8_t inner = 0; inner < 4; ++inner)
        for (uint8_t outer = 0; outer < 4; ++outer) {
            SCOPED_TRACE((v6 ? "IPv6" : "IPv4") + std::string(" inner ECN ") +
                         std::to_string(inner) + ", outer ECN " + std::to_string(outer));
            Env env;
            const Bytes clear = v6 ? ipv6_with_ecn(inner) : ipv4_with_ecn(inner);
            Bytes esp = env.encap(env.add_pair({}), {clear}).at(0);
            esp[1] = static_cast<uint8_t>((esp[1] & 0xfc) | outer);
            fix_outer_checksum(esp);
            const auto out = env.decap({esp});
            const int want = kTable[inner][outer];
            if (want == kDrop) {
                EXPECT_TRUE(out.empty());
                expect_only(env, DropReason::kEcnNotEct, 1);
                continue;
            }
            ASSERT_EQ(out.size(), 1u);
            Bytes expected = v6 ? ipv6_with_ecn(static_cast<uint8_t>(want))
                                : ipv4_with_ecn(static_cast<uint8_t>(want));
            EXPECT_EQ(out[0], expected);
            if (!v6) {
                EXPECT_TRUE(ipv4_checksum_ok(out[0].data(), 20));
            }
            for (const auto& info : sadb::kDropReasons)
                EXPECT_EQ(env.ctx().drops.count[static_cast<size_t>(info.reason)], 0u)
                    << info.label;
            EXPECT_EQ(rte_mempool_in_use_count(env.pool()), 0u) << "mbuf leak";
        }
}

TEST(EcnDecap, Rfc6040Figure4Ipv4Inner) {
    check(false);
}

TEST(EcnDecap, Rfc6040Figure4Ipv6Inner) {
    check(true);
}

}  // namespace
}  // namespace espgw::dataplane
