// Control's SA timers (control/sa_timers.h) on an injected clock: the time lifetime's soft event
// once at 90 %, the hard stop once at 100 %, idle detection from the packet counters of a
// tunnel's two SAs, a restarted control that resumes from the dataplane's install times; and
// the stats segment reader (control/sa_stats_reader.h) on a synthetic segment.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "control/sa_stats_reader.h"
#include "control/sa_timers.h"

namespace espgw::control {
namespace {

using sadb::wire::Direction;
using sadb::wire::SaEventType;

constexpr TimerMs kT0 = 1'700'000'000'000;  // any epoch: the timers only subtract

// One tunnel: inbound conn 11, outbound conn 12.
std::vector<TimedSa> tunnel(uint32_t lifetime, uint32_t idle) {
    return {{11, 12, 0x1001, Direction::kInbound, lifetime, idle},
            {12, 11, 0x2001, Direction::kOutbound, lifetime, idle}};
}

SaTimers::InstallTime installed_at(TimerMs at) {
    return [at](uint32_t) -> std::optional<TimerMs> { return at; };
}

struct Counters {
    std::map<uint32_t, uint64_t> packets;
    SaTimers::Packets fn() {
        return [this](uint32_t id) -> std::optional<uint64_t> { return packets[id]; };
    }
};

// Every action of ticks from `from` to `to` every `step` ms.
std::vector<TimerAction> run(SaTimers& t, TimerMs from, TimerMs to, TimerMs step,
                             const SaTimers::Packets& p = {}) {
    std::vector<TimerAction> all;
    for (TimerMs now = from; now <= to; now += step)
        for (const TimerAction& a : t.tick(now, p))
            all.push_back(a);
    return all;
}

size_t count(const std::vector<TimerAction>& v, SaEventType type, uint32_t conn) {
    size_t n = 0;
    for (const TimerAction& a : v)
        n += a.type == type && a.conn_id == conn;
    return n;
}

TEST(SaTimers, SoftOnceAtNinetyPercentHardOnceAtTheLifetime) {
    SaTimers t;
    t.track(tunnel(120, 0), installed_at(kT0), kT0);
    EXPECT_TRUE(run(t, kT0, kT0 + 107'999, 1000).empty());  // 90 % of 120 s is 108 s
    const auto soft = t.tick(kT0 + 108'000, {});
    ASSERT_EQ(soft.size(), 2u);
    EXPECT_EQ(soft[0].type, SaEventType::kSoftLifetime);
    EXPECT_EQ(soft[0].spi, 0x1001u);
    EXPECT_EQ(soft[1].direction, Direction::kOutbound);
    EXPECT_TRUE(run(t, kT0 + 108'001, kT0 + 119'999, 250).empty());  // soft exactly once
    const auto hard = t.tick(kT0 + 120'000, {});
    ASSERT_EQ(hard.size(), 2u);
    EXPECT_EQ(hard[0].type, SaEventType::kHardLifetime);
    EXPECT_EQ(hard[1].type, SaEventType::kHardLifetime);
    EXPECT_TRUE(run(t, kT0 + 120'001, kT0 + 600'000, 1000).empty());  // hard exactly once
}

TEST(SaTimers, NoLifetimeNoIdleNoAction) {
    SaTimers t;
    Counters c;
    t.track(tunnel(0, 0), installed_at(kT0), kT0);
    EXPECT_TRUE(run(t, kT0, kT0 + 10'000'000, 60'000, c.fn()).empty());
}

TEST(SaTimers, ATickLateBySeveralPointsGivesOnlyTheHardStop) {
    SaTimers t;
    t.track(tunnel(120, 0), installed_at(kT0), kT0);
    const auto v = t.tick(kT0 + 500'000, {});
    EXPECT_EQ(count(v, SaEventType::kHardLifetime, 11), 1u);
    EXPECT_EQ(count(v, SaEventType::kSoftLifetime, 11), 0u);
}

TEST(SaTimers, IdleWhenNeitherDirectionMoves) {
    SaTimers t;
    Counters c;
    t.track(tunnel(0, 60), installed_at(kT0), kT0);
    EXPECT_TRUE(run(t, kT0, kT0 + 59'000, 1000, c.fn()).empty());
    const auto v = run(t, kT0 + 60'000, kT0 + 60'000, 1000, c.fn());
    EXPECT_EQ(count(v, SaEventType::kIdle, 11), 1u);
    EXPECT_EQ(count(v, SaEventType::kIdle, 12), 1u);
    EXPECT_TRUE(run(t, kT0 + 61'000, kT0 + 300'000, 1000, c.fn()).empty());  // once
}

TEST(SaTimers, TrafficInOneDirectionKeepsTheTunnel) {
    SaTimers t;
    Counters c;
    t.track(tunnel(0, 60), installed_at(kT0), kT0);
    for (TimerMs now = kT0; now <= kT0 + 600'000; now += 1000) {
        if ((now - kT0) % 30'000 == 0) ++c.packets[12];  // outbound only, every 30 s
        ASSERT_TRUE(t.tick(now, c.fn()).empty()) << (now - kT0);
    }
    // Traffic stops at +600 s: idle 60 s later, not before.
    EXPECT_TRUE(run(t, kT0 + 601'000, kT0 + 659'000, 1000, c.fn()).empty());
    EXPECT_EQ(run(t, kT0 + 660'000, kT0 + 660'000, 1000, c.fn()).size(), 2u);
}

TEST(SaTimers, CountersArePolledAboutOnceASecond) {
    SaTimers t;
    int reads = 0;
    const SaTimers::Packets p = [&](uint32_t) -> std::optional<uint64_t> { return ++reads; };
    t.track(tunnel(0, 60), installed_at(kT0), kT0);
    run(t, kT0, kT0 + 9'990, 10, p);  // 1000 ticks over 10 s
    EXPECT_EQ(reads, 2 * 10);         // two SAs, ten polls
}

TEST(SaTimers, UnreadableCountersNeverMakeATunnelIdle) {
    SaTimers t;
    const SaTimers::Packets none = [](uint32_t) -> std::optional<uint64_t> { return {}; };
    t.track(tunnel(0, 60), installed_at(kT0), kT0);
    EXPECT_TRUE(run(t, kT0, kT0 + 600'000, 1000, none).empty());
}

// A control restarted at 100 s into a 120 s lifetime: the lifetime counts from the dataplane's
// install time, the soft point its predecessor passed is not raised again, the hard stop comes
// at 120 s (not 100 + 120 s).
TEST(SaTimers, RestartResumesFromTheDataplanesInstallTime) {
    SaTimers restarted;
    restarted.track(tunnel(120, 0), installed_at(kT0), kT0 + 110'000);
    EXPECT_TRUE(run(restarted, kT0 + 110'000, kT0 + 119'000, 1000).empty());
    EXPECT_EQ(count(restarted.tick(kT0 + 120'000, {}), SaEventType::kHardLifetime, 12), 1u);

    SaTimers early;  // restarted before the soft point: raises it once, on time
    early.track(tunnel(120, 0), installed_at(kT0), kT0 + 50'000);
    const auto v = run(early, kT0 + 50'000, kT0 + 130'000, 1000);
    EXPECT_EQ(count(v, SaEventType::kSoftLifetime, 11), 1u);
    EXPECT_EQ(count(v, SaEventType::kHardLifetime, 11), 1u);

    SaTimers unknown;  // no install time from the dataplane: counts from the restart
    unknown.track(tunnel(120, 0), {}, kT0 + 50'000);
    EXPECT_EQ(
        count(run(unknown, kT0 + 50'000, kT0 + 169'000, 1000), SaEventType::kHardLifetime, 11), 0u);
    EXPECT_EQ(count(unknown.tick(kT0 + 170'000, {}), SaEventType::kHardLifetime, 11), 1u);
}

TEST(SaTimers, ReinstalledSaStartsOverAndRetrackKeepsState) {
    SaTimers t;
    t.track(tunnel(120, 0), installed_at(kT0), kT0);
    ASSERT_EQ(run(t, kT0, kT0 + 120'000, 1000).size(), 4u);     // soft + hard, both SAs
    t.track(tunnel(120, 0), installed_at(kT0), kT0 + 130'000);  // same SAs: nothing again
    EXPECT_TRUE(run(t, kT0 + 130'000, kT0 + 300'000, 1000).empty());
    t.track(tunnel(120, 0), installed_at(kT0 + 300'000), kT0 + 300'000);  // clear crypto sa
    const auto v = run(t, kT0 + 300'000, kT0 + 420'000, 1000);
    EXPECT_EQ(count(v, SaEventType::kSoftLifetime, 12), 1u);
    EXPECT_EQ(count(v, SaEventType::kHardLifetime, 12), 1u);
    t.track({}, installed_at(kT0), kT0 + 500'000);  // removed from the configuration
    EXPECT_EQ(t.size(), 0u);
}

// The reader on a segment built in memory, as the dataplane lays it out.
TEST(SaStatsReader, InstallTimeAndPacketsByConnId) {
    sadb::StatsLayout layout{1, 1, 8, 4};
    std::vector<uint8_t> mem(layout.size());
    layout.fill_header(reinterpret_cast<sadb::StatsHeader*>(mem.data()));
    sadb::StatsView view{mem.data()};
    sadb::SaSlot* s = view.sa(5);
    s->in_use = 1;
    s->conn_id = 12;
    s->installed_unix_ns = 1'700'000'000'123'456'789;
    s->counters.packets = 42;
    SaStatsReader r;
    std::string error;
    ASSERT_TRUE(r.attach(mem.data(), mem.size(), &error)) << error;
    EXPECT_EQ(r.installed_unix_ns(12), 1'700'000'000'123'456'789u);
    EXPECT_EQ(r.packets(12), 42u);
    EXPECT_FALSE(r.packets(11).has_value());
    s->in_use = 0;  // the slot went to another SA: the cached slot is checked
    view.sa(2)->in_use = 1;
    view.sa(2)->conn_id = 12;
    view.sa(2)->counters.packets = 7;
    EXPECT_EQ(r.packets(12), 7u);
    reinterpret_cast<sadb::StatsHeader*>(mem.data())->version = sadb::kStatsVersion - 1;
    SaStatsReader old;
    EXPECT_FALSE(old.attach(mem.data(), mem.size(), &error));
}

}  // namespace
}  // namespace espgw::control
