// Control's SA timers: the time lifetime (`crypto ipsec security-association lifetime seconds N`,
// global or per crypto map entry) and the idle time (`... idle-time N`, requirements.md E38).
// The dataplane enforces byte/packet lifetimes on the fast path; time is control's job: at 90 %
// of `lifetime seconds` the soft event (logged once, like the dataplane's soft byte event), at
// 100 % the hard stop, and a tunnel whose inbound and outbound packet counters did not move for
// `idle-time` seconds is stopped as idle (RFC 4301 §4.4.2.1 lifetimes; manual SAs are never
// renegotiated, so a stop is final until `clear crypto sa` or a reload reinstalls them).
//
// Pure logic on an injected clock (milliseconds of "timer time"): the caller reads the install
// times and packet counters from the dataplane's stats segment (sa_stats_reader.h) and turns
// the actions into ring messages and log lines. No sleeping, no I/O: unit-testable.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "sadb/wire.h"

namespace espgw::control {

using TimerMs = int64_t;  // milliseconds on the timer's clock (real time, possibly scaled)

// What the timers need of one SA.
struct TimedSa {
    uint32_t conn_id = 0;
    uint32_t pair_conn_id = 0;  // the other direction of the same crypto map entry
    uint32_t spi = 0;
    sadb::wire::Direction direction = sadb::wire::Direction::kInbound;
    uint32_t lifetime_seconds = 0;  // 0 = no time lifetime
    uint32_t idle_seconds = 0;      // 0 = no idle time
};

// One thing to do: kSoftLifetime (log it), kHardLifetime or kIdle (stop the SA: kSaExpire).
struct TimerAction {
    sadb::wire::SaEventType type;
    uint32_t conn_id;
    uint32_t spi;
    sadb::wire::Direction direction;
};

class SaTimers {
  public:
    // The dataplane's install time of an SA on the timer's clock, if it knows it.
    using InstallTime = std::function<std::optional<TimerMs>(uint32_t conn_id)>;
    // The SA's packet counter, if it can be read.
    using Packets = std::function<std::optional<uint64_t>(uint32_t conn_id)>;

    static constexpr TimerMs kIdlePollMs = 1000;  // counters are read about once a second

    // Sets the SAs to time (after every applied configuration, resync or `clear crypto sa`).
    // An SA seen for the first time starts its lifetime at its install time (`installed`, else
    // `now`); a soft point already behind it is not raised again (a restarted control: its
    // predecessor raised it), the hard stop always is. An SA whose install time changed was
    // reinstalled: its timers start over. SAs not in `sas` are forgotten.
    void track(const std::vector<TimedSa>& sas, const InstallTime& installed, TimerMs now);

    // What is due at `now`: lifetime points every call; idle judged from `packets` once
    // kIdlePollMs passed since the last poll. Each action is returned once per SA.
    std::vector<TimerAction> tick(TimerMs now, const Packets& packets);

    size_t size() const { return sas_.size(); }

  private:
    struct State {
        TimedSa sa;
        TimerMs installed = 0;
        bool known_install = false;
        bool soft_done = false;
        bool stopped = false;  // hard lifetime or idle sent
        std::optional<uint64_t> last_packets;
        TimerMs last_moved = 0;  // when the packet counter last moved (or tracking began)
    };
    void lifetime(State& s, TimerMs now, std::vector<TimerAction>* out);
    void observe(State& s, TimerMs now, const Packets& packets);
    bool idle(const State& s, TimerMs now) const;
    static TimerAction action(const State& s, sadb::wire::SaEventType t);

    std::map<uint32_t, State> sas_;
    std::optional<TimerMs> last_poll_;
};

}  // namespace espgw::control
