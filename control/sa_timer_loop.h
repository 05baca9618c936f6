// Runs control's SA timers (sa_timers.h) in the main loop: keeps the timed SAs in step with the
// configuration the dataplane runs, reads install times and packet counters from the stats
// segment (sa_stats_reader.h), logs the soft time lifetime through the event log like the
// dataplane's soft byte event, and sends kSaExpire for a hard time lifetime or an idle tunnel
// (the dataplane blocks the SA and answers with the event, which the event log logs).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include "control/control_state.h"
#include "control/sa_stats_reader.h"
#include "control/sa_timers.h"

namespace espgw::control {

// Test-only: multiplies control's timer clock (lifetime seconds, idle-time) so a process test
// can see a 120 s lifetime end in 2 s. Named so nobody takes it for a feature; never set it in
// production. Read by espgw-control only; the dataplane's clock is untouched.
inline constexpr const char* kTestClockScaleEnv = "ESPGW_TEST_ONLY_CONTROL_CLOCK_SCALE";

class SaTimerLoop {
  public:
    using Send = std::function<bool(const sadb::wire::Msg&)>;
    SaTimerLoop(ControlState& st, Send send, uint32_t clock_scale);

    // (Re)maps the stats segment of the dataplane control is attached to (after each attach).
    void attach();
    // Once per main-loop round: re-tracks after a new generation, sends what a full command
    // ring refused before, then acts on what is due.
    void tick();
    size_t unsent() const { return unsent_.size(); }

  private:
    TimerMs now() const;
    void retrack();
    void act(const TimerAction& a);

    ControlState& st_;
    Send send_;
    uint32_t scale_;
    SaStatsReader stats_;
    SaTimers timers_;
    uint64_t tracked_generation_ = UINT64_MAX;
    // kSaExpire messages the command ring did not take (full for 2 s): a timer fires once, so
    // they are kept and sent again each round, in order, until the ring takes them.
    std::deque<sadb::wire::Msg> unsent_;
};

// The scale from kTestClockScaleEnv (1 when unset or invalid).
uint32_t test_clock_scale();

}  // namespace espgw::control
