// Byte and packet lifetimes (RFC 4301 §4.4.2.1, dataplane/sa_accounting.h) against a naive
// per-packet model: soft x hard x bytes x packets x encap x decap, limits crossed inside a burst
// and on burst boundaries. The soft event is raised exactly once, the hard limit blocks the SA
// (later bursts are refused before any crypto: no sequence number used, the replay window not
// moved), and the main lcore's `blocked` flag (time lifetimes) blocks both directions.
#include <gtest/gtest.h>

#include "tests/drops/esp_env.h"

namespace espgw::dataplane {
namespace {

using namespace esp_test;
using sadb::DropReason;
using sadb::SaEventType;

constexpr uint16_t kPayload = 72;  // a 100-byte inner packet: 100 protected bytes in tunnel mode
constexpr uint64_t kLen = 100;

// What the engine must do, packet by packet: a packet is refused once the SA's counters have
// reached a hard limit (the packet that reaches it still passes); the soft event is raised when a
// packet finds a soft limit reached, once.
struct Model {
    sadb::Lifetime l;
    uint64_t packets = 0, bytes = 0;
    bool soft = false, hard = false;
    std::vector<SaEventType> events;

    static bool at(uint64_t v, uint64_t limit) { return limit != 0 && v >= limit; }
    bool pass() {
        if (hard) return false;
        if (at(packets, l.hard_packets) || at(bytes, l.hard_bytes)) {
            hard = true;
            events.push_back(SaEventType::kHardLifetime);
            return false;
        }
        if (!soft && (at(packets, l.soft_packets) || at(bytes, l.soft_bytes))) {
            soft = true;
            events.push_back(SaEventType::kSoftLifetime);
        }
        ++packets;
        bytes += kLen;
        return true;
    }
};

struct Case {
    const char* name;
    sadb::Lifetime lifetime;
    std::vector<uint16_t> bursts;  // packets per burst
};

const std::vector<Case>& cases() {
    static const std::vector<Case> c = {
        {"packets, one burst", {.soft_packets = 3, .hard_packets = 5}, {8}},
        {"packets, bursts of two", {.soft_packets = 3, .hard_packets = 5}, {2, 2, 2, 2}},
        {"packets, hard on a burst boundary", {.soft_packets = 2, .hard_packets = 4}, {4, 1, 3}},
        {"packets, soft == hard", {.soft_packets = 4, .hard_packets = 4}, {3, 3}},
        {"packets, soft only: raised once", {.soft_packets = 2}, {3, 3, 3}},
        {"packets, hard only", {.hard_packets = 6}, {5, 5}},
        {"bytes, one burst", {.soft_bytes = 250, .hard_bytes = 450}, {8}},
        {"bytes, bursts of three", {.soft_bytes = 250, .hard_bytes = 450}, {3, 3, 3}},
        {"bytes, exact multiples", {.soft_bytes = 300, .hard_bytes = 500}, {5, 2}},
        {"bytes, soft only", {.soft_bytes = 1}, {2, 2}},
        {"bytes hard before packets soft", {.hard_bytes = 300, .soft_packets = 5}, {6}},
        {"packets hard before bytes soft", {.soft_bytes = 10000, .hard_packets = 3}, {2, 2, 2}},
        {"bytes soft, packets hard", {.soft_bytes = 150, .hard_packets = 4}, {1, 1, 1, 1, 1, 1}},
    };
    return c;
}

void unlimit(sadb::SaRuntime* s) {
    s->lifetime = {sadb::kUnlimited, sadb::kUnlimited, sadb::kUnlimited, sadb::kUnlimited};
    s->next_limit_bytes = s->next_limit_packets = sadb::kUnlimited;
}

// Runs one case in one direction; the other direction's SA has no limits.
void run_case(const Case& c, bool encap) {
    Env env;
    sadb::SaRuntime* in = nullptr;
    sadb::SaRuntime* out = env.add_pair({.lifetime = c.lifetime}, &in);
    sadb::SaRuntime* limited = encap ? out : in;
    unlimit(encap ? in : out);
    Model m{.l = c.lifetime};
    uint64_t sent = 0, passed = 0, refused = 0;
    for (uint16_t n : c.bursts) {
        const std::vector<Bytes> inner(n, ipv4_udp(kPayload));
        const bool blocked_before = m.hard;
        const uint64_t seq_before = out->seq;
        const uint64_t top_before = in->replay.top();
        std::vector<Bytes> got;
        if (encap) {
            got = env.encap(out, inner);
        } else {
            const auto esp = env.encap(out, inner);
            ASSERT_EQ(esp.size(), n);
            got = env.decap(esp);
        }
        uint64_t want = 0;
        for (uint16_t k = 0; k < n; ++k)
            want += m.pass();
        sent += n;
        passed += want;
        refused += n - want;
        ASSERT_EQ(got.size(), want) << "after " << sent << " packets";
        if (blocked_before) {  // refused before crypto (sa_accounting.h: expired())
            if (encap) {
                EXPECT_EQ(out->seq, seq_before) << "sequence numbers used when blocked";
            } else {
                EXPECT_EQ(in->replay.top(), top_before) << "window moved when blocked";
            }
        }
    }
    EXPECT_EQ(limited->counters->packets, passed);
    EXPECT_EQ(limited->counters->bytes, passed * kLen);
    EXPECT_EQ(limited->expired(), m.hard);
    ASSERT_EQ(env.ctx().events.size(), m.events.size());
    for (uint32_t k = 0; k < m.events.size(); ++k) {
        const sadb::SaEvent& e = env.ctx().events[k];
        EXPECT_EQ(e.type, m.events[k]) << "event " << k;
        EXPECT_EQ(e.direction, limited->direction);
        EXPECT_EQ(e.spi, kSpi);
    }
    expect_only(env, DropReason::kSaHardExpired, refused);
}

TEST(Lifetime, TableAgainstModel) {
    for (const Case& c : cases()) {
        for (bool encap : {true, false}) {
            SCOPED_TRACE(std::string(c.name) + (encap ? " (encap)" : " (decap)"));
            run_case(c, encap);
        }
    }
}

// Control's time lifetime sets `blocked` from the main lcore: both directions refuse every packet
// before crypto, with no lifetime event of their own (control raised it).
TEST(Lifetime, BlockedFlagStopsBothDirections) {
    Env env;
    sadb::SaRuntime* in = nullptr;
    sadb::SaRuntime* out = env.add_pair({}, &in);
    const auto esp = env.encap(out, std::vector<Bytes>(3, ipv4_udp(kPayload)));
    ASSERT_EQ(esp.size(), 3u);
    ASSERT_EQ(env.decap({esp[0]}).size(), 1u);
    __atomic_store_n(&out->blocked, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&in->blocked, 1, __ATOMIC_RELAXED);
    EXPECT_TRUE(env.encap(out, std::vector<Bytes>(2, ipv4_udp(kPayload))).empty());
    EXPECT_EQ(out->seq, 3u) << "no sequence number used";
    EXPECT_TRUE(env.decap({esp[1], esp[2]}).empty());
    EXPECT_EQ(in->replay.top(), 1u) << "window not moved";
    EXPECT_EQ(env.ctx().events.size(), 0u);
    EXPECT_EQ(out->counters->drops[static_cast<size_t>(DropReason::kSaHardExpired)], 2u);
    EXPECT_EQ(in->counters->drops[static_cast<size_t>(DropReason::kSaHardExpired)], 2u);
    expect_only(env, DropReason::kSaHardExpired, 4);
}

}  // namespace
}  // namespace espgw::dataplane
