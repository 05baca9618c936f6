// Rate limiting of log lines per key (reason, SA): a token bucket of `burst` lines refilled at
// `per_second`. Lines past it are counted, not printed; the count is reported once, in an
// "N messages suppressed" line, when the key is allowed to speak again: before its next line, or
// by expire() at the end of the interval if the key fell silent. requirements.md §3 E10/§6 #61:
// a flood of invalid SPIs or replays must not flood the log.
//
// Time is passed in by the caller (steady clock in control, a fake one in tests).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

namespace espgw::control {

struct RateLimit {
    double per_second = 1.0;
    uint32_t burst = 5;
};

struct RateKey {
    uint32_t kind = 0;  // drop reason or event kind
    uint32_t sa = 0;    // conn id, else the SPI the packet carried, else 0
    bool operator==(const RateKey&) const = default;
};

class RateLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    // Keys beyond this many share one bucket per kind (sa = kOverflowSa), so random SPIs cannot
    // grow the table without bound.
    static constexpr size_t kMaxKeys = 4096;
    static constexpr uint32_t kOverflowSa = 0xFFFFFFFF;

    explicit RateLimiter(RateLimit limit = {}) : limit_(limit) {}

    struct Verdict {
        bool emit = false;
        uint64_t suppressed_before = 0;  // report this many suppressed lines first
        RateKey key;                     // the key charged (kOverflowSa when the table is full)
    };
    Verdict admit(RateKey key, Clock::time_point now);

    struct Summary {
        RateKey key;
        uint64_t suppressed;
    };
    // Keys whose suppression ended without a new line: their counts, reported now (each takes a
    // token, so summaries are limited too). Idle keys with full buckets are forgotten.
    std::vector<Summary> expire(Clock::time_point now);

    size_t keys() const { return buckets_.size(); }

  private:
    struct Bucket {
        double tokens;
        Clock::time_point refilled;
        uint64_t suppressed = 0;
    };
    struct Hash {
        size_t operator()(const RateKey& k) const {
            return std::hash<uint64_t>()(uint64_t{k.kind} << 32 | k.sa);
        }
    };
    Bucket& bucket(RateKey* key, Clock::time_point now);
    void forget_idle(Clock::time_point now);
    void refill(Bucket& b, Clock::time_point now) const;

    RateLimit limit_;
    std::unordered_map<RateKey, Bucket, Hash> buckets_;
};

}  // namespace espgw::control
