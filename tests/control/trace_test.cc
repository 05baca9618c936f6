// test crypto trace: on the lab and hub configurations and on a policy with deny lines, port
// ranges, neq, protocol numbers and several entries, each step checked; and the trace's first
// match checked against the dataplane's own rte_acl SPD (SpdSnapshot) on the compiled policy for
// thousands of packets, so the trace cannot drift from what the dataplane does.
#include "control/trace.h"

#include <gtest/gtest.h>
#include <rte_memory.h>

#include <random>

#include "control/trace_spd.h"
#include "dataplane/bytes.h"
#include "dataplane/spd.h"
#include "sadb/spd_match.h"
#include "tests/control/control_test_util.h"

namespace espgw::control {
namespace {

using test::read_config;

struct Compiled {
    Config cfg;
    CompiledPolicy policy;
};

Compiled compile_text(const std::string& text) {
    Compiled c;
    c.cfg = test::parse_clean(text);
    std::vector<Diagnostic> diags;
    c.policy = compile(c.cfg, &diags);
    EXPECT_FALSE(has_errors(diags)) << test::dump(diags);
    return c;
}

std::string lab_config(const std::string& name) {
    return read_config("../../lab/configs/" + name);
}

TraceResult run(const Compiled& c, const std::string& src, const std::string& dst,
                const std::string& proto, const std::string& sport = "",
                const std::string& dport = "", bool fragment = false) {
    std::string error;
    const auto q = parse_trace_query(src, dst, proto, sport, dport, fragment, &error);
    EXPECT_TRUE(q) << error;
    return q ? trace_packet(c.cfg, c.policy, *q) : TraceResult{};
}

// An entry ahead of the lab's with `fragments` lines (sequence 5: it is looked at first).
const char* kFragmentsEntry = R"(
access-list 150 deny udp 198.18.1.0 0.0.0.255 198.18.3.0 0.0.0.255 fragments
access-list 150 permit ip 198.18.1.0 0.0.0.255 198.18.5.0 0.0.0.255 fragments
access-list 150 permit ip 198.18.1.0 0.0.0.255 198.18.3.0 0.0.0.255
crypto map VPN 5 ipsec-manual
 set peer 192.0.2.5
 set transform-set GCM128
 match address 150
 set session-key inbound esp 36865 cipher 000102030405060708090a0b0c0d0e0f10111213
 set session-key outbound esp 40961 cipher 1f1e1d1c1b1a191817161514131211100f0e0d0c
)";

// ICMP messages as selectors (sadb/spd_match.h): echo replies in clear, echoes protected, one
// unreachable code in clear, the rest of the traffic protected.
const char* kIcmpEntry = R"(
access-list 160 deny icmp 198.18.1.0 0.0.0.255 198.18.6.0 0.0.0.255 echo-reply
access-list 160 permit icmp 198.18.1.0 0.0.0.255 198.18.6.0 0.0.0.255 echo
access-list 160 deny icmp 198.18.1.0 0.0.0.255 198.18.6.0 0.0.0.255 3 4
access-list 160 permit ip 198.18.1.0 0.0.0.255 198.18.6.0 0.0.0.255
crypto map VPN 20 ipsec-manual
 set peer 192.0.2.6
 set transform-set GCM128
 match address 160
 set session-key inbound esp 45057 cipher 000102030405060708090a0b0c0d0e0f10111213
 set session-key outbound esp 49153 cipher 1f1e1d1c1b1a191817161514131211100f0e0d0c
)";

// The lab's second tunnel plus an entry with deny lines, port ranges, neq and protocol numbers.
const char* kExtra = R"(
access-list 130 deny tcp 198.18.1.0 0.0.0.255 198.18.3.0 0.0.0.255 eq 22
access-list 130 permit tcp 198.18.1.0 0.0.0.255 198.18.3.0 0.0.0.255 range 1000 2000
access-list 130 permit udp 198.18.1.0 0.0.0.255 198.18.3.0 0.0.0.255 neq 53
access-list 130 permit 47 198.18.1.0 0.0.0.255 198.18.3.0 0.0.0.255
access-list 130 deny ip 198.18.1.0 0.0.0.255 198.18.3.0 0.0.0.255
access-list 140 permit ip 198.18.1.0 0.0.0.255 198.18.3.0 0.0.0.255
crypto map VPN 30 ipsec-manual
 set peer 192.0.2.3
 set transform-set GCM128
 match address 130
 set session-key inbound esp 20481 cipher 000102030405060708090a0b0c0d0e0f10111213
 set session-key outbound esp 24577 cipher 1f1e1d1c1b1a191817161514131211100f0e0d0c
crypto map VPN 40 ipsec-manual
 set peer 192.0.2.4
 set transform-set GCM128
 match address 140
 set session-key inbound esp 28673 cipher 000102030405060708090a0b0c0d0e0f10111213
 set session-key outbound esp 32769 cipher 1f1e1d1c1b1a191817161514131211100f0e0d0c
)";

TEST(Trace, LabTunnelOneProtected) {
    const Compiled c = compile_text(lab_config("site-a.cfg"));
    const TraceResult t = run(c, "198.18.1.10", "198.18.2.10", "icmp");
    ASSERT_TRUE(t.ingress);
    EXPECT_EQ(t.ingress->interface, "port1");
    EXPECT_EQ(t.ingress->code, 'C');
    ASSERT_TRUE(t.spd.matched);
    EXPECT_EQ(t.spd.action, wire::SpdAction::kProtect);
    EXPECT_EQ(t.spd.map, "VPN");
    EXPECT_EQ(t.spd.map_seq, 10u);
    EXPECT_EQ(t.spd.acl, "101");
    EXPECT_EQ(t.spd.acl_index, 1u);
    ASSERT_TRUE(t.spd.acl_entry);
    EXPECT_EQ(t.spd.acl_entry->src.wildcard.to_string(), "0.0.0.127");
    ASSERT_TRUE(t.sa);
    EXPECT_EQ(t.sa->spi, 8193u);
    EXPECT_EQ(t.sa->transform, "esp-gcm 128");
    EXPECT_EQ(t.sa->peer.to_string(), "192.0.2.2");
    EXPECT_EQ(t.sa->local.to_string(), "192.0.2.1");
    ASSERT_TRUE(t.egress);  // the peer is on port0's network: no next hop
    EXPECT_EQ(t.egress->interface, "port0");
    EXPECT_EQ(t.egress->code, 'C');
    EXPECT_FALSE(t.egress->next_hop);
    EXPECT_EQ(t.verdict, TraceVerdict::kEncrypted);
    EXPECT_EQ(t.summary, "encrypted (SPI 8193) to 192.0.2.2 out of port0");
}

TEST(Trace, LabTunnelTwoByTheSecondEntry) {
    const Compiled c = compile_text(lab_config("site-a.cfg"));
    const TraceResult t = run(c, "198.18.1.200", "198.18.2.10", "tcp", "40000", "www");
    ASSERT_TRUE(t.sa);
    EXPECT_EQ(t.spd.map_seq, 20u);
    EXPECT_EQ(t.spd.acl, "102");
    EXPECT_EQ(t.sa->spi, 16385u);
    EXPECT_EQ(t.sa->transform, "esp-aes 128 esp-sha-hmac");
    EXPECT_EQ(t.query.dport, 80);
}

TEST(Trace, NoLineMatchesGoesClearByTheDefaultRoute) {
    const Compiled c = compile_text(lab_config("site-a.cfg"));
    const TraceResult t = run(c, "198.18.1.10", "203.0.113.9", "udp", "5000", "53");
    EXPECT_FALSE(t.spd.matched);
    EXPECT_NE(t.spd_why.find("no ACL line"), std::string::npos) << t.spd_why;
    EXPECT_FALSE(t.sa);
    EXPECT_EQ(t.verdict, TraceVerdict::kClear);
    ASSERT_TRUE(t.egress);
    EXPECT_EQ(t.egress->code, 'S');
    EXPECT_EQ(t.egress->prefix.len, 0);
    EXPECT_EQ(t.egress->interface, "port0");
    ASSERT_TRUE(t.egress->next_hop);
    EXPECT_EQ(t.egress->next_hop->to_string(), "192.0.2.2");
}

TEST(Trace, TheGatewaysOwnAddressIsLocal) {
    const Compiled c = compile_text(lab_config("site-a.cfg"));
    const TraceResult t = run(c, "198.18.1.10", "198.18.1.1", "icmp");
    EXPECT_EQ(t.verdict, TraceVerdict::kLocal);
    EXPECT_EQ(t.local_interface, "port1");
    EXPECT_FALSE(t.spd.matched);
}

TEST(Trace, DenyLineBypassesAndStopsTheSearch) {
    const Compiled c = compile_text(lab_config("site-a.cfg") + kExtra);
    const TraceResult t = run(c, "198.18.1.10", "198.18.3.5", "tcp", "50000", "22");
    ASSERT_TRUE(t.spd.matched);
    EXPECT_EQ(t.spd.action, wire::SpdAction::kBypass);
    EXPECT_EQ(t.spd.map_seq, 30u);
    EXPECT_EQ(t.spd.acl_index, 1u);
    EXPECT_FALSE(t.sa);  // entry 40 would protect it, but the deny of entry 30 comes first
    EXPECT_EQ(t.verdict, TraceVerdict::kClear);
    EXPECT_NE(t.spd_why.find("denies"), std::string::npos);
}

TEST(Trace, PortRangesNeqAndProtocolNumbers) {
    const Compiled c = compile_text(lab_config("site-a.cfg") + kExtra);
    struct Case {
        const char* proto;
        const char* sport;
        const char* dport;
        uint32_t seq, index;
        wire::SpdAction action;
    };
    const Case cases[] = {
        {"tcp", "50000", "1000", 30, 2, wire::SpdAction::kProtect},  // range, low end
        {"tcp", "50000", "2000", 30, 2, wire::SpdAction::kProtect},  // range, high end
        {"tcp", "50000", "2001", 30, 5, wire::SpdAction::kBypass},   // past it: the final deny
        {"udp", "53", "54", 30, 3, wire::SpdAction::kProtect},       // neq 53 on the destination
        {"udp", "54", "53", 30, 5, wire::SpdAction::kBypass},
        {"47", "", "", 30, 4, wire::SpdAction::kProtect},  // GRE by number
        {"gre", "", "", 30, 4, wire::SpdAction::kProtect},
        {"50", "", "", 30, 5, wire::SpdAction::kBypass},
        {"tcp", "", "", 30, 5, wire::SpdAction::kBypass},  // no ports: only "any" ranges match
    };
    for (const Case& k : cases) {
        const TraceResult t = run(c, "198.18.1.10", "198.18.3.5", k.proto, k.sport, k.dport);
        SCOPED_TRACE(std::string(k.proto) + " " + k.sport + " " + k.dport);
        ASSERT_TRUE(t.spd.matched);
        EXPECT_EQ(t.spd.map_seq, k.seq);
        EXPECT_EQ(t.spd.acl_index, k.index);
        EXPECT_EQ(t.spd.action, k.action);
        if (k.action == wire::SpdAction::kProtect) {
            ASSERT_TRUE(t.sa);
            EXPECT_EQ(t.sa->spi, 24577u);
            EXPECT_EQ(t.sa->peer.to_string(), "192.0.2.3");
        }
    }
}

// A non-initial fragment shows no ports (RFC 4301 §7): a permit line with ports takes it on
// protocol and addresses, a deny line with ports never does (sadb/spd_match.h).
TEST(Trace, NonInitialFragmentsMeetPortLinesAsIosAclsDo) {
    const Compiled c = compile_text(lab_config("site-a.cfg") + kExtra);
    struct Case {
        const char* proto;
        uint32_t index;
        wire::SpdAction action;
    };
    const Case cases[] = {
        {"tcp", 2, wire::SpdAction::kProtect},  // past the deny eq 22: the range 1000-2000 line
        {"udp", 3, wire::SpdAction::kProtect},  // the neq 53 line
        {"gre", 4, wire::SpdAction::kProtect},
        {"esp", 5, wire::SpdAction::kBypass},
    };
    for (const Case& k : cases) {
        SCOPED_TRACE(k.proto);
        const TraceResult t = run(c, "198.18.1.10", "198.18.3.5", k.proto, "", "", true);
        ASSERT_TRUE(t.spd.matched);
        EXPECT_EQ(t.spd.map_seq, 30u);
        EXPECT_EQ(t.spd.acl_index, k.index);
        EXPECT_EQ(t.spd.action, k.action);
        EXPECT_TRUE(t.query.fragment);
    }
    std::string error;
    EXPECT_FALSE(parse_trace_query("1.1.1.1", "1.1.1.2", "tcp", "1", "2", true, &error));
    EXPECT_EQ(error, "a non-initial fragment has no ports");
}

// A `fragments` line takes non-initial fragments only; whole packets go on to the next line.
TEST(Trace, FragmentsLinesTakeOnlyNonInitialFragments) {
    const Compiled c = compile_text(lab_config("site-a.cfg") + kFragmentsEntry);
    const TraceResult whole = run(c, "198.18.1.10", "198.18.3.5", "udp", "4000", "4000");
    ASSERT_TRUE(whole.spd.matched);
    EXPECT_EQ(whole.spd.acl_index, 3u);
    EXPECT_EQ(whole.spd.action, wire::SpdAction::kProtect);
    const TraceResult later = run(c, "198.18.1.10", "198.18.3.5", "udp", "", "", true);
    ASSERT_TRUE(later.spd.matched);
    EXPECT_EQ(later.spd.acl_index, 1u);
    EXPECT_EQ(later.spd.action, wire::SpdAction::kBypass);
    EXPECT_EQ(later.verdict, TraceVerdict::kClear);
    const TraceResult icmp = run(c, "198.18.1.10", "198.18.5.5", "icmp", "", "", true);
    EXPECT_EQ(icmp.spd.acl_index, 2u);
    EXPECT_EQ(icmp.verdict, TraceVerdict::kEncrypted);
}

TEST(Trace, IcmpMessagesMeetIcmpLinesByTypeAndCode) {
    const Compiled c = compile_text(lab_config("site-a.cfg") + kIcmpEntry);
    struct Case {
        const char* type;
        const char* code;
        uint32_t index;
        wire::SpdAction action;
    };
    const Case cases[] = {
        {"echo", "", 2, wire::SpdAction::kProtect},
        {"8", "3", 2, wire::SpdAction::kProtect},  // echo covers all its codes
        {"echo-reply", "", 1, wire::SpdAction::kBypass},
        {"0", "0", 1, wire::SpdAction::kBypass},
        {"packet-too-big", "", 3, wire::SpdAction::kBypass},
        {"3", "4", 3, wire::SpdAction::kBypass},
        {"port-unreachable", "", 4, wire::SpdAction::kProtect},
        {"3", "", 4, wire::SpdAction::kProtect},  // code 0: net unreachable
        {"", "", 4, wire::SpdAction::kProtect},   // no message: only lines without one
    };
    for (const Case& k : cases) {
        SCOPED_TRACE(std::string(k.type) + " " + k.code);
        const TraceResult t = run(c, "198.18.1.10", "198.18.6.5", "icmp", k.type, k.code);
        ASSERT_TRUE(t.spd.matched);
        EXPECT_EQ(t.spd.map_seq, 20u);
        EXPECT_EQ(t.spd.acl_index, k.index);
        EXPECT_EQ(t.spd.action, k.action);
    }
    const TraceResult reply = run(c, "198.18.1.10", "198.18.6.5", "icmp", "echo-reply", "");
    ASSERT_TRUE(reply.query.icmp_type);
    EXPECT_EQ(*reply.query.icmp_type, 0);
    EXPECT_EQ(reply.verdict, TraceVerdict::kClear);
    // A later fragment shows no message: the deny lines pass it by, the echo line takes it.
    const TraceResult later = run(c, "198.18.1.10", "198.18.6.5", "icmp", "", "", true);
    EXPECT_EQ(later.spd.acl_index, 2u);
    EXPECT_EQ(later.verdict, TraceVerdict::kEncrypted);
}

// The hub's default route names a next hop outside its outside network (10.48.67.160/27), so
// the compiler does not install it (a warning says so): no route, the packet is dropped.
TEST(Trace, HubHasNoInstalledEntryAndNoRoute) {
    const Compiled c = compile_text(read_config("hub.cfg"));
    const TraceResult t = run(c, "10.1.1.5", "10.9.9.9", "ip");
    ASSERT_TRUE(t.ingress);
    EXPECT_EQ(t.ingress->interface, "FastEthernet0/1");
    EXPECT_EQ(t.ingress->prefix.len, 23);
    EXPECT_FALSE(t.spd.matched);
    EXPECT_NE(t.spd_why.find("SPD is empty"), std::string::npos);
    EXPECT_FALSE(t.egress);
    EXPECT_EQ(t.verdict, TraceVerdict::kDropped);
    EXPECT_EQ(t.egress_why, "no route to 10.9.9.9: dropped (no_route)");
    const TraceResult out = run(c, "10.1.1.5", "10.48.67.170", "ip");  // on the outside network
    ASSERT_TRUE(out.egress);
    EXPECT_EQ(out.egress->interface, "FastEthernet0/0");
    EXPECT_EQ(out.verdict, TraceVerdict::kClear);
}

TEST(Trace, UninstalledIkeEntryIsNoted) {
    const Compiled c = compile_text(read_config("spoke.cfg"));
    ASSERT_TRUE(c.policy.spd.empty());
    const AccessList& acl = c.cfg.access_lists.front();
    const AclEntry& e = acl.entries.front();
    const TraceResult t = run(c, e.src.addr.to_string(), e.dst.addr.to_string(), "ip");
    EXPECT_FALSE(t.spd.matched);
    ASSERT_EQ(t.notes.size(), 1u) << t.spd_why;
    EXPECT_NE(t.notes[0].find("ipsec-isakmp"), std::string::npos) << t.notes[0];
}

TEST(Trace, ArgumentErrorsNameTheArgument) {
    std::string error;
    EXPECT_FALSE(parse_trace_query("198.18.1", "1.1.1.1", "ip", "", "", false, &error));
    EXPECT_EQ(error, "invalid source address '198.18.1': an IPv4 address A.B.C.D");
    EXPECT_FALSE(parse_trace_query("1.1.1.1", "1.1.1.2", "bogus", "", "", false, &error));
    EXPECT_NE(error.find("invalid protocol 'bogus'"), std::string::npos);
    EXPECT_FALSE(parse_trace_query("1.1.1.1", "1.1.1.2", "esp", "1", "2", false, &error));
    EXPECT_EQ(error, "ports go with tcp or udp only (icmp takes TYPE [CODE])");
    EXPECT_FALSE(parse_trace_query("1.1.1.1", "1.1.1.2", "icmp", "256", "", false, &error));
    EXPECT_EQ(error, "invalid ICMP type '256': a number 0-255 or a message name (echo, ...)");
    EXPECT_FALSE(parse_trace_query("1.1.1.1", "1.1.1.2", "icmp", "echo", "x", false, &error));
    EXPECT_EQ(error, "invalid ICMP code 'x': a number 0-255");
    EXPECT_FALSE(parse_trace_query("1.1.1.1", "1.1.1.2", "icmp", "udp", "", false, &error));
    EXPECT_NE(error.find("invalid ICMP type 'udp'"), std::string::npos) << error;
    EXPECT_FALSE(parse_trace_query("1.1.1.1", "1.1.1.2", "tcp", "1", "70000", false, &error));
    EXPECT_NE(error.find("invalid destination port '70000'"), std::string::npos);
    EXPECT_FALSE(parse_trace_query("1.1.1.1", "1.1.1.2", "tcp", "1", "", false, &error));
    EXPECT_TRUE(parse_trace_query("1.1.1.1", "1.1.1.2", "256", "", "", false, &error) ==
                std::nullopt);
}

// ---- the trace's first match = the dataplane's rte_acl first match -------------------------

std::array<uint8_t, 64> ipv4_header(const TraceQuery& q) {
    std::array<uint8_t, 64> b{};
    b[0] = 0x45;
    dataplane::store_be16(&b[2], 28);
    if (q.fragment) dataplane::store_be16(&b[6], 100);  // offset 800 bytes
    b[8] = 64;
    b[9] = q.protocol;
    dataplane::store_be32(&b[12], q.src.value);
    dataplane::store_be32(&b[16], q.dst.value);
    dataplane::store_be16(&b[20], q.sport.value_or(0));
    dataplane::store_be16(&b[22], q.dport.value_or(0));
    if (q.icmp_type) {
        b[20] = *q.icmp_type;
        b[21] = q.icmp_code;
        dataplane::store_be16(&b[22], 0x5a5a);  // a checksum: not a selector
    }
    return b;
}

TEST(Trace, FirstMatchEqualsTheDataplaneSpd) {
    const Compiled c =
        compile_text(lab_config("site-a.cfg") + kExtra + kFragmentsEntry + kIcmpEntry);
    std::string error;
    auto spd = dataplane::SpdSnapshot::build(c.policy.spd, "trace-xcheck", SOCKET_ID_ANY, &error);
    ASSERT_NE(spd, nullptr) << error;
    std::mt19937 rng(4301);
    const uint32_t hosts[] = {0xC6120105, 0xC61201C8, 0xC6120205, 0xC6120305,
                              0xC6120505, 0xC6120605, 0xCB007105};
    const uint8_t protos[] = {0, 1, 6, 17, 47, 50};
    const uint16_t ports[] = {0, 1, 22, 53, 54, 80, 999, 1000, 1500, 2000, 2001, 65535};
    const uint8_t icmp_types[] = {0, 3, 8, 11}, icmp_codes[] = {0, 3, 4};
    int protected_count = 0, fragments_apart = 0, icmp_typed = 0;
    for (int i = 0; i < 30000; ++i) {
        TraceQuery q;
        q.src = Ipv4{hosts[rng() % 7]};
        q.dst = Ipv4{hosts[rng() % 7]};
        q.protocol = protos[rng() % 6];
        q.fragment = rng() % 4 == 0;
        if (!q.fragment && (q.protocol == 6 || q.protocol == 17)) {
            q.sport = ports[rng() % 12];
            q.dport = ports[rng() % 12];
        }
        if (!q.fragment && q.protocol == 1) {  // a packet always has a type (0: echo reply)
            q.icmp_type = icmp_types[rng() % 4];
            q.icmp_code = icmp_codes[rng() % 3];
        }
        const auto hdr = ipv4_header(q);
        const uint8_t* h = hdr.data();
        uint32_t index;
        spd->lookup(&h, 1, &index);
        const TraceSpd t = first_spd_match(c.cfg, c.policy, q);
        ASSERT_EQ(t.matched, index != dataplane::SpdSnapshot::kNoMatch) << i;
        if (!t.matched) continue;
        ASSERT_EQ(t.rule_id, spd->rule(index).id) << i;
        protected_count += t.action == wire::SpdAction::kProtect;
        fragments_apart += q.fragment && spd->rule(index).fragments_only;
        icmp_typed += q.icmp_type && sadb::spd_icmp_types(spd->rule(index).sel);
    }
    EXPECT_GT(protected_count, 100);  // the sample reaches the interesting rules
    EXPECT_GT(fragments_apart, 20);
    EXPECT_GT(icmp_typed, 20);
}

}  // namespace
}  // namespace espgw::control
