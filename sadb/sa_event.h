// Events the fast path raises for control: lifetimes crossed, sequence space exhausted. Each is
// raised once per SA. The lcore queues them here; the ring endpoint forwards them (issue 3).
#pragma once

#include <array>
#include <cstdint>

#include "sadb/sa_config.h"

namespace espgw::sadb {

enum class SaEventType : uint8_t { kSoftLifetime, kHardLifetime, kSeqExhausted };

struct SaEvent {
    SaEventType type;
    Direction direction;
    uint32_t spi;
    uint32_t sa_id;
};

class SaEventQueue {
public:
    static constexpr uint32_t kCapacity = 256;

    void push(const SaEvent& e) {
        if (count_ == kCapacity) {
            ++overflows_;
            return;
        }
        events_[count_++] = e;
    }
    uint32_t size() const { return count_; }
    const SaEvent& operator[](uint32_t k) const { return events_[k]; }
    void clear() { count_ = 0; }
    uint64_t overflows() const { return overflows_; }

private:
    std::array<SaEvent, kCapacity> events_{};
    uint32_t count_ = 0;
    uint64_t overflows_ = 0;
};

}  // namespace espgw::sadb
