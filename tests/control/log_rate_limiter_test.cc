// The per-(reason, SA) token bucket of the event log, on a fake clock.
#include <gtest/gtest.h>

#include "control/rate_limiter.h"

namespace espgw::control {
namespace {

using Clock = RateLimiter::Clock;
using std::chrono::milliseconds;

const Clock::time_point t0 = Clock::time_point(std::chrono::hours(1000));
constexpr RateKey kSpiDead{2, 0xDEAD};
constexpr RateKey kReplay{3, 4242};

// Admits `n` lines of `key` at `t`; returns how many were emitted.
int admit_n(RateLimiter& l, RateKey key, int n, Clock::time_point t) {
    int emitted = 0;
    for (int i = 0; i < n; ++i)
        emitted += l.admit(key, t).emit;
    return emitted;
}

TEST(LogRateLimiter, BurstThenSuppressedThenReportedBeforeTheNextLine) {
    RateLimiter l({1.0, 3});
    EXPECT_EQ(admit_n(l, kSpiDead, 10, t0), 3);
    const auto early = l.admit(kSpiDead, t0 + milliseconds(900));  // not a whole token yet
    EXPECT_FALSE(early.emit);
    const auto v = l.admit(kSpiDead, t0 + milliseconds(1000));
    EXPECT_TRUE(v.emit);
    EXPECT_EQ(v.suppressed_before, 8u);  // 7 at t0, 1 at 0.9 s
    const auto next = l.admit(kSpiDead, t0 + milliseconds(2000));
    EXPECT_TRUE(next.emit);
    EXPECT_EQ(next.suppressed_before, 0u);  // reported once
}

TEST(LogRateLimiter, KeysAreIndependent) {
    RateLimiter l({1.0, 2});
    EXPECT_EQ(admit_n(l, kSpiDead, 5, t0), 2);
    EXPECT_EQ(admit_n(l, kReplay, 5, t0), 2);
    EXPECT_EQ(admit_n(l, RateKey{3, 4243}, 1, t0), 1);  // same reason, other SA
    EXPECT_EQ(admit_n(l, RateKey{4, 4242}, 1, t0), 1);  // same SA, other reason
}

TEST(LogRateLimiter, SilentKeyReportedByExpireAtTheEndOfTheInterval) {
    RateLimiter l({2.0, 1});
    EXPECT_EQ(admit_n(l, kReplay, 58, t0), 1);
    EXPECT_TRUE(l.expire(t0 + milliseconds(400)).empty());  // no token yet: still quiet
    const auto s = l.expire(t0 + milliseconds(500));
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].key, kReplay);
    EXPECT_EQ(s[0].suppressed, 57u);
    EXPECT_TRUE(l.expire(t0 + milliseconds(600)).empty());  // reported once
    // The summary took the token: a line right after it waits for the next one.
    EXPECT_FALSE(l.admit(kReplay, t0 + milliseconds(600)).emit);
    EXPECT_TRUE(l.admit(kReplay, t0 + milliseconds(1000)).emit);
}

TEST(LogRateLimiter, SteadyRateAfterTheBurst) {
    RateLimiter l({10.0, 5});
    int emitted = 0;
    for (int ms = 0; ms < 10'000; ms += 10)  // 100 lines a second for 10 s
        emitted += l.admit(kSpiDead, t0 + milliseconds(ms)).emit;
    EXPECT_GE(emitted, 5 + 99);
    EXPECT_LE(emitted, 5 + 101);
}

TEST(LogRateLimiter, IdleKeysAreForgotten) {
    RateLimiter l({1.0, 2});
    admit_n(l, kSpiDead, 1, t0);
    admit_n(l, kReplay, 1, t0);
    EXPECT_EQ(l.keys(), 2u);
    l.expire(t0 + std::chrono::seconds(5));
    EXPECT_EQ(l.keys(), 0u);
}

TEST(LogRateLimiter, TableIsBoundedBySharingAnOverflowKey) {
    RateLimiter l({1.0, 1});
    for (uint32_t spi = 1; spi <= RateLimiter::kMaxKeys; ++spi)
        admit_n(l, RateKey{2, spi}, 2, t0);  // each key busy: one suppressed line
    EXPECT_EQ(l.keys(), RateLimiter::kMaxKeys);
    const auto v = l.admit(RateKey{2, 999'999}, t0);
    EXPECT_EQ(v.key.sa, RateLimiter::kOverflowSa);
    EXPECT_TRUE(v.emit);
    EXPECT_FALSE(l.admit(RateKey{2, 999'998}, t0).emit);  // same shared bucket
    EXPECT_EQ(l.keys(), RateLimiter::kMaxKeys + 1);
}

}  // namespace
}  // namespace espgw::control
