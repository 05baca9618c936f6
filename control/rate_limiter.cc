#include "control/rate_limiter.h"

#include <algorithm>
#include <iterator>

namespace espgw::control {

void RateLimiter::refill(Bucket& b, Clock::time_point now) const {
    const double elapsed = std::chrono::duration<double>(now - b.refilled).count();
    if (elapsed <= 0) return;
    b.tokens = std::min<double>(limit_.burst, b.tokens + elapsed * limit_.per_second);
    b.refilled = now;
}

RateLimiter::Bucket& RateLimiter::bucket(RateKey* key, Clock::time_point now) {
    if (auto it = buckets_.find(*key); it != buckets_.end()) return it->second;
    if (buckets_.size() >= kMaxKeys) {
        forget_idle(now);
        if (buckets_.size() >= kMaxKeys) key->sa = kOverflowSa;
    }
    return buckets_.try_emplace(*key, Bucket{double(limit_.burst), now}).first->second;
}

RateLimiter::Verdict RateLimiter::admit(RateKey key, Clock::time_point now) {
    Bucket& b = bucket(&key, now);
    refill(b, now);
    Verdict v;
    v.key = key;
    if (b.tokens < 1.0) {
        ++b.suppressed;
        return v;
    }
    b.tokens -= 1.0;
    v.emit = true;
    v.suppressed_before = b.suppressed;
    b.suppressed = 0;
    return v;
}

void RateLimiter::forget_idle(Clock::time_point now) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
        refill(it->second, now);
        const bool idle = it->second.suppressed == 0 && it->second.tokens >= limit_.burst;
        it = idle ? buckets_.erase(it) : std::next(it);
    }
}

std::vector<RateLimiter::Summary> RateLimiter::expire(Clock::time_point now) {
    std::vector<Summary> out;
    for (auto& [key, b] : buckets_) {
        refill(b, now);
        if (b.suppressed == 0 || b.tokens < 1.0) continue;
        out.push_back({key, b.suppressed});
        b.suppressed = 0;
        b.tokens -= 1.0;
    }
    forget_idle(now);
    return out;
}

}  // namespace espgw::control
