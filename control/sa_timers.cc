#include "control/sa_timers.h"

#include <set>

namespace espgw::control {
namespace {

using sadb::wire::SaEventType;

// Soft at 90 % of the hard lifetime, as the byte lifetime (sa_compiler.cc) and IOS do.
TimerMs soft_ms(uint32_t seconds) {
    return TimerMs{seconds} * 900;
}

TimerMs hard_ms(uint32_t seconds) {
    return TimerMs{seconds} * 1000;
}

}  // namespace

void SaTimers::track(const std::vector<TimedSa>& sas, const InstallTime& installed, TimerMs now) {
    std::set<uint32_t> live;
    for (const TimedSa& t : sas) {
        live.insert(t.conn_id);
        const std::optional<TimerMs> at = installed ? installed(t.conn_id) : std::nullopt;
        auto it = sas_.find(t.conn_id);
        const bool reinstalled =
            it != sas_.end() && at && it->second.known_install && *at != it->second.installed;
        if (it == sas_.end() || reinstalled) {
            State s;
            s.installed = at.value_or(now);
            s.known_install = at.has_value();
            s.last_moved = now;
            // A restarted control does not repeat a soft event its predecessor raised.
            s.soft_done = !reinstalled && t.lifetime_seconds != 0 &&
                          now - s.installed >= soft_ms(t.lifetime_seconds);
            it = sas_.insert_or_assign(t.conn_id, s).first;
        }
        it->second.sa = t;  // a reload may change the lifetime or the idle time
    }
    std::erase_if(sas_, [&](const auto& kv) { return !live.count(kv.first); });
}

TimerAction SaTimers::action(const State& s, SaEventType t) {
    return TimerAction{t, s.sa.conn_id, s.sa.spi, s.sa.direction};
}

void SaTimers::lifetime(State& s, TimerMs now, std::vector<TimerAction>* out) {
    const uint32_t secs = s.sa.lifetime_seconds;
    if (secs == 0 || s.stopped) return;
    const TimerMs age = now - s.installed;
    if (age >= hard_ms(secs)) {
        s.stopped = s.soft_done = true;
        out->push_back(action(s, SaEventType::kHardLifetime));
    } else if (age >= soft_ms(secs) && !s.soft_done) {
        s.soft_done = true;
        out->push_back(action(s, SaEventType::kSoftLifetime));
    }
}

// An unreadable counter counts as traffic: a tunnel is never stopped for want of statistics.
void SaTimers::observe(State& s, TimerMs now, const Packets& packets) {
    const std::optional<uint64_t> p = packets ? packets(s.sa.conn_id) : std::nullopt;
    if (!p || p != s.last_packets) s.last_moved = now;
    s.last_packets = p;
}

// Idle is a property of the tunnel: neither its inbound nor its outbound SA moved.
bool SaTimers::idle(const State& s, TimerMs now) const {
    const TimerMs limit = hard_ms(s.sa.idle_seconds);
    if (s.sa.idle_seconds == 0 || s.stopped || now - s.last_moved < limit) return false;
    const auto pair = sas_.find(s.sa.pair_conn_id);
    return pair == sas_.end() || now - pair->second.last_moved >= limit;
}

std::vector<TimerAction> SaTimers::tick(TimerMs now, const Packets& packets) {
    std::vector<TimerAction> out;
    for (auto& [id, s] : sas_)
        lifetime(s, now, &out);
    if (last_poll_ && now - *last_poll_ < kIdlePollMs) return out;
    last_poll_ = now;
    for (auto& [id, s] : sas_)
        observe(s, now, packets);
    std::vector<State*> idle_now;
    for (auto& [id, s] : sas_)
        if (idle(s, now)) idle_now.push_back(&s);
    for (State* s : idle_now) {  // both directions decided before either is marked stopped
        s->stopped = true;
        out.push_back(action(*s, SaEventType::kIdle));
    }
    return out;
}

}  // namespace espgw::control
