// The lint of `espgw-control --check`: the set algebra against a naive packet-by-packet
// reference, one configuration per rule that triggers exactly its finding, the sample and lab
// configurations free of false positives, and the exit statuses and output lines.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "control/config_lint.h"
#include "control/config_lint_match.h"
#include "tests/control/control_test_util.h"

namespace espgw::control {
namespace {

using test::dump;
using test::read_config;

// ---- set algebra --------------------------------------------------------------------------

// A packet: what the SPD classifies. A non-initial fragment shows no ports.
struct Packet {
    uint8_t proto;
    uint32_t src, dst;
    uint16_t sport, dport;
    bool fragment = false;
};

// What the SPD compiles as ANY ports (dataplane/spd.cc any_port).
bool any_port(const PortMatch& m) {
    return m.op == PortOp::kAny || (m.op == PortOp::kRange && m.lo == 0 && m.hi == 65535);
}

bool port_matches(const PortMatch& m, uint16_t p) {
    if (any_port(m)) return true;
    if (p == 0) return false;  // reserved: in no restricted range (dataplane/spd.h)
    switch (m.op) {
        case PortOp::kEq:
            return p == m.lo;
        case PortOp::kNeq:
            return p != m.lo;
        case PortOp::kLt:
            return p < m.lo;
        case PortOp::kGt:
            return p > m.lo;
        default:
            return p >= m.lo && p <= m.hi;
    }
}

// The reference: IOS ACL semantics written out, one packet at a time. A non-initial fragment
// matches a line with ports on protocol and addresses if the line is a permit, never if it is a
// deny; a line with `fragments` matches nothing else ("Access Control Lists and IP Fragments").
bool matches(const AclEntry& e, const Packet& p) {
    const auto addr_ok = [](const AddrMatch& m, uint32_t a) {
        return (a & ~m.wildcard.value) == (m.addr.value & ~m.wildcard.value);
    };
    if ((e.protocol != 0 && e.protocol != p.proto) || !addr_ok(e.src, p.src) ||
        !addr_ok(e.dst, p.dst))
        return false;
    if (e.fragments) return p.fragment;
    const bool l4 = !any_port(e.sport) || !any_port(e.dport) || e.icmp_type;
    if (p.fragment) return !l4 || e.action == AclAction::kPermit;
    // ICMP packets carry their type in `sport` and code in `dport`.
    if (e.icmp_type) return p.sport == *e.icmp_type && (!e.icmp_code || p.dport == *e.icmp_code);
    return port_matches(e.sport, p.sport) && port_matches(e.dport, p.dport);
}

// Addresses vary in their low 3 bits around two bases; wildcards are 3 random low bits, all
// high bits either fixed or free. Ports use values 1..7, so 0..7 and 65535 stand for every
// port, and a third base for every other address: the universe below decides every question
// about these entries.
constexpr uint32_t kBases[] = {0xC6120100u, 0xC6120200u, 0x0A000000u};

class RandomEntries {
  public:
    explicit RandomEntries(uint32_t seed) : rng_(seed) {}

    AclEntry next() {
        AclEntry e;
        e.action = rng_() % 3 == 0 ? AclAction::kDeny : AclAction::kPermit;
        e.protocol = pick({0, 1, 6, 6, 17, 17});
        e.src = addr();
        e.dst = addr();
        if (e.protocol == 6 || e.protocol == 17) {
            e.sport = port();
            e.dport = port();
        }
        if (e.protocol == 1 && rng_() % 3 != 0) {  // echo-reply, unreachable, echo; some code
            e.icmp_type = pick({0, 3, 8});
            if (rng_() % 2 == 0) e.icmp_code = pick({0, 3, 4});
        }
        e.fragments = any_port(e.sport) && any_port(e.dport) && !e.icmp_type && rng_() % 4 == 0;
        return e;
    }

  private:
    uint8_t pick(std::initializer_list<uint8_t> v) { return v.begin()[rng_() % v.size()]; }
    AddrMatch addr() {
        const uint32_t base = kBases[rng_() % 2];
        const uint32_t high_free = rng_() % 4 == 0 ? 0xfffffff8u : 0;
        return AddrMatch{Ipv4{base | low3()}, Ipv4{high_free | low3()}};
    }
    PortMatch port() {
        const auto op = static_cast<PortOp>(rng_() % 6);
        const auto lo = static_cast<uint16_t>(1 + rng_() % 5);
        const auto hi = static_cast<uint16_t>(lo + rng_() % 3);
        return PortMatch{op, lo, op == PortOp::kRange ? hi : uint16_t{0}};
    }
    uint32_t low3() { return static_cast<uint32_t>(rng_() & 7); }
    std::mt19937 rng_;
};

std::vector<Packet> universe() {
    std::vector<uint32_t> addrs;
    for (uint32_t base : kBases)
        for (uint32_t low = 0; low < 8; ++low)
            addrs.push_back(base | low);
    std::vector<uint16_t> ports = {0, 1, 2, 3, 4, 5, 6, 7, 65535};
    std::vector<Packet> v;
    for (uint8_t proto : {1, 6, 17})
        for (uint32_t src : addrs)
            for (uint32_t dst : addrs)
                for (uint16_t sp : proto == 1 ? std::vector<uint16_t>{0, 3, 8, 11} : ports)
                    for (uint16_t dp : proto == 1 ? std::vector<uint16_t>{0, 3, 4} : ports)
                        v.push_back({proto, src, dst, sp, dp});
    for (uint8_t proto : {1, 6, 17})
        for (uint32_t src : addrs)
            for (uint32_t dst : addrs)
                v.push_back({proto, src, dst, 0, 0, true});
    return v;
}

std::string text(const AclEntry& e) {
    auto addr = [](const AddrMatch& m) {
        return m.addr.to_string() + " " + m.wildcard.to_string();
    };
    auto port = [](const PortMatch& m) {
        return std::to_string(static_cast<int>(m.op)) + ":" + std::to_string(m.lo) + "-" +
               std::to_string(m.hi);
    };
    return std::string(e.action == AclAction::kPermit ? "permit " : "deny ") +
           std::to_string(e.protocol) + " " + addr(e.src) + " " + port(e.sport) + " " +
           addr(e.dst) + " " + port(e.dport) +
           (e.icmp_type ? " icmp " + std::to_string(*e.icmp_type) +
                              (e.icmp_code ? "/" + std::to_string(*e.icmp_code) : "")
                        : "") +
           (e.fragments ? " fragments" : "");
}

TEST(LintMatch, AgreesWithNaiveReferenceOnRandomEntries) {
    const std::vector<Packet> packets = universe();
    RandomEntries gen(4301);
    int n_covers = 0, n_overlaps = 0, n_disjoint = 0;  // the test must see all three
    for (int round = 0; round < 1200; ++round) {
        const AclEntry a = gen.next();
        AclEntry b = gen.next();
        if (round % 3 == 0) b.dst = a.dst;  // so that src/port relations decide more often
        bool a_in_b = true, b_in_a = true, both = false;
        for (const Packet& p : packets) {
            const bool ma = matches(a, p), mb = matches(b, p);
            a_in_b &= !ma || mb;
            b_in_a &= !mb || ma;
            both |= ma && mb;
        }
        const TrafficMatch ta = TrafficMatch::of(a), tb = TrafficMatch::of(b);
        ASSERT_EQ(covers(tb, ta), a_in_b)
            << "round " << round << ": " << text(a) << " / " << text(b);
        ASSERT_EQ(covers(ta, tb), b_in_a) << "round " << round;
        ASSERT_EQ(intersects(ta, tb), both) << "round " << round;
        (a_in_b || b_in_a ? n_covers : both ? n_overlaps : n_disjoint)++;
    }
    EXPECT_GE(n_covers, 40);
    EXPECT_GE(n_overlaps, 40);
    EXPECT_GE(n_disjoint, 40);
    std::printf("covers %d, overlaps %d, disjoint %d\n", n_covers, n_overlaps, n_disjoint);
}

AclEntry acl_line(const std::string& text) {
    const Config c = test::parse_clean("access-list 101 " + text + "\n");
    return c.access_lists.at(0).entries.at(0);
}

struct Relation {
    const char* earlier;
    const char* later;
    bool covers;
    bool intersects;
};

// Cases the random test cannot reach: full 32-bit wildcards, non-contiguous ones, big ports.
constexpr Relation kRelations[] = {
    {"permit ip any any", "permit tcp host 10.0.0.1 any eq 80", true, true},
    {"permit tcp any any", "permit ip any any", false, true},
    {"permit ip 10.0.0.0 0.255.255.255 any", "permit ip 10.1.0.0 0.0.255.255 any", true, true},
    {"permit ip 10.1.0.0 0.0.255.255 any", "permit ip 10.0.0.0 0.255.255.255 any", false, true},
    {"permit ip 10.0.0.0 0.0.0.255 any", "permit ip 10.0.1.0 0.0.0.255 any", false, false},
    // non-contiguous: 10.0.x.1 for every x, against 10.0.5.0/24 and 10.0.5.1
    {"permit ip 10.0.0.1 0.0.255.0 any", "permit ip host 10.0.5.1 any", true, true},
    {"permit ip 10.0.0.1 0.0.255.0 any", "permit ip 10.0.5.0 0.0.0.255 any", false, true},
    {"permit ip 10.0.0.1 0.0.255.0 any", "permit ip 10.0.0.2 0.255.0.0 any", false, false},
    {"permit tcp any any neq 80", "permit tcp any any gt 1023", true, true},
    {"permit tcp any any neq 80", "permit tcp any any range 79 81", false, true},
    {"permit tcp any any gt 1023", "permit tcp any any", false, true},  // ports 0-1023
    // Non-initial fragments: a permit line with ports takes them, a deny line with ports not.
    {"permit tcp any any eq 22", "permit tcp any any eq 80", false, true},
    {"deny tcp any any eq 22", "permit tcp any any eq 80", false, false},
    {"permit tcp any any gt 0", "permit tcp any any", false, true},  // port 0 packets
    {"deny tcp any any range 0 65535", "permit tcp any any eq 80", true, true},
    {"permit udp any any eq 53", "deny udp any any", false, true},
    {"permit tcp any any range 0 65535", "permit tcp any any", true, true},
    {"permit udp any any eq 500", "permit tcp any any eq 500", false, false},
    // ICMP type and code (type 0 code 0, an echo reply, is a value like any other); permit
    // lines with a type share the non-initial fragments, deny lines with one take none.
    {"permit icmp any any echo", "permit icmp any any echo-reply", false, true},
    {"deny icmp any any echo", "deny icmp any any echo-reply", false, false},
    {"permit icmp any any unreachable", "permit icmp any any port-unreachable", true, true},
    {"deny icmp any any 3 4", "deny icmp any any port-unreachable", false, false},
    {"permit icmp any any", "deny icmp any any echo-reply", true, true},
    {"permit icmp any any echo-reply", "deny icmp any any 0 0", true, true},
    {"deny icmp any any echo-reply", "permit icmp any any 0 0", false, true},
    {"deny icmp any any echo", "permit ip any any fragments", false, false},
    // `fragments`: non-initial fragments only, of every protocol.
    {"deny ip any any fragments", "permit ip any any", false, true},
    {"permit ip any any", "deny tcp host 10.0.0.1 any fragments", true, true},
    {"permit ip any any fragments", "permit icmp any any fragments", true, true},
    {"permit tcp any any eq 80", "deny tcp any any fragments", true, true},
    {"deny tcp any any eq 80", "permit tcp any any fragments", false, false},
    {"permit ip any any fragments", "permit udp any any eq 53", false, true},
    {"permit icmp any any fragments", "permit tcp any any", false, false},
};

TEST(LintMatch, HandPickedRelations) {
    for (const Relation& r : kRelations) {
        const TrafficMatch a = TrafficMatch::of(acl_line(r.earlier));
        const TrafficMatch b = TrafficMatch::of(acl_line(r.later));
        EXPECT_EQ(covers(a, b), r.covers) << r.earlier << " / " << r.later;
        EXPECT_EQ(intersects(a, b), r.intersects) << r.earlier << " / " << r.later;
        EXPECT_EQ(intersects(b, a), r.intersects) << r.later << " / " << r.earlier;
    }
}

// ---- one configuration per rule ------------------------------------------------------------

// Every diagnostic --check prints for a text: parser, validator, compiler, lint.
std::vector<Diagnostic> check_diagnostics(const std::string& text) {
    ParseResult r = parse_config(text);
    std::vector<Diagnostic> diags = std::move(r.diagnostics);
    if (has_errors(diags)) return diags;
    compile(r.config, &diags);
    lint_config(r.config, &diags);
    return diags;
}

std::vector<Diagnostic> lint_only(const std::string& text) {
    ParseResult r = parse_config(text);
    EXPECT_TRUE(r.ok()) << dump(r.diagnostics);
    std::vector<Diagnostic> diags;
    lint_config(r.config, &diags);
    return diags;
}

struct Expected {
    int line;
    const char* text;      // a part of the message
    bool has_hint = true;  // lint findings always say how to fix them
};

struct RuleCase {
    const char* file;
    std::vector<Expected> warnings;  // all of them, in line order
};

const RuleCase kRuleCases[] = {
    {"shadowed-line.cfg", {{12, "access-list 101: this line never matches: line 11 covers it"}}},
    {"shadowed-entry.cfg",
     {{12,
       "access-list 102 line 12 (crypto map VPN 20) never matches: access-list 101 line 11 "
       "(crypto map VPN 10, peer 192.0.2.2) takes all of its traffic first"}}},
    {"overlap.cfg",
     {{12,
       "access-list 102 line 12 (crypto map VPN 20, peer 192.0.2.3) overlaps access-list 101 "
       "line 11 (crypto map VPN 10, peer 192.0.2.2): traffic matching both goes to crypto "
       "map VPN 10"}}},
    // Port 22 to one peer, port 80 to another: their later fragments show no port and the
    // first permit line takes them all.
    {"overlap-fragments.cfg",
     {{12,
       "access-list 102 line 12 (crypto map VPN 20, peer 192.0.2.3) overlaps access-list 101 "
       "line 11 (crypto map VPN 10, peer 192.0.2.2): their non-initial fragments go to crypto "
       "map VPN 10"}}},
    // A deny line of a crypto ACL means "in clear", also with `fragments`.
    {"deny-fragments.cfg",
     {{11,
       "access-list 101 line 11 (crypto map VPN 10): a deny line of a crypto access list "
       "bypasses IPsec: these non-initial fragments are sent in clear, not dropped"}}},
    // ICMP messages are selectors: `unreachable` (all codes) covers `port-unreachable`, the deny
    // of echo replies is a message of its own (no finding), and the manual SA carries line 11's
    // selector, ICMP unreachables only, so the `permit ip` line's traffic fails inbound.
    {"icmp-types.cfg",
     {{12, "access-list 101: this line never matches: line 11 covers it"},
      {14, "its SAs carry the selectors of access-list 101 line 11 only"}}},
    {"deny-shadow.cfg",
     {{13,
       "never protects its traffic: access-list 101 line 11 (crypto map VPN 10, peer "
       "192.0.2.2) denies all of it first and espgw sends it in clear"}}},
    {"same-acl.cfg",
     {{21,
       "crypto map VPN 20 never matches: its access-list 101 is also used by crypto map VPN "
       "10"}}},
    {"manual-selectors.cfg",
     {{12,
       "crypto map VPN 10 is manually keyed: its SAs carry the selectors of access-list 101 "
       "line 11 only"}}},
    {"mirrored-keys.cfg",
     {{17,
       "crypto map VPN 10: inbound and outbound session keys are identical: both directions "
       "reuse the same IVs under one key"}}},
    {"mirrored-spi.cfg", {{17, "inbound and outbound SPI are both 4097"}}},
    {"outbound-spi.cfg",
     {{24, "outbound SPI 8193 towards 192.0.2.2 is already used by crypto map VPN 10"}}},
    {"legacy-null.cfg", {{10, "transform set NULLSHA uses esp-null"}}},
    {"legacy-3des.cfg", {{10, "legacy algorithm (DES, 3DES or MD5)"}}},  // once, used twice
    {"legacy-isakmp.cfg", {{2, "crypto isakmp policy 10 uses legacy 3des and md5"}}},
    {"mtu-small.cfg",
     {{13,
       "crypto map VPN 10 (transform set GCM) on port0: MTU 600 leaves room for inner packets "
       "of at most 546 bytes (outer IP 20, ESP 8, IV 8, padding up to 3, trailer 2, ICV 16), "
       "less than the 576 bytes"}}},
    {"mtu-mss.cfg",
     {{13,
       "MTU 1500 leaves room for inner packets of at most 1446 bytes (outer IP 20, ESP 8, IV "
       "8, padding up to 3, trailer 2, ICV 16), less than the clamped MSS 1460 + 40 of "
       "port1"}}},
    {"isakmp-incomplete.cfg",
     {{11,
       "crypto map VPN 10: % NOTE: This new crypto map will remain disabled until a peer and "
       "a valid access list have been configured."},
      {11, "needs IKE, which is not implemented yet", false}}},
    {"isakmp-deny-acl.cfg",
     {{12, "needs IKE, which is not implemented yet", false},
      {15,
       "crypto map VPN 10: access-list 120 has only deny lines: the entry never protects "
       "traffic"}}},
    {"local-address.cfg",
     {{12, "crypto map VPN is not applied to a usable interface"},
      {18, "crypto map VPN local-address port1: the interface does not carry crypto map VPN"}}},
};

class LintRule : public testing::TestWithParam<RuleCase> {};

TEST_P(LintRule, TriggersExactlyItsFinding) {
    const RuleCase& c = GetParam();
    const std::vector<Diagnostic> diags =
        check_diagnostics(read_config(std::string("lint/") + c.file));
    EXPECT_TRUE(test::of_severity(diags, Severity::kError).empty()) << dump(diags);
    const auto warnings = test::of_severity(diags, Severity::kWarning);
    ASSERT_EQ(warnings.size(), c.warnings.size()) << dump(diags);
    for (size_t k = 0; k < warnings.size(); ++k) {
        EXPECT_EQ(warnings[k].line, c.warnings[k].line) << dump(diags);
        EXPECT_NE(warnings[k].message.find(c.warnings[k].text), std::string::npos)
            << warnings[k].message;
        EXPECT_EQ(!warnings[k].hint.empty(), c.warnings[k].has_hint) << warnings[k].message;
    }
}

INSTANTIATE_TEST_SUITE_P(LintConfigs, LintRule, testing::ValuesIn(kRuleCases),
                         [](const testing::TestParamInfo<RuleCase>& i) {
                             std::string n = i.param.file;
                             n = n.substr(0, n.find('.'));
                             for (char& ch : n)
                                 if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                             return n;
                         });

// ---- SPD cases without a file of their own -------------------------------------------------

// lint/clean.cfg (entry VPN 10 -> 192.0.2.2, access-list 101 198.18.1.0/24 -> 198.18.2.0/24)
// plus a second manually keyed entry and its access list 102 from line 18 on.
std::string with_second_entry(const std::string& acl102, const char* peer = "192.0.2.3") {
    return read_config("lint/clean.cfg") + "access-list 102 " + acl102 +
           "\ncrypto map VPN 20 ipsec-manual\n set peer " + peer +
           "\n set transform-set GCM\n match address 102\n"
           " set session-key inbound esp 4098 cipher 202122232425262728292a2b2c2d2e2f30313233\n"
           " set session-key outbound esp 8194 cipher 4f4e4d4c4b4a494847464544434241403f3e3d3c\n";
}

TEST(LintSpd, OverlapTowardsTheSamePeerAndTransformIsHarmless) {
    const std::string text =
        with_second_entry("permit tcp 198.18.1.0 0.0.0.255 198.18.0.0 0.0.255.255", "192.0.2.2");
    EXPECT_TRUE(check_diagnostics(text).empty()) << dump(check_diagnostics(text));
}

TEST(LintSpd, DisjointEntriesHaveNoFinding) {
    const std::string text =
        with_second_entry("permit ip 198.18.1.0 0.0.0.255 198.18.3.0 0.0.0.255");
    EXPECT_TRUE(check_diagnostics(text).empty()) << dump(check_diagnostics(text));
}

TEST(LintSpd, PartlyDeniedByAnEarlierEntryIsSentInClear) {
    std::string text = with_second_entry("permit ip 198.18.1.0 0.0.0.255 198.18.3.0 0.0.0.255");
    text.insert(text.find("access-list 101"),
                "access-list 101 deny tcp 198.18.1.0 0.0.0.255 198.18.3.0 0.0.0.255 eq 22\n");
    const auto found = lint_only(text);
    ASSERT_EQ(found.size(), 1u) << dump(found);
    EXPECT_EQ(found[0].line, 19);
    EXPECT_NE(found[0].message.find("part of its traffic is denied first by access-list 101 line "
                                    "11 (crypto map VPN 10, peer 192.0.2.2) and sent in clear"),
              std::string::npos)
        << found[0].message;
}

// IKE entries are linted too (their rules join the SPD once negotiated), and their access lists
// may use non-contiguous wildcards, which the set logic handles exactly.
TEST(LintSpd, NonContiguousWildcardsOfIkeEntries) {
    const std::string text = read_config("lint/isakmp-deny-acl.cfg") +
                             "access-list 120 permit ip 198.18.1.0 0.0.0.255 10.0.0.1 0.0.255.0\n"
                             "access-list 130 permit ip 198.18.1.0 0.0.0.255 host 10.0.7.1\n"
                             "access-list 130 permit ip 198.18.1.0 0.0.0.255 host 10.0.7.2\n"
                             "crypto map VPN 20 ipsec-isakmp\n set peer 192.0.2.3\n"
                             " set transform-set GCM\n match address 130\n";
    const auto found = lint_only(text);
    ASSERT_EQ(found.size(), 1u) << dump(found);
    EXPECT_EQ(found[0].line, 17);  // host 10.0.7.1 is 10.0.x.1; 10.0.7.2 is not
    EXPECT_NE(found[0].message.find("never matches: access-list 120 line 16"), std::string::npos)
        << found[0].message;
}

// ---- no false positives --------------------------------------------------------------------

TEST(LintClean, SiteLabAndBaseConfigurationsHaveNoFinding) {
    for (const char* name : {"site-a.cfg", "site-b.cfg", "lint/clean.cfg",
                             "../../lab/configs/site-a.cfg", "../../lab/configs/site-b.cfg"}) {
        const std::string text = read_config(name);
        ASSERT_FALSE(text.empty()) << name;
        EXPECT_TRUE(check_diagnostics(text).empty()) << name << "\n"
                                                     << dump(check_diagnostics(text));
    }
}

// The hub and spoke of requirements.md §4.1 really run 3DES in IKE: that is their only finding.
TEST(LintClean, HubAndSpokeOnlyFlagTheirLegacyIkePolicy) {
    for (const char* name : {"hub.cfg", "spoke.cfg"}) {
        const std::vector<Diagnostic> found = lint_only(read_config(name));
        ASSERT_EQ(found.size(), 1u) << name << "\n" << dump(found);
        EXPECT_NE(found[0].message.find("crypto isakmp policy 10 uses legacy 3des"),
                  std::string::npos);
    }
}

// ---- --check: exit status and output -------------------------------------------------------

struct CheckRun {
    int status;
    std::vector<std::string> lines;
};

CheckRun run_check(const std::string& text, bool allow_warnings = false) {
    char* buf = nullptr;
    size_t len = 0;
    std::FILE* out = open_memstream(&buf, &len);
    const int status = check_config_text(text, "x.cfg", CheckOptions{allow_warnings}, out);
    std::fclose(out);
    CheckRun r{status, {}};
    std::string all(buf, len);
    std::free(buf);
    for (size_t pos = 0, nl; (nl = all.find('\n', pos)) != std::string::npos; pos = nl + 1)
        r.lines.push_back(all.substr(pos, nl - pos));
    return r;
}

TEST(LintCheck, CleanFileExitsZeroWithASummary) {
    const CheckRun r = run_check(read_config("site-a.cfg"));
    EXPECT_EQ(r.status, kCheckClean);
    ASSERT_EQ(r.lines.size(), 1u);
    EXPECT_EQ(r.lines[0], "x.cfg: 0 errors, 0 warnings, 0 ignored lines: clean");
}

TEST(LintCheck, WarningsExitThreeOrZeroWhenAllowed) {
    const std::string text = read_config("lint/overlap.cfg");
    const CheckRun r = run_check(text);
    EXPECT_EQ(r.status, kCheckWarnings);
    ASSERT_EQ(r.lines.size(), 2u);
    EXPECT_EQ(r.lines[0].rfind("x.cfg:12: warning: access-list 102 line 12", 0), 0u) << r.lines[0];
    EXPECT_NE(r.lines[0].find(" (hint: make the crypto access lists disjoint"), std::string::npos);
    EXPECT_EQ(r.lines[1],
              "x.cfg: 0 errors, 1 warning, 0 ignored lines: the configuration can be applied");
    EXPECT_EQ(run_check(text, true).status, kCheckClean);
}

TEST(LintCheck, ErrorsExitOneEvenWhenWarningsAreAllowed) {
    const CheckRun r = run_check(read_config("lint/manual-incomplete.cfg"), true);
    EXPECT_EQ(r.status, kCheckErrors);
    EXPECT_NE(r.lines.front().find("x.cfg:12: error: crypto map VPN 10 has no peer"),
              std::string::npos);
    EXPECT_NE(r.lines.back().find("the configuration cannot be applied"), std::string::npos);
}

// The compiler and the lint need a complete model: parse errors come alone.
TEST(LintCheck, ParseErrorsComeWithoutLintFindings) {
    const CheckRun r = run_check(read_config("hub-verbatim.cfg"));
    EXPECT_EQ(r.status, kCheckErrors);
    for (const std::string& l : r.lines)
        EXPECT_EQ(l.find("crypto isakmp policy 10 uses legacy"), std::string::npos) << l;
}

TEST(LintCheck, UnreadableFileIsAnError) {
    char* buf = nullptr;
    size_t len = 0;
    std::FILE* out = open_memstream(&buf, &len);
    EXPECT_EQ(check_config_file("/nonexistent/espgw.cfg", {}, out), kCheckErrors);
    std::fclose(out);
    EXPECT_EQ(std::string(buf, len), "/nonexistent/espgw.cfg: cannot be read\n");
    std::free(buf);
}

// A mirrored-key finding names the entry, never the key.
TEST(LintCheck, KeysAreNeverPrinted) {
    const CheckRun r = run_check(read_config("lint/mirrored-keys.cfg"));
    for (const std::string& l : r.lines)
        EXPECT_EQ(l.find("0405060708"), std::string::npos) << l;
}

}  // namespace
}  // namespace espgw::control
