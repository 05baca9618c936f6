// SPD snapshot: ordered first match (RFC 4301 §4.4.1), fragments, ports and ICMP types, refused
// rules, and the rte_acl trie checked against a naive linear scan on random rules and packets.
#include "dataplane/spd.h"

#include <gtest/gtest.h>
#include <rte_cycles.h>
#include <rte_memory.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "dataplane/bytes.h"
#include "dataplane/spd_cache.h"

namespace espgw::dataplane {
namespace {

using sadb::wire::SpdAction;
using sadb::wire::SpdRule;

constexpr uint8_t kTcp = 6;
constexpr uint8_t kUdp = 17;
constexpr uint8_t kIcmp = 1;
constexpr uint32_t kNo = SpdSnapshot::kNoMatch;

uint32_t ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return uint32_t{a} << 24 | uint32_t{b} << 16 | uint32_t{c} << 8 | d;
}

struct Range {
    uint16_t lo = 0, hi = 0xffff;
};

SpdRule make_rule(uint32_t id, uint32_t src, uint8_t src_len, uint32_t dst, uint8_t dst_len,
                  uint8_t proto = 0, Range sport = {}, Range dport = {}) {
    SpdRule r{};
    r.id = id;
    r.action = SpdAction::kProtect;
    r.sel.src.version = 4;
    store_be32(r.sel.src.bytes, src);
    r.sel.dst.version = 4;
    store_be32(r.sel.dst.bytes, dst);
    r.sel.src_prefix = src_len;
    r.sel.dst_prefix = dst_len;
    r.sel.proto = proto;
    r.sel.sport_lo = sport.lo;
    r.sel.sport_hi = sport.hi;
    r.sel.dport_lo = dport.lo;
    r.sel.dport_hi = dport.hi;
    return r;
}

struct Packet {
    uint32_t src = 0, dst = 0;
    uint8_t proto = 0;
    uint16_t sport = 0, dport = 0;
    bool later_fragment = false;  // fragment offset != 0
    uint8_t options = 0;          // 32-bit words of IP options
};

// An IPv4 header (+ options) followed by the first 4 bytes of the L4 header.
std::array<uint8_t, 64> encode(const Packet& p) {
    std::array<uint8_t, 64> b{};
    const uint32_t ihl = 20 + 4u * p.options;
    b[0] = static_cast<uint8_t>(0x40 | (ihl / 4));
    store_be16(&b[2], static_cast<uint16_t>(ihl + 8));
    store_be16(&b[6], p.later_fragment ? 185 : 0);  // offset 185 * 8 bytes
    b[8] = 64;
    b[9] = p.proto;
    store_be32(&b[12], p.src);
    store_be32(&b[16], p.dst);
    for (uint32_t i = 20; i < ihl; ++i)
        b[i] = 0xa5;  // options that look like ports
    store_be16(&b[ihl], p.sport);
    store_be16(&b[ihl + 2], p.dport);
    return b;
}

// The specification, written as plainly as possible.
bool prefix_has(const sadb::wire::Addr& a, uint8_t len, uint32_t ip) {
    if (len == 0) return true;
    const uint32_t mask = ~uint32_t{0} << (32 - len);
    return (load_be32(a.bytes) & mask) == (ip & mask);
}

bool any_ports(uint16_t lo, uint16_t hi) {
    return lo == 0 && hi == 0xffff;
}

// Port 0 is reserved (RFC 6335 §6): a restricted range never holds it.
bool ports_ok(uint16_t lo, uint16_t hi, uint16_t port) {
    return any_ports(lo, hi) || (port != 0 && lo <= port && port <= hi);
}

// A non-initial fragment has no ports (RFC 4301 §7). As in an IOS ACL, a permit (PROTECT)
// entry with ports matches it on addresses and protocol, a deny (BYPASS, DISCARD) entry with
// ports never does, and an entry with the `fragments` keyword matches nothing but such fragments.
bool naive_matches(const SpdRule& r, const Packet& p) {
    const auto& s = r.sel;
    if (s.proto != 0 && s.proto != p.proto) return false;
    if (!prefix_has(s.src, s.src_prefix, p.src) || !prefix_has(s.dst, s.dst_prefix, p.dst)) {
        return false;
    }
    if (r.fragments_only != 0) return p.later_fragment;
    // Only TCP/UDP rules have ports, ICMP rules types and codes.
    if (p.proto != kTcp && p.proto != kUdp && p.proto != kIcmp) return true;
    if (p.later_fragment) {
        const bool ported =
            !any_ports(s.sport_lo, s.sport_hi) || !any_ports(s.dport_lo, s.dport_hi);
        return !ported || r.action == SpdAction::kProtect;
    }
    // ICMP: type << 8 | code in the source range, echo reply (0/0) included; checksum ignored.
    if (p.proto == kIcmp) return s.sport_lo <= p.sport && p.sport <= s.sport_hi;
    return ports_ok(s.sport_lo, s.sport_hi, p.sport) && ports_ok(s.dport_lo, s.dport_hi, p.dport);
}

// Index into the id-sorted rules, as SpdSnapshot numbers them.
uint32_t naive_lookup(std::vector<SpdRule> rules, const Packet& p) {
    std::sort(rules.begin(), rules.end(), [](auto& a, auto& b) { return a.id < b.id; });
    for (uint32_t i = 0; i < rules.size(); ++i) {
        if (naive_matches(rules[i], p)) return i;
    }
    return kNo;
}

std::vector<uint32_t> lookup_all(const SpdSnapshot& spd, const std::vector<Packet>& pkts) {
    std::vector<std::array<uint8_t, 64>> bytes;
    for (const Packet& p : pkts)
        bytes.push_back(encode(p));
    std::vector<const uint8_t*> hdrs;
    for (const auto& b : bytes)
        hdrs.push_back(b.data());
    std::vector<uint32_t> out(pkts.size(), 12345);
    spd.lookup(hdrs.data(), static_cast<uint32_t>(hdrs.size()), out.data());
    return out;
}

uint32_t lookup_one(const SpdSnapshot& spd, const Packet& p) {
    return lookup_all(spd, {p})[0];
}

std::unique_ptr<SpdSnapshot> build_ok(const std::vector<SpdRule>& rules, const char* name) {
    std::string error;
    auto spd = SpdSnapshot::build(rules, name, SOCKET_ID_ANY, &error);
    EXPECT_NE(spd, nullptr) << error;
    return spd;
}

TEST(Spd, EmptySnapshotMatchesNothing) {
    auto spd = build_ok({}, "spd-empty");
    ASSERT_NE(spd, nullptr);
    EXPECT_EQ(spd->size(), 0u);
    EXPECT_EQ(lookup_one(*spd, {ipv4(10, 0, 0, 1), ipv4(10, 0, 0, 2), kTcp, 1, 2}), kNo);
}

TEST(Spd, LowestIdWinsWhateverTheInputOrder) {
    const uint32_t net_a = ipv4(198, 18, 1, 0), net_b = ipv4(198, 18, 2, 0);
    std::vector<SpdRule> rules = {
        make_rule(30, 0, 0, 0, 0),                                // any -> any
        make_rule(20, net_a, 24, net_b, 24, kTcp, {}, {80, 80}),  // more specific, later
        make_rule(10, net_a, 24, net_b, 24),                      // site to site
    };
    rules[0].action = SpdAction::kBypass;
    auto spd = build_ok(rules, "spd-order");
    ASSERT_NE(spd, nullptr);
    ASSERT_EQ(spd->size(), 3u);
    EXPECT_EQ(spd->rule(0).id, 10u);
    EXPECT_EQ(spd->rule(2).action, SpdAction::kBypass);
    EXPECT_EQ(lookup_one(*spd, {net_a + 5, net_b + 7, kTcp, 1000, 80}), 0u);
    EXPECT_EQ(lookup_one(*spd, {net_a + 5, ipv4(8, 8, 8, 8), kUdp, 1000, 53}), 2u);
}

TEST(Spd, PortsAndProtocols) {
    const uint32_t a = ipv4(10, 1, 0, 0);
    auto spd = build_ok({make_rule(1, a, 16, 0, 0, kTcp, {}, {443, 443}),
                         make_rule(2, a, 16, 0, 0, kUdp, {500, 500}, {}),
                         make_rule(3, a, 16, 0, 0, kIcmp), make_rule(4, a, 16, 0, 0, kTcp)},
                        "spd-ports");
    ASSERT_NE(spd, nullptr);
    EXPECT_EQ(lookup_one(*spd, {a + 1, 9, kTcp, 5555, 443}), 0u);
    EXPECT_EQ(lookup_one(*spd, {a + 1, 9, kTcp, 443, 5555}), 3u);
    EXPECT_EQ(lookup_one(*spd, {a + 1, 9, kUdp, 500, 500}), 1u);
    EXPECT_EQ(lookup_one(*spd, {a + 1, 9, kUdp, 501, 500}), kNo);
    EXPECT_EQ(lookup_one(*spd, {a + 1, 9, kIcmp, 0x0800, 0}), 2u);
    EXPECT_EQ(lookup_one(*spd, {ipv4(10, 2, 0, 1), 9, kTcp, 5555, 443}), kNo);
}

// RFC 4301 §7: a non-initial fragment carries no ports. Without a PROTECT rule with ports it
// matches only ANY-port rules.
TEST(Spd, NonInitialFragmentsSkipBypassRulesWithPorts) {
    std::vector<SpdRule> rules = {make_rule(1, 0, 0, 0, 0, kTcp, {}, {0, 1023}),
                                  make_rule(2, 0, 0, 0, 0, kUdp, {}, {0, 0}),  // never matches
                                  make_rule(3, 0, 0, 0, 0, kUdp)};
    rules[0].action = rules[1].action = SpdAction::kBypass;
    auto spd = build_ok(rules, "spd-frag");
    ASSERT_NE(spd, nullptr);
    Packet tcp{1, 2, kTcp, 40000, 22};
    EXPECT_EQ(lookup_one(*spd, tcp), 0u);
    tcp.later_fragment = true;  // bytes at the port offset are payload
    EXPECT_EQ(lookup_one(*spd, tcp), kNo);
    Packet udp{1, 2, kUdp, 0, 0};  // port 0 is in no restricted range
    EXPECT_EQ(lookup_one(*spd, udp), 2u);
    udp.later_fragment = true;
    EXPECT_EQ(lookup_one(*spd, udp), 2u);
}

// The later fragments of a flow a PROTECT rule selects by port take that rule (an IOS permit
// entry with ports matches non-initial fragments on addresses and protocol), not the bypass
// after it: they would leave in clear. A bypass rule with ports still never takes them, a TCP
// rule never takes UDP fragments, and whole packets are classified by their ports as before.
TEST(Spd, NonInitialFragmentsOfAProtectedPortTakeItsRule) {
    const uint32_t a = ipv4(10, 1, 0, 0), b = ipv4(10, 2, 0, 0);
    std::vector<SpdRule> rules = {make_rule(1, a, 16, b, 16, kTcp, {}, {22, 22}),  // bypass
                                  make_rule(2, a, 16, b, 16, kTcp, {}, {443, 443}),
                                  make_rule(3, a, 16, b, 16, kUdp, {500, 500}, {}),
                                  make_rule(4, 0, 0, 0, 0)};  // bypass the rest
    rules[0].action = rules[3].action = SpdAction::kBypass;
    auto spd = build_ok(rules, "spd-frag-protect");
    ASSERT_NE(spd, nullptr);
    Packet https{a + 1, b + 1, kTcp, 40000, 443}, ssh{a + 1, b + 1, kTcp, 40000, 22};
    Packet other{a + 1, b + 1, kTcp, 40000, 80}, ike{a + 1, b + 1, kUdp, 500, 500};
    EXPECT_EQ(lookup_all(*spd, {https, ssh, other, ike}), (std::vector<uint32_t>{1, 0, 3, 2}));
    for (Packet* p : {&https, &ssh, &other, &ike})
        p->later_fragment = true;
    // No ports: every TCP fragment between the sites takes the first PROTECT rule for TCP.
    EXPECT_EQ(lookup_all(*spd, {https, ssh, other, ike}), (std::vector<uint32_t>{1, 1, 1, 2}));
    Packet outside{a + 1, ipv4(192, 0, 2, 1), kTcp, 40000, 443};
    outside.later_fragment = true;
    EXPECT_EQ(lookup_one(*spd, outside), 3u);
    Packet whole_port0{a + 1, b + 1, kTcp, 0, 0};  // not a fragment: port 0 is in no range
    EXPECT_EQ(lookup_one(*spd, whole_port0), 3u);
}

// A PROTECT rule whose port range holds only port 0 matches no whole packet (port 0 is in no
// restricted range), so the whole-packet trie is empty; its fragment view still takes the
// later fragments between its hosts, as an IOS permit line with ports does.
TEST(Spd, OnlyTheFragmentTrieCanMatch) {
    const uint32_t a = ipv4(10, 1, 0, 0), b = ipv4(10, 2, 0, 0);
    auto spd = build_ok({make_rule(1, a, 16, b, 16, kUdp, {}, {0, 0})}, "spd-frag-only");
    ASSERT_NE(spd, nullptr);
    Packet whole{a + 1, b + 1, kUdp, 0, 0}, later = whole, elsewhere{a + 1, 9, kUdp, 0, 0};
    later.later_fragment = elsewhere.later_fragment = true;
    EXPECT_EQ(lookup_all(*spd, {whole, later, elsewhere}), (std::vector<uint32_t>{kNo, 0, kNo}));
}

// IOS `fragments` (fragments_only): the line applies to non-initial fragments only, of any
// protocol; whole packets and first fragments go on to the next rule. `deny ip A B fragments`
// before `permit ip A B` sends later fragments in clear and protects everything else.
TEST(Spd, FragmentsOnlyRulesTakeNothingButNonInitialFragments) {
    const uint32_t a = ipv4(10, 1, 0, 0), b = ipv4(10, 2, 0, 0);
    std::vector<SpdRule> rules = {make_rule(1, a, 16, b, 16), make_rule(2, a, 16, b, 16),
                                  make_rule(3, 0, 0, 0, 0, kIcmp)};
    rules[0].action = SpdAction::kBypass;
    rules[0].fragments_only = 1;
    rules[2].fragments_only = 1;
    auto spd = build_ok(rules, "spd-frag-kw");
    ASSERT_NE(spd, nullptr);
    Packet tcp{a + 1, b + 1, kTcp, 40000, 443}, icmp{a + 1, b + 1, kIcmp, 0x0800, 0};
    Packet esp{a + 1, b + 1, 50, 0, 0}, icmp_out{a + 1, 9, kIcmp, 0x0800, 0};
    EXPECT_EQ(lookup_all(*spd, {tcp, icmp, esp, icmp_out}), (std::vector<uint32_t>{1, 1, 1, kNo}));
    for (Packet* p : {&tcp, &icmp, &esp, &icmp_out})
        p->later_fragment = true;
    EXPECT_EQ(lookup_all(*spd, {tcp, icmp, esp, icmp_out}), (std::vector<uint32_t>{0, 0, 0, 2}));
}

// An SPD of fragments-only rules: no rule for whole packets at all (empty whole-packet trie).
TEST(Spd, FragmentsOnlyRulesAloneMatchNoWholePacket) {
    std::vector<SpdRule> rules = {make_rule(1, 0, 0, 0, 0)};
    rules[0].fragments_only = 1;
    auto spd = build_ok(rules, "spd-frag-kw-only");
    ASSERT_NE(spd, nullptr);
    Packet whole{1, 2, kUdp, 53, 53}, later = whole;
    later.later_fragment = true;
    EXPECT_EQ(lookup_all(*spd, {whole, later, whole}), (std::vector<uint32_t>{kNo, 0, kNo}));
}

TEST(Spd, PortsAreFoundBehindIpOptions) {
    auto spd = build_ok({make_rule(1, 0, 0, 0, 0, kTcp, {}, {22, 22})}, "spd-options");
    ASSERT_NE(spd, nullptr);
    Packet p{1, 2, kTcp, 40000, 22};
    p.options = 3;
    EXPECT_EQ(lookup_one(*spd, p), 0u);
    p.dport = 23;
    EXPECT_EQ(lookup_one(*spd, p), kNo);
}

// ICMP type and code (RFC 4301 §4.4.1.1) sit in the source range as type << 8 | code, the
// destination range (the checksum's place) stays ANY. IOS lines: `deny icmp A B echo-reply`,
// `permit icmp A B echo` (all codes), `permit icmp A B port-unreachable` (3/3), then any ICMP.
TEST(Spd, IcmpTypesAndCodes) {
    const uint32_t a = ipv4(10, 1, 0, 0), b = ipv4(10, 2, 0, 0);
    std::vector<SpdRule> rules = {make_rule(1, a, 16, b, 16, kIcmp, {0x0000, 0x00ff}),
                                  make_rule(2, a, 16, b, 16, kIcmp, {0x0800, 0x08ff}),
                                  make_rule(3, a, 16, b, 16, kIcmp, {0x0303, 0x0303}),
                                  make_rule(4, a, 16, b, 16, kIcmp)};
    rules[0].action = SpdAction::kBypass;
    rules[3].action = SpdAction::kDiscard;
    auto spd = build_ok(rules, "spd-icmp");
    ASSERT_NE(spd, nullptr);
    Packet reply{a + 1, b + 1, kIcmp, 0x0000, 0xbeef}, echo{a + 1, b + 1, kIcmp, 0x0800, 0x1234};
    Packet echo_code{a + 1, b + 1, kIcmp, 0x0807, 0}, port_unreach{a + 1, b + 1, kIcmp, 0x0303, 9};
    Packet host_unreach{a + 1, b + 1, kIcmp, 0x0301, 0}, udp{a + 1, b + 1, kUdp, 0x0800, 0};
    EXPECT_EQ(lookup_all(*spd, {reply, echo, echo_code, port_unreach, host_unreach, udp}),
              (std::vector<uint32_t>{0, 1, 1, 2, 3, kNo}));
    for (Packet* p : {&reply, &echo, &port_unreach})
        p->options = 2;  // type and code behind IP options
    EXPECT_EQ(lookup_all(*spd, {reply, echo, port_unreach}), (std::vector<uint32_t>{0, 1, 2}));
    // A later fragment shows no type: the deny line never takes it, the first permit line with
    // a type does (as for ports); bytes where a type would be do not matter.
    for (Packet* p : {&reply, &echo, &host_unreach})
        p->later_fragment = true;
    EXPECT_EQ(lookup_all(*spd, {reply, echo, host_unreach}), (std::vector<uint32_t>{1, 1, 1}));
}

// A deny line for echo replies only (type 0 code 0, the value a fragment's missing "port"
// takes): a later ICMP fragment must not meet it, though no permit line with a type exists.
TEST(Spd, EchoReplyLinesNeverTakeFragments) {
    std::vector<SpdRule> rules = {make_rule(1, 0, 0, 0, 0, kIcmp, {0x0000, 0x0000}),
                                  make_rule(2, 0, 0, 0, 0)};
    rules[0].action = SpdAction::kBypass;
    auto spd = build_ok(rules, "spd-icmp-reply");
    ASSERT_NE(spd, nullptr);
    Packet reply{1, 2, kIcmp, 0x0000, 0}, later = reply, later_tcp{1, 2, kTcp, 0, 0};
    later.later_fragment = later_tcp.later_fragment = true;
    EXPECT_EQ(lookup_all(*spd, {reply, later, later_tcp}), (std::vector<uint32_t>{0, 1, 1}));
}

TEST(Spd, RefusesRulesItCannotHonour) {
    struct Case {
        const char* name;
        SpdRule rule;
    };
    SpdRule v6 = make_rule(1, 0, 0, 0, 0);
    v6.sel.dst.version = 6;
    SpdRule long_prefix = make_rule(1, 0, 33, 0, 0);
    SpdRule fragments_with_ports = make_rule(1, 0, 0, 0, 0, kTcp, {}, {80, 80});
    fragments_with_ports.fragments_only = 1;
    SpdRule fragments_flag_2 = make_rule(1, 0, 0, 0, 0);
    fragments_flag_2.fragments_only = 2;
    const std::vector<Case> cases = {
        {"fragments-only rule with ports", fragments_with_ports},
        {"fragments_only not 0 or 1", fragments_flag_2},
        {"ports with protocol any", make_rule(1, 0, 0, 0, 0, 0, {}, {80, 80})},
        {"icmp with a destination range", make_rule(1, 0, 0, 0, 0, kIcmp, {}, {8, 8})},
        {"ports with esp", make_rule(1, 0, 0, 0, 0, 50, {8, 8}, {})},
        {"empty range", make_rule(1, 0, 0, 0, 0, kTcp, {}, {90, 80})},
        {"ipv6 selector", v6},
        {"prefix above 32", long_prefix},
    };
    for (const Case& c : cases) {
        std::string error;
        EXPECT_EQ(SpdSnapshot::build({&c.rule, 1}, "spd-bad", SOCKET_ID_ANY, &error), nullptr)
            << c.name;
        EXPECT_NE(error.find("rule id 1"), std::string::npos) << c.name << ": " << error;
    }
    std::string error;
    const std::vector<SpdRule> dup = {make_rule(7, 0, 0, 0, 0), make_rule(7, 0, 0, 0, 0)};
    EXPECT_EQ(SpdSnapshot::build(dup, "spd-dup", SOCKET_ID_ANY, &error), nullptr);
    EXPECT_NE(error.find("duplicate"), std::string::npos) << error;
}

TEST(Spd, NamesAreUniqueWhileALiveSnapshotHoldsThem) {
    const std::vector<SpdRule> rules = {make_rule(1, 0, 0, 0, 0)};
    auto first = build_ok(rules, "spd-gen");
    ASSERT_NE(first, nullptr);
    std::string error;
    EXPECT_EQ(SpdSnapshot::build(rules, "spd-gen", SOCKET_ID_ANY, &error), nullptr);
    EXPECT_NE(error.find("in use"), std::string::npos) << error;
    first.reset();
    EXPECT_NE(build_ok(rules, "spd-gen"), nullptr);
}

// Random rules over a few overlapping networks so that order decides often.
class RuleGen {
  public:
    explicit RuleGen(uint32_t seed) : rng_(seed) {}

    SpdRule rule(uint32_t id) {
        const uint8_t proto = pick<uint8_t>({0, 0, kTcp, kTcp, kUdp, kIcmp, kIcmp});
        const bool ported = proto == kTcp || proto == kUdp;
        SpdRule r = make_rule(id, address(), prefix_len(), address(), prefix_len(), proto,
                              ported ? range() : Range{}, ported ? range() : Range{});
        if (proto == kIcmp) {
            const Range t = icmp_range();
            r.sel.sport_lo = t.lo;
            r.sel.sport_hi = t.hi;
        }
        r.action = pick<SpdAction>(
            {SpdAction::kProtect, SpdAction::kProtect, SpdAction::kBypass, SpdAction::kDiscard});
        const bool portless = r.sel.sport_lo == 0 && r.sel.sport_hi == 0xffff &&
                              r.sel.dport_lo == 0 && r.sel.dport_hi == 0xffff;
        r.fragments_only = portless && coin(0.15);  // IOS `fragments`: no ports allowed
        return r;
    }

    Packet packet() {
        Packet p{address(), address(), pick<uint8_t>({kTcp, kTcp, kUdp, kIcmp, 50}), port(),
                 port()};
        if (p.proto == kIcmp) p.sport = icmp_message();
        decorate(p);
        return p;
    }

    // A packet near `r`: inside its prefixes, ports on and around the range edges.
    Packet packet_near(const SpdRule& r) {
        const auto& s = r.sel;
        Packet p{inside(s.src, s.src_prefix), inside(s.dst, s.dst_prefix),
                 s.proto != 0 && coin(0.9) ? s.proto : pick<uint8_t>({kTcp, kUdp, kIcmp}),
                 near(s.sport_lo, s.sport_hi), near(s.dport_lo, s.dport_hi)};
        decorate(p);
        return p;
    }

  private:
    void decorate(Packet& p) {
        p.later_fragment = coin(0.15);
        p.options = coin(0.15) ? static_cast<uint8_t>(1 + rng_() % 10) : 0;
    }

    uint32_t inside(const sadb::wire::Addr& a, uint8_t len) {
        const uint32_t host = len == 32 ? 0 : static_cast<uint32_t>(rng_()) >> len;
        return (len == 0 ? 0 : load_be32(a.bytes)) | host;
    }

    uint16_t near(uint16_t lo, uint16_t hi) {
        const int v = pick<int>({lo, hi, lo - 1, hi + 1, (lo + hi) / 2});
        return static_cast<uint16_t>(v);
    }

    template <typename T>
    T pick(std::initializer_list<T> v) {
        return v.begin()[rng_() % v.size()];
    }
    bool coin(double p) { return std::uniform_real_distribution<>(0, 1)(rng_) < p; }

    uint32_t address() {
        const uint32_t net = pick<uint32_t>(
            {ipv4(10, 0, 0, 0), ipv4(10, 1, 0, 0), ipv4(192, 0, 2, 0), ipv4(198, 18, 0, 0)});
        return net | (rng_() & (coin(0.5) ? 0xff : 0xffff));
    }
    uint8_t prefix_len() { return pick<uint8_t>({0, 8, 16, 20, 24, 28, 30, 32}); }
    uint16_t port() { return pick<uint16_t>({0, 22, 53, 80, 443, 500, 1024, 4500, 65535}); }
    // ICMP type << 8 | code: echo reply, unreachable (net, host, port, too big), echo, TTL.
    uint16_t icmp_message() {
        return pick<uint16_t>({0x0000, 0x0300, 0x0301, 0x0303, 0x0304, 0x0800, 0x0b00, 0x0b01});
    }
    // An ICMP rule: any message, one type with all its codes, or one type and code.
    Range icmp_range() {
        const uint16_t m = icmp_message();
        switch (rng_() % 3) {
            case 0:
                return {};
            case 1:
                return {static_cast<uint16_t>(m & 0xff00), static_cast<uint16_t>(m | 0x00ff)};
            default:
                return {m, m};
        }
    }

    Range range() {
        switch (rng_() % 5) {
            case 0:
            case 1:
                return {};
            case 2: {
                const uint16_t p = port();
                return {p, p};
            }
            default: {
                uint16_t a = port(), b = port();
                return {std::min(a, b), std::max(a, b)};
            }
        }
    }

    std::mt19937 rng_;
};

void differential(uint32_t seed, uint32_t n_rules, uint32_t n_packets) {
    RuleGen gen(seed);
    std::vector<SpdRule> rules;
    for (uint32_t i = 0; i < n_rules; ++i)
        rules.push_back(gen.rule(i * 10 + 5));
    std::shuffle(rules.begin(), rules.end(), std::mt19937(seed));
    const std::string name = "spd-diff-" + std::to_string(seed);
    auto spd = build_ok(rules, name.c_str());
    ASSERT_NE(spd, nullptr);
    std::vector<Packet> pkts;
    for (uint32_t i = 0; i < n_packets; ++i) {
        pkts.push_back(i % 2 ? gen.packet() : gen.packet_near(rules[i / 2 % rules.size()]));
    }
    const std::vector<uint32_t> got = lookup_all(*spd, pkts);
    uint32_t matched = 0;
    for (uint32_t i = 0; i < n_packets; ++i) {
        const uint32_t want = naive_lookup(rules, pkts[i]);
        matched += want != kNo;
        ASSERT_EQ(got[i], want) << "seed " << seed << " packet " << i;
    }
    EXPECT_GT(matched, n_packets / 4) << "the generator should hit rules";
}

TEST(Spd, MatchesNaiveFirstMatchOnRandomRules) {
    for (uint32_t seed = 1; seed <= 20; ++seed)
        differential(seed, 1 + seed * 10, 2000);
}

// The per-lcore answer cache against the naive scan: packets repeat (hits), include options,
// fragments and other protocols (the key must normalise ports exactly as the trie input does),
// and bursts are split as the pipeline splits them.
std::vector<uint32_t> cached_lookup(SpdCache& cache, const SpdSnapshot& spd,
                                    const std::vector<Packet>& pkts, uint32_t burst) {
    std::vector<std::array<uint8_t, 64>> bytes;
    for (const Packet& p : pkts)
        bytes.push_back(encode(p));
    std::vector<const uint8_t*> hdrs;
    for (const auto& b : bytes)
        hdrs.push_back(b.data());
    std::vector<uint32_t> out(pkts.size(), 12345);
    for (uint32_t i = 0; i < pkts.size(); i += burst) {
        const uint32_t n = std::min<uint32_t>(burst, static_cast<uint32_t>(pkts.size()) - i);
        cache.lookup(spd, &hdrs[i], n, &out[i]);
    }
    return out;
}

TEST(SpdCache, MatchesNaiveFirstMatchOnRepeatedPackets) {
    SpdCache cache;
    for (uint32_t seed = 1; seed <= 10; ++seed) {
        RuleGen gen(seed);
        std::vector<SpdRule> rules;
        for (uint32_t i = 0; i < 20 * seed; ++i)
            rules.push_back(gen.rule(i * 10 + 5));
        auto spd = build_ok(rules, ("spd-cache-" + std::to_string(seed)).c_str());
        ASSERT_NE(spd, nullptr);
        std::vector<Packet> flows;
        for (uint32_t i = 0; i < 300; ++i)
            flows.push_back(i % 2 ? gen.packet() : gen.packet_near(rules[i / 2 % rules.size()]));
        std::vector<Packet> pkts;
        std::mt19937 rng(seed);
        for (uint32_t i = 0; i < 6000; ++i)
            pkts.push_back(flows[rng() % flows.size()]);
        const uint64_t hits = cache.hits();
        const std::vector<uint32_t> got = cached_lookup(cache, *spd, pkts, 1 + seed * 7);
        for (uint32_t i = 0; i < pkts.size(); ++i)
            ASSERT_EQ(got[i], naive_lookup(rules, pkts[i])) << "seed " << seed << " packet " << i;
        EXPECT_GT(cache.hits() - hits, pkts.size() / 2) << "repeated flows should hit";
    }
}

// A non-initial fragment and a whole packet with ports 0 have the same key fields but not the
// same answer (a PROTECT rule with ports takes the fragment only): the cache keeps them apart,
// whichever comes first.
TEST(SpdCache, KeepsFragmentsApartFromPortZeroPackets) {
    const uint32_t a = ipv4(10, 1, 0, 0), b = ipv4(10, 2, 0, 0);
    std::vector<SpdRule> rules = {make_rule(1, a, 16, b, 16, kUdp, {}, {2049, 2049}),
                                  make_rule(2, 0, 0, 0, 0)};
    rules[1].action = SpdAction::kBypass;
    auto spd = build_ok(rules, "spd-cache-frag");
    ASSERT_NE(spd, nullptr);
    Packet whole{a + 1, b + 1, kUdp, 0, 0}, fragment = whole;
    fragment.later_fragment = true;
    SpdCache cache;
    for (int round = 0; round < 3; ++round) {
        EXPECT_EQ(cached_lookup(cache, *spd, {whole, fragment, whole}, 3),
                  (std::vector<uint32_t>{1, 0, 1}));
        EXPECT_EQ(cached_lookup(cache, *spd, {fragment}, 1), (std::vector<uint32_t>{0}));
    }
    EXPECT_GT(cache.hits(), 6u);
}

// With a fragments-only rule, an ICMP non-initial fragment and a whole ICMP packet between the
// same hosts differ too: the key marks fragments of every protocol, not only TCP and UDP.
TEST(SpdCache, KeepsFragmentsOfAnyProtocolApartFromWholePackets) {
    std::vector<SpdRule> rules = {make_rule(1, 0, 0, 0, 0, kIcmp), make_rule(2, 0, 0, 0, 0)};
    rules[0].fragments_only = 1;
    rules[0].action = SpdAction::kDiscard;
    auto spd = build_ok(rules, "spd-cache-frag-kw");
    ASSERT_NE(spd, nullptr);
    Packet whole{ipv4(10, 1, 0, 1), ipv4(10, 2, 0, 1), kIcmp, 0x0800, 0}, fragment = whole;
    fragment.later_fragment = true;
    SpdCache cache;
    for (int round = 0; round < 3; ++round)
        EXPECT_EQ(cached_lookup(cache, *spd, {whole, fragment, whole, fragment}, 4),
                  (std::vector<uint32_t>{1, 0, 1, 0}));
    EXPECT_GT(cache.hits(), 6u);
}

// The key carries an ICMP message's type and code (echo and echo reply between the same hosts
// have different answers) and leaves out its checksum (every echo has another one: ignoring it
// is what lets a ping flow hit).
TEST(SpdCache, KeysIcmpByTypeAndCodeNotChecksum) {
    std::vector<SpdRule> rules = {make_rule(1, 0, 0, 0, 0, kIcmp, {0x0800, 0x08ff}),
                                  make_rule(2, 0, 0, 0, 0)};
    rules[1].action = SpdAction::kBypass;
    auto spd = build_ok(rules, "spd-cache-icmp");
    ASSERT_NE(spd, nullptr);
    const uint32_t a = ipv4(10, 1, 0, 1), b = ipv4(10, 2, 0, 1);
    std::vector<Packet> pkts;
    for (uint16_t seq = 0; seq < 16; ++seq) {
        pkts.push_back({a, b, kIcmp, 0x0800, static_cast<uint16_t>(0x1000 + seq)});
        pkts.push_back({a, b, kIcmp, 0x0000, static_cast<uint16_t>(0x2000 + seq)});
    }
    SpdCache cache;
    const std::vector<uint32_t> got = cached_lookup(cache, *spd, pkts, 1);
    for (size_t i = 0; i < pkts.size(); ++i)
        EXPECT_EQ(got[i], i % 2 == 0 ? 0u : 1u) << i;
    EXPECT_EQ(cache.hits(), pkts.size() - 2) << "one miss per message type";
}

TEST(SpdCache, AnswersFollowTheSnapshotInForce) {
    const Packet p{ipv4(198, 18, 1, 5), ipv4(198, 18, 2, 5), kUdp, 1024, 9};
    SpdCache cache;
    auto a = build_ok({make_rule(1, ipv4(198, 18, 1, 0), 24, ipv4(198, 18, 2, 0), 24)}, "spd-ca");
    ASSERT_NE(a, nullptr);
    for (int k = 0; k < 3; ++k)
        EXPECT_EQ(cached_lookup(cache, *a, {p}, 1)[0], 0u);
    a.reset();  // the next snapshot may well reuse the address
    auto b = build_ok({make_rule(1, ipv4(10, 0, 0, 0), 8, 0, 0),
                       make_rule(2, 0, 0, ipv4(198, 18, 2, 0), 24, kUdp, {}, {9, 9})},
                      "spd-cb");
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(cached_lookup(cache, *b, {p}, 1)[0], 1u);
    auto c = build_ok({make_rule(1, ipv4(10, 0, 0, 0), 8, 0, 0)}, "spd-cc");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(cached_lookup(cache, *c, {p}, 1)[0], kNo);
    EXPECT_EQ(cached_lookup(cache, *c, {p}, 1)[0], kNo);  // a cached "no match"
}

TEST(SpdCache, TurnsItselfOffWhenFlowsOutnumberItsEntriesAndBackOn) {
    auto spd = build_ok({make_rule(1, ipv4(198, 18, 0, 0), 15, 0, 0)}, "spd-cyclic");
    ASSERT_NE(spd, nullptr);
    // Twice as many flows as entries, in a cycle: every entry is evicted before its reuse.
    std::vector<Packet> pkts;
    for (uint32_t i = 0; i < 2 * SpdCache::kEntries; ++i)
        pkts.push_back({ipv4(198, 18, 0, 0) + i, ipv4(198, 19, 0, 1), kUdp, 1024, 9});
    SpdCache cache;
    std::vector<uint32_t> got = cached_lookup(cache, *spd, pkts, 64);
    got = cached_lookup(cache, *spd, pkts, 64);
    EXPECT_FALSE(cache.enabled());
    for (uint32_t v : got)
        ASSERT_EQ(v, 0u);
    // Off for kOffBursts calls, then one flow repeated: the cache comes back and hits.
    const std::vector<Packet> one(64, pkts[0]);
    for (uint32_t k = 0; k < SpdCache::kOffBursts + SpdCache::kWindow / 64 + 1; ++k)
        cached_lookup(cache, *spd, one, 64);
    EXPECT_TRUE(cache.enabled());
    const uint64_t hits = cache.hits();
    EXPECT_EQ(cached_lookup(cache, *spd, one, 64)[0], 0u);
    EXPECT_EQ(cache.hits() - hits, 64u);
}

// A crypto-map-like policy: site-to-site prefixes, some service ports.
std::vector<SpdRule> realistic_rules(uint32_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<SpdRule> rules;
    for (uint32_t i = 0; i < n; ++i) {
        const uint32_t src = ipv4(10, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i), 0);
        const uint32_t dst = ipv4(172, 16 + (rng() % 16), rng() % 256, (rng() % 16) * 16);
        const uint8_t len = static_cast<uint8_t>(24 + rng() % 5);
        const uint32_t kind = rng() % 20;
        if (kind < 16) {
            rules.push_back(make_rule(i, src, 24, dst, len));
        } else if (kind < 18) {
            const uint16_t p = static_cast<uint16_t>(1 + rng() % 10000);
            rules.push_back(make_rule(i, src, 24, dst, len, kTcp, {}, {p, p}));
        } else {
            const uint16_t lo = static_cast<uint16_t>(1024 + rng() % 30000);
            rules.push_back(make_rule(i, src, 24, dst, len, kUdp, {}, {lo, uint16_t(lo + 100)}));
        }
    }
    return rules;
}

void measure(uint32_t n_rules, const std::vector<SpdRule>& rules, const char* kind) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::string name = "spd-big-" + std::string(kind) + std::to_string(n_rules);
    auto spd = build_ok(rules, name.c_str());
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_NE(spd, nullptr);
    // Packets aimed at random rules, checked against the naive scan on a sample.
    std::mt19937 rng(n_rules);
    std::vector<Packet> pkts;
    for (uint32_t i = 0; i < 4096; ++i) {
        const auto& s = rules[rng() % rules.size()].sel;
        Packet p;
        p.src = load_be32(s.src.bytes) | static_cast<uint32_t>(rng() & 0xff);
        p.dst = load_be32(s.dst.bytes) | static_cast<uint32_t>(rng() & 3);
        p.proto = s.proto == 0 ? kTcp : s.proto;
        p.sport = 40000;
        p.dport = s.dport_lo == 0 ? 443 : s.dport_lo;
        pkts.push_back(p);
    }
    const std::vector<uint32_t> got = lookup_all(*spd, pkts);
    for (uint32_t i = 0; i < 256; ++i)
        ASSERT_EQ(got[i], naive_lookup(rules, pkts[i])) << i;
    std::vector<std::array<uint8_t, 64>> bytes;
    for (const Packet& p : pkts)
        bytes.push_back(encode(p));
    std::vector<const uint8_t*> hdrs;
    for (const auto& b : bytes)
        hdrs.push_back(b.data());
    uint32_t out[32];
    const uint64_t c0 = rte_rdtsc();
    for (uint32_t round = 0; round < 64; ++round) {
        for (uint32_t i = 0; i < 4096; i += 32)
            spd->lookup(&hdrs[i], 32, out);
    }
    const double cycles = double(rte_rdtsc() - c0) / (64.0 * 4096);
    std::printf(
        "[ SPD      ] %-9s %6u rules: build %8.1f ms, lookup %.1f TSC cycles/packet "
        "(bursts of 32)\n",
        kind, n_rules, ms, cycles);
}

TEST(Spd, ThousandsOfRulesBuildAndMatch) {
    for (uint32_t n : {1000u, 10000u})
        measure(n, realistic_rules(n, n), "realistic");
    // Overlapping prefixes, wildcards and port ranges: the hard case for rte_acl's builder.
    for (uint32_t n : {1000u, 10000u}) {
        RuleGen gen(n);
        std::vector<SpdRule> random;
        for (uint32_t i = 0; i < n; ++i)
            random.push_back(gen.rule(i));
        measure(n, random, "random");
    }
}

}  // namespace
}  // namespace espgw::dataplane
