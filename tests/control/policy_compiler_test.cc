// The compiled policy: SAs, SPD, interfaces, routes, neighbours, globals and their messages.
#include <gtest/gtest.h>

#include "control/conn_id.h"
#include "control/wire_convert.h"
#include "tests/control/control_test_util.h"

namespace espgw::control {
namespace {

using test::compile_clean;
using test::read_config;

Ipv4 ip(const char* s) {
    return *Ipv4::parse(s);
}
Ipv4 addr(const wire::Addr& a) {
    return from_wire_addr(a);
}

const wire::Sa& sa_of(const CompiledPolicy& p, wire::Direction d, uint32_t seq = 10) {
    for (const CompiledSa& s : p.sas)
        if (s.sa.direction == d && s.sa.map_seq == seq) return s.sa;
    ADD_FAILURE() << "no SA";
    return p.sas.front().sa;
}

bool same_key(const uint8_t* a, const uint8_t* b, size_t n) {
    return std::equal(a, a + n, b);
}

TEST(PolicyCompiler, SitesAreMirrored) {
    const CompiledPolicy a = compile_clean(read_config("site-a.cfg"));
    const CompiledPolicy b = compile_clean(read_config("site-b.cfg"));
    ASSERT_EQ(a.sas.size(), 2u);
    ASSERT_EQ(b.sas.size(), 2u);
    using D = wire::Direction;
    for (auto [x, y] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
        const wire::Sa& out = sa_of(*x, D::kOutbound);
        const wire::Sa& in = sa_of(*y, D::kInbound);
        EXPECT_EQ(out.spi, in.spi);
        EXPECT_EQ(out.cipher_key_len, in.cipher_key_len);
        EXPECT_TRUE(same_key(out.cipher_key, in.cipher_key, out.cipher_key_len));
        EXPECT_EQ(addr(out.local), addr(in.peer));
        EXPECT_EQ(addr(out.peer), addr(in.local));
        EXPECT_EQ(addr(out.selector.src), addr(in.selector.dst));
    }
    EXPECT_EQ(sa_of(a, D::kOutbound).spi, 8193u);
    EXPECT_EQ(sa_of(a, D::kInbound).spi, 4097u);
}

TEST(PolicyCompiler, SiteASaFields) {
    const CompiledPolicy p = compile_clean(read_config("site-a.cfg"));
    const wire::Sa& out = sa_of(p, wire::Direction::kOutbound);
    const wire::Sa& in = sa_of(p, wire::Direction::kInbound);
    EXPECT_EQ(out.cipher, static_cast<uint8_t>(crypto::Cipher::kAes128Gcm));
    EXPECT_EQ(out.integrity, static_cast<uint8_t>(crypto::Integrity::kNone));
    EXPECT_EQ(out.mode, wire::Mode::kTunnel);
    EXPECT_EQ(out.cipher_key_len, 20);
    EXPECT_EQ(out.auth_key_len, 0);
    EXPECT_EQ(out.cipher_key[0], 0x1f);
    EXPECT_EQ(out.cipher_key[19], 0x0c);
    EXPECT_EQ(addr(out.local), ip("192.0.2.1"));
    EXPECT_EQ(addr(out.peer), ip("192.0.2.2"));
    EXPECT_EQ(out.port, 0);
    EXPECT_EQ(out.replay_window, 1024u);
    EXPECT_EQ(out.df, wire::DfPolicy::kCopy);
    EXPECT_EQ(out.udp_encap, 0);
    EXPECT_EQ(out.path_mtu, 1500);
    EXPECT_EQ(out.ttl, 64);
    EXPECT_EQ(out.hard_bytes, 0u);  // IOS: manually keyed SAs do not expire
    EXPECT_EQ(std::string(out.map_name), "VPN");
    EXPECT_EQ(out.map_seq, 10u);
    EXPECT_EQ(addr(out.selector.src), ip("198.18.1.0"));
    EXPECT_EQ(out.selector.src_prefix, 24);
    EXPECT_EQ(addr(out.selector.dst), ip("198.18.2.0"));
    EXPECT_EQ(out.selector.proto, 0);
    EXPECT_EQ(out.selector.dport_hi, 65535);
    EXPECT_EQ(out.pair_conn_id, in.conn_id);
    EXPECT_EQ(in.pair_conn_id, out.conn_id);
    EXPECT_NE(in.conn_id, out.conn_id);
    EXPECT_EQ(in.conn_id, conn_id_hash("VPN", 10, true));
}

TEST(PolicyCompiler, SiteATopologyAndGlobals) {
    const CompiledPolicy p = compile_clean(read_config("site-a.cfg"));
    ASSERT_EQ(p.interfaces.size(), 2u);
    EXPECT_EQ(std::string(p.interfaces[0].name), "port0");
    EXPECT_EQ(p.interfaces[0].outside, 1);
    EXPECT_EQ(std::string(p.interfaces[0].crypto_map), "VPN");
    EXPECT_EQ(p.interfaces[1].port, 1);
    EXPECT_EQ(p.interfaces[1].mss_clamp, 1360);
    EXPECT_EQ(p.interfaces[1].prefix, 24);
    EXPECT_EQ(addr(p.interfaces[1].addr), ip("198.18.1.1"));
    ASSERT_EQ(p.routes.size(), 3u);
    EXPECT_EQ(addr(p.routes[0].prefix), ip("192.0.2.0"));
    EXPECT_EQ(p.routes[0].next_hop.version, 0);
    EXPECT_EQ(p.routes[1].port, 1);
    EXPECT_EQ(p.routes[2].prefix_len, 0);
    EXPECT_EQ(addr(p.routes[2].next_hop), ip("192.0.2.2"));
    EXPECT_EQ(p.routes[2].port, 0);
    ASSERT_EQ(p.neighbors.size(), 1u);
    EXPECT_EQ(addr(p.neighbors[0].addr), ip("192.0.2.2"));
    EXPECT_EQ(p.neighbors[0].mac[5], 2);
    EXPECT_EQ(p.neighbors[0].port, 0);
    EXPECT_EQ(p.neighbors[0].is_static, 1);
    EXPECT_EQ(p.globals.frag, wire::FragPolicy::kBeforeEncryption);
    EXPECT_EQ(p.globals.df, wire::DfPolicy::kCopy);
    EXPECT_EQ(p.globals.replay_window, 1024u);
    ASSERT_EQ(p.spd.size(), 1u);
    EXPECT_EQ(p.spd[0].action, wire::SpdAction::kProtect);
    EXPECT_EQ(p.spd[0].sa_conn_id, sa_of(p, wire::Direction::kOutbound).conn_id);
}

// Two manual entries written in reverse order, deny lines and a `neq` that needs two ranges.
const char* kTwoEntries =
    "interface out\n dpdk-port 0\n ip address 192.0.2.1 255.255.255.0\n crypto map M\n"
    "crypto ipsec transform-set G esp-gcm 256\n"
    "ip access-list extended B\n"
    " deny tcp 198.18.1.0 0.0.0.255 198.18.3.0 0.0.0.255 eq telnet\n"
    " permit ip 198.18.1.0 0.0.0.255 198.18.3.0 0.0.0.255\n"
    "access-list 101 deny udp 198.18.1.0 0.0.0.255 any neq domain\n"
    "access-list 101 permit ip 198.18.1.0 0.0.0.255 198.18.2.0 0.0.0.255\n"
    "crypto map M 20 ipsec-manual\n set peer 192.0.2.3\n set transform-set G\n match address B\n"
    " set session-key inbound esp 300 cipher "
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223\n"
    " set session-key outbound esp 301 cipher "
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223\n"
    "crypto map M 10 ipsec-manual\n set peer 192.0.2.2\n set transform-set G\n match address 101\n"
    " set session-key inbound esp 400 cipher "
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223\n"
    " set session-key outbound esp 401 cipher "
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223\n";

TEST(PolicyCompiler, SpdOrderedBySequenceThenAclLine) {
    const CompiledPolicy p = compile_clean(kTwoEntries);
    ASSERT_EQ(p.spd.size(), 5u);
    struct Want {
        uint32_t seq;
        uint32_t acl_line;
        wire::SpdAction action;
        uint16_t dport_lo, dport_hi;
    };
    using A = wire::SpdAction;
    const Want want[] = {{10, 1, A::kBypass, 0, 52},
                         {10, 1, A::kBypass, 54, 65535},
                         {10, 2, A::kProtect, 0, 65535},
                         {20, 1, A::kBypass, 23, 23},
                         {20, 2, A::kProtect, 0, 65535}};
    for (size_t i = 0; i < 5; ++i) {
        const wire::SpdRule& r = p.spd[i];
        EXPECT_EQ(r.id, i);
        EXPECT_EQ(r.map_seq, want[i].seq) << i;
        EXPECT_EQ(r.acl_line, want[i].acl_line) << i;
        EXPECT_EQ(r.action, want[i].action) << i;
        EXPECT_EQ(r.sel.dport_lo, want[i].dport_lo) << i;
        EXPECT_EQ(r.sel.dport_hi, want[i].dport_hi) << i;
        const uint32_t out_id = sa_of(p, wire::Direction::kOutbound, want[i].seq).conn_id;
        EXPECT_EQ(r.sa_conn_id, r.action == A::kProtect ? out_id : 0u) << i;
    }
    // The SA selector is the first permit line, not the deny before it.
    EXPECT_EQ(addr(sa_of(p, wire::Direction::kOutbound, 20).selector.dst), ip("198.18.3.0"));
    EXPECT_EQ(sa_of(p, wire::Direction::kOutbound, 20).selector.proto, 0);
}

std::string site_a_with(const std::string& extra) {
    return read_config("site-a.cfg") + extra;
}

// `fragments` lines compile to fragments-only SPD rules; the SA's selector skips them, and an
// access list that permits nothing but fragments selects no traffic for an SA.
TEST(PolicyCompiler, FragmentsLinesAreFragmentsOnlyRules) {
    const std::string acl = "access-list 101 permit ip 198.18.1.0 0.0.0.255 198.18.2.0 0.0.0.255\n";
    const size_t at = read_config("site-a.cfg").find(acl);
    ASSERT_NE(at, std::string::npos);
    std::string text = read_config("site-a.cfg");
    text.replace(at, acl.size(),
                 "access-list 101 deny udp host 198.18.1.9 any fragments\n"
                 "access-list 101 permit ip 198.18.1.0 0.0.0.255 198.18.9.0 0.0.0.255 fragments\n" +
                     acl);
    const CompiledPolicy p = compile_clean(text);
    ASSERT_EQ(p.spd.size(), 3u);
    EXPECT_EQ(p.spd[0].fragments_only, 1);
    EXPECT_EQ(p.spd[0].action, wire::SpdAction::kBypass);
    EXPECT_EQ(p.spd[1].fragments_only, 1);
    EXPECT_EQ(p.spd[1].action, wire::SpdAction::kProtect);
    EXPECT_EQ(p.spd[2].fragments_only, 0);
    EXPECT_EQ(addr(sa_of(p, wire::Direction::kOutbound).selector.dst), ip("198.18.2.0"));

    text.replace(text.find(acl), acl.size(), "");
    const ParseResult r = parse_config(text);
    std::vector<Diagnostic> diags;
    const CompiledPolicy none = compile(r.config, &diags);
    EXPECT_TRUE(none.sas.empty());
    ASSERT_TRUE(has_errors(diags));
    EXPECT_NE(test::dump(diags).find("no permit line without 'fragments'"), std::string::npos)
        << test::dump(diags);
}

// An icmp line's message is a selector (RFC 4301 §4.4.1.1): type << 8 | code in the source
// range, all codes of a type when the line names none, the destination range ANY. An ICMP
// selector line gives the SA that selector (its inner policy checks the same message).
TEST(PolicyCompiler, IcmpLinesCompileToTypeAndCodeRanges) {
    const std::string acl = "access-list 101 permit ip 198.18.1.0 0.0.0.255 198.18.2.0 0.0.0.255\n";
    std::string text = read_config("site-a.cfg");
    const size_t at = text.find(acl);
    ASSERT_NE(at, std::string::npos);
    text.replace(at, acl.size(),
                 "access-list 101 permit icmp 198.18.1.0 0.0.0.255 198.18.2.0 0.0.0.255 echo\n"
                 "access-list 101 deny icmp any any echo-reply\n"
                 "access-list 101 deny icmp any any port-unreachable\n"
                 "access-list 101 deny icmp any any 3 4\n"
                 "access-list 101 permit icmp any any\n" +
                     acl);
    const CompiledPolicy p = compile_clean(text);
    ASSERT_EQ(p.spd.size(), 6u);
    const std::pair<uint16_t, uint16_t> want[] = {
        {0x0800, 0x08ff}, {0x0000, 0x00ff}, {0x0303, 0x0303}, {0x0304, 0x0304}, {0, 0xffff}};
    for (size_t i = 0; i < 5; ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(p.spd[i].sel.proto, 1);
        EXPECT_EQ(p.spd[i].sel.sport_lo, want[i].first);
        EXPECT_EQ(p.spd[i].sel.sport_hi, want[i].second);
        EXPECT_EQ(p.spd[i].sel.dport_lo, 0);
        EXPECT_EQ(p.spd[i].sel.dport_hi, 0xffff);
    }
    const wire::Selector sel = sa_of(p, wire::Direction::kOutbound).selector;
    EXPECT_EQ(sel.proto, 1);
    EXPECT_EQ(sel.sport_lo, 0x0800);
    EXPECT_EQ(sel.sport_hi, 0x08ff);
}

// Qualifiers the SPD cannot express widen the line, and the warning says what that means: a
// widened deny line of a crypto ACL leaves more traffic in clear.
TEST(PolicyCompiler, WidenedLinesAreWarnedAboutWithTheirEffect) {
    const std::string acl = "access-list 101 permit ip 198.18.1.0 0.0.0.255 198.18.2.0 0.0.0.255\n";
    std::string text = read_config("site-a.cfg");
    const size_t at = text.find(acl);
    ASSERT_NE(at, std::string::npos);
    text.insert(at,
                "access-list 101 deny icmp host 198.18.1.9 any echo\n"
                "access-list 101 deny tcp host 198.18.1.9 any established\n"
                "access-list 101 permit icmp host 198.18.1.8 any echo\n"
                "access-list 101 deny ip host 198.18.1.7 any dscp ef\n");
    const ParseResult r = parse_config(text);
    std::vector<Diagnostic> diags = r.diagnostics;
    compile(r.config, &diags);
    const std::string all = test::dump(diags);
    // ICMP types are selectors of the SPD now (sadb/spd_match.h): no widening, no warning.
    EXPECT_EQ(all.find("ICMP"), std::string::npos) << all;
    EXPECT_NE(all.find("matches all TCP, so all TCP between its addresses leaves in clear"),
              std::string::npos)
        << all;
    EXPECT_NE(all.find("'dscp' is not supported: the entry ignores it (used by a crypto map, this "
                       "deny line leaves more in clear)"),
              std::string::npos)
        << all;
    EXPECT_EQ(test::of_severity(diags, Severity::kWarning).size(), 2u) << all;
    EXPECT_FALSE(has_errors(diags)) << all;
}

TEST(PolicyCompiler, ReplayWindowRules) {
    EXPECT_EQ(
        sa_of(compile_clean(site_a_with("crypto ipsec security-association replay disable\n")),
              wire::Direction::kInbound)
            .replay_window,
        0u);
    EXPECT_EQ(sa_of(compile_clean(
                        site_a_with("crypto ipsec security-association replay window-size 256\n")),
                    wire::Direction::kInbound)
                  .replay_window,
              256u);
    // Without integrity the sequence number cannot be trusted: no anti-replay.
    std::string cbc = read_config("site-a.cfg");
    cbc.replace(cbc.find("esp-gcm 128"), 11, "esp-aes");
    cbc.replace(cbc.find("cipher 00010203"), 47, "cipher 000102030405060708090a0b0c0d0e0f");
    cbc.replace(cbc.find("cipher 1f1e1d1c"), 47, "cipher 1f1e1d1c1b1a19181716151413121110");
    const ParseResult r = parse_config(cbc);
    ASSERT_TRUE(r.ok()) << test::dump(r.diagnostics);
    std::vector<Diagnostic> diags;
    const CompiledPolicy p = compile(r.config, &diags);
    ASSERT_EQ(p.sas.size(), 2u) << test::dump(diags);
    EXPECT_EQ(p.sas[0].sa.replay_window, 0u);
    EXPECT_EQ(p.sas[0].sa.cipher, static_cast<uint8_t>(crypto::Cipher::kAes128Cbc));
}

TEST(PolicyCompiler, UdpEncapsulationAndDfBit) {
    const CompiledPolicy p = compile_clean(site_a_with(
        "crypto ipsec nat-transparency udp-encapsulation\ncrypto ipsec df-bit clear\n"));
    for (const CompiledSa& s : p.sas) {
        EXPECT_EQ(s.sa.udp_encap, 1);
        EXPECT_EQ(s.sa.udp_local_port, 4500);
        EXPECT_EQ(s.sa.udp_peer_port, 4500);
        EXPECT_EQ(s.sa.df, wire::DfPolicy::kClear);
    }
}

TEST(PolicyCompiler, ConfiguredLifetimeAppliesWithAWarning) {
    const ParseResult r =
        parse_config(site_a_with("crypto ipsec security-association lifetime kilobytes 4608000\n"
                                 "crypto ipsec security-association lifetime seconds 3600\n"));
    std::vector<Diagnostic> diags;
    const CompiledPolicy p = compile(r.config, &diags);
    ASSERT_EQ(p.sas.size(), 2u);
    EXPECT_EQ(p.sas[0].sa.hard_bytes, 4608000ull * 1024);
    EXPECT_EQ(p.sas[0].sa.soft_bytes, 4608000ull * 1024 * 9 / 10);
    EXPECT_EQ(p.sas[0].lifetime_seconds, 3600u);
    EXPECT_EQ(test::of_severity(diags, Severity::kWarning).size(), 1u) << test::dump(diags);
    EXPECT_NE(test::dump(diags).find("they stop at the configured lifetime"), std::string::npos);
}

// idle-time: the entry's `set security-association idle-time` over the global one; the lint
// warning names it (the tunnel stops and manual SAs are not renegotiated).
TEST(PolicyCompiler, IdleTimeEntryOverGlobalWithAWarning) {
    std::string text = site_a_with("crypto ipsec security-association idle-time 600\n");
    std::vector<Diagnostic> diags;
    CompiledPolicy p = compile(parse_config(text).config, &diags);
    ASSERT_EQ(p.sas.size(), 2u);
    EXPECT_EQ(p.sas[0].idle_seconds, 600u);
    EXPECT_EQ(p.sas[1].idle_seconds, 600u);
    EXPECT_EQ(p.sas[0].lifetime_seconds, 0u);
    const auto warnings = test::of_severity(diags, Severity::kWarning);
    ASSERT_EQ(warnings.size(), 1u) << test::dump(diags);
    EXPECT_NE(warnings[0].message.find("after the configured idle-time"), std::string::npos);
    const size_t at = text.find(" set session-key inbound");
    ASSERT_NE(at, std::string::npos);
    text.insert(at, " set security-association idle-time 120\n");
    const ParseResult r = parse_config(text);
    ASSERT_TRUE(r.ok()) << test::dump(r.diagnostics);
    p = compile(r.config, &diags);
    EXPECT_EQ(p.sas[0].idle_seconds, 120u);
}

TEST(PolicyCompiler, ConnIdsAreStable) {
    const CompiledPolicy a = compile_clean(kTwoEntries);
    const CompiledPolicy b = compile_clean(kTwoEntries);
    ASSERT_EQ(a.sas.size(), 4u);
    for (size_t i = 0; i < a.sas.size(); ++i)
        EXPECT_EQ(a.sas[i].sa.conn_id, b.sas[i].sa.conn_id);
    EXPECT_NE(conn_id_hash("M", 10, true), conn_id_hash("M", 10, false));
    EXPECT_NE(conn_id_hash("M", 10, true), conn_id_hash("M", 20, true));
    EXPECT_NE(conn_id_hash("M1", 0, true), conn_id_hash("M", 10, true));
    ConnIdAllocator ids;
    EXPECT_NE(ids.allocate("M", 10, true), ids.allocate("M", 10, true));  // collisions move on
}

TEST(PolicyCompiler, HubAndSpokeCompileWithoutErrors) {
    for (const char* name : {"hub.cfg", "spoke.cfg"}) {
        const ParseResult r = parse_config(read_config(name));
        std::vector<Diagnostic> diags;
        const CompiledPolicy p = compile(r.config, &diags);
        EXPECT_FALSE(has_errors(diags)) << name << "\n" << test::dump(diags);
        EXPECT_TRUE(p.sas.empty());  // IKE entries wait for the IKE engine
        EXPECT_TRUE(p.spd.empty());
        EXPECT_EQ(p.interfaces.size(), 2u);
    }
}

TEST(PolicyCompiler, IncompleteEntryIsNotInstalled) {
    std::string text = read_config("site-a.cfg");
    text.erase(text.find(" set peer 192.0.2.2\n"), 20);
    const ParseResult r = parse_config(text);
    std::vector<Diagnostic> diags;
    const CompiledPolicy p = compile(r.config, &diags);
    EXPECT_TRUE(p.sas.empty());
    EXPECT_TRUE(p.spd.empty());
    EXPECT_TRUE(has_errors(diags));
}

TEST(PolicyCompiler, UnresolvedNextHopIsAWarning) {
    const ParseResult r = parse_config(site_a_with("ip route 10.0.0.0 255.0.0.0 203.0.113.1\n"));
    std::vector<Diagnostic> diags;
    const CompiledPolicy p = compile(r.config, &diags);
    EXPECT_EQ(p.routes.size(), 3u);
    EXPECT_EQ(test::lines_of(diags, Severity::kWarning), std::vector<int>{26});
}

TEST(PolicyMessages, FullTransaction) {
    CompiledPolicy p = compile_clean(kTwoEntries);
    // 60 SPD rules need three messages.
    p.spd.resize(60, p.spd[0]);
    std::vector<wire::Msg> msgs = to_messages(p, 7, true);
    using T = wire::MsgType;
    ASSERT_GE(msgs.size(), 3u);
    EXPECT_EQ(msgs.front().hdr.type, T::kConfigBegin);
    EXPECT_EQ(msgs.front().body.begin.full, 1);
    EXPECT_EQ(msgs.back().hdr.type, T::kConfigCommit);
    EXPECT_EQ(msgs.back().body.commit.generation, 7u);
    size_t sa_adds = 0, spd_msgs = 0, spd_rules = 0;
    for (const wire::Msg& m : msgs) {
        EXPECT_TRUE(wire::header_ok(m));
        EXPECT_EQ(m.hdr.generation, 7u);
        if (m.hdr.type == T::kSaAdd) ++sa_adds;
        if (m.hdr.type == T::kSpdRules) ++spd_msgs, spd_rules += m.body.spd.count;
    }
    EXPECT_EQ(sa_adds, 4u);
    EXPECT_EQ(spd_msgs, (60 + wire::kSpdRulesPerMsg - 1) / wire::kSpdRulesPerMsg);
    EXPECT_EQ(spd_rules, 60u);
    wipe_keys(msgs);
    for (const wire::Msg& m : msgs) {
        if (m.hdr.type != T::kSaAdd) continue;
        const auto* key = m.body.sa.cipher_key;
        EXPECT_TRUE(
            std::all_of(key, key + sizeof(m.body.sa.cipher_key), [](uint8_t b) { return b == 0; }));
    }
}

TEST(PolicyMessages, EmptySpdIsStillASnapshot) {
    const ParseResult r = parse_config(read_config("hub.cfg"));
    std::vector<Diagnostic> diags;
    const std::vector<wire::Msg> msgs = to_messages(compile(r.config, &diags), 1, true);
    const auto n = std::count_if(msgs.begin(), msgs.end(),
                                 [](auto& m) { return m.hdr.type == wire::MsgType::kSpdRules; });
    EXPECT_EQ(n, 1);
}

}  // namespace
}  // namespace espgw::control
