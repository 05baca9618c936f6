#include "control/debug_hub.h"

namespace espgw::control {
namespace {

std::string lost_line(uint64_t n) {
    return "%% " + std::to_string(n) + " debug line(s) lost: the terminal did not keep up";
}

bool matches(const DebugFilter& f, DebugTopic t, std::string_view peer) {
    return f.topic == t && (f.peer.empty() || f.peer == peer);
}

}  // namespace

std::string_view topic_name(DebugTopic t) {
    return t == DebugTopic::kIpsec ? "ipsec" : "engine";
}

std::optional<DebugTopic> topic_from_name(std::string_view name) {
    if (name == "ipsec") return DebugTopic::kIpsec;
    if (name == "engine") return DebugTopic::kEngine;
    return std::nullopt;
}

void DebugHub::subscribe(uint64_t id, const DebugFilter& f, std::string terminal) {
    streams_[id] = Stream{f, std::move(terminal), {}, 0, false};
}

void DebugHub::unsubscribe(uint64_t id) {
    streams_.erase(id);
}

void DebugHub::push(Stream& s, std::string text) {
    if (s.queue.size() >= kQueueLines) {
        ++s.lost;
        return;
    }
    s.queue.push_back(std::move(text));
}

void DebugHub::publish(DebugTopic t, std::string_view peer, const std::string& text) {
    for (auto& [id, s] : streams_)
        if (!s.ended && matches(s.filter, t, peer)) push(s, text);
}

bool DebugHub::drain(uint64_t id, std::vector<std::string>* out) {
    const auto it = streams_.find(id);
    if (it == streams_.end()) return false;
    Stream& s = it->second;
    for (std::string& l : s.queue)
        out->push_back(std::move(l));
    s.queue.clear();
    if (s.lost > 0) out->push_back(lost_line(s.lost));
    s.lost = 0;
    return !s.ended;
}

size_t DebugHub::undebug_all() {
    size_t n = 0;
    for (auto& [id, s] : streams_) {
        if (s.ended) continue;
        // Past the bound: the last lines must arrive.
        if (s.lost > 0) s.queue.push_back(lost_line(s.lost));
        s.lost = 0;
        s.queue.push_back(std::string(kTurnedOff));
        s.ended = true;
        ++n;
    }
    return n;
}

bool DebugHub::wants(DebugTopic t) const {
    for (const auto& [id, s] : streams_)
        if (!s.ended && s.filter.topic == t) return true;
    return false;
}

std::vector<DebugHub::Active> DebugHub::active() const {
    std::vector<Active> out;
    for (const auto& [id, s] : streams_)
        if (!s.ended) out.push_back({id, s.filter, s.terminal});
    return out;
}

std::vector<uint64_t> DebugHub::ids() const {
    std::vector<uint64_t> out;
    for (const auto& [id, s] : streams_)
        out.push_back(id);
    return out;
}

}  // namespace espgw::control
