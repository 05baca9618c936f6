#include "control/sa_timer_loop.h"

#include <chrono>
#include <cstdlib>
#include <string>

#include "control/event_log.h"

namespace espgw::control {

uint32_t test_clock_scale() {
    const char* v = std::getenv(kTestClockScaleEnv);
    if (v == nullptr) return 1;
    const long n = std::strtol(v, nullptr, 10);
    return n >= 1 && n <= 1000000 ? static_cast<uint32_t>(n) : 1;
}

SaTimerLoop::SaTimerLoop(ControlState& st, Send send, uint32_t clock_scale)
    : st_(st), send_(std::move(send)), scale_(clock_scale) {}

TimerMs SaTimerLoop::now() const {
    const auto t = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::milliseconds>(t).count() * scale_;
}

void SaTimerLoop::attach() {
    std::string error;
    if (!stats_.open(st_.instance, &error) && st_.log)
        st_.log("ESPGW-4-SA_TIMERS",
                error + "; time lifetimes start at control's start and idle-time is not judged");
    tracked_generation_ = UINT64_MAX;  // a new dataplane: its install times
    unsent_.clear();  // its SAs are new: their timers start from the new install times
}

// Every SA of the running compilation, with the dataplane's install time where it is known:
// a restarted control keeps counting from there (and `show crypto ipsec sa` shows it).
void SaTimerLoop::retrack() {
    std::vector<TimedSa> sas;
    for (const CompiledSa& c : st_.policy.sas)
        sas.push_back({c.sa.conn_id, c.sa.pair_conn_id, c.sa.spi, c.sa.direction,
                       c.lifetime_seconds, c.idle_seconds});
    const auto installed = [this](uint32_t conn_id) -> std::optional<TimerMs> {
        const std::optional<uint64_t> ns = stats_.installed_unix_ns(conn_id);
        if (!ns) return std::nullopt;
        st_.installed_at[conn_id] = static_cast<std::time_t>(*ns / 1000000000u);
        return static_cast<TimerMs>(*ns / 1000000u) * scale_;
    };
    timers_.track(sas, installed, now());
    tracked_generation_ = st_.generation;
}

void SaTimerLoop::tick() {
    if (st_.generation != tracked_generation_) retrack();
    while (!unsent_.empty() && send_(unsent_.front()))
        unsent_.pop_front();
    const auto packets = [this](uint32_t conn_id) { return stats_.packets(conn_id); };
    for (const TimerAction& a : timers_.tick(now(), packets))
        act(a);
}

// Soft: logged here, as the dataplane's soft byte event is. Hard and idle: the dataplane stops
// the SA and raises the event once (control_endpoint.cc), which comes back as a kSaEvent.
void SaTimerLoop::act(const TimerAction& a) {
    sadb::wire::Msg m{};
    if (a.type == sadb::wire::SaEventType::kSoftLifetime) {
        sadb::wire::set_header<sadb::wire::SaEvent>(m, sadb::wire::MsgType::kSaEvent,
                                                    st_.generation);
        m.body.sa_event = {a.type, a.direction, {}, a.spi, a.conn_id, 0};
        if (st_.events) st_.events->on_event(m);
        return;
    }
    sadb::wire::set_header<sadb::wire::SaRef>(m, sadb::wire::MsgType::kSaExpire, st_.generation);
    m.body.sa_ref = {a.spi, a.conn_id, a.direction, a.type, {}};
    if (!unsent_.empty() || !send_(m)) unsent_.push_back(m);  // keep the order
}

}  // namespace espgw::control
