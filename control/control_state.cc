#include "control/control_state.h"

#include <set>

namespace espgw::control {

std::string ControlState::config_line(int n) const {
    size_t start = 0;
    for (int k = 1; k < n; ++k) {
        start = config_text.find('\n', start);
        if (start == std::string::npos) return "";
        ++start;
    }
    if (n < 1 || start >= config_text.size()) return "";
    const size_t end = config_text.find('\n', start);
    std::string line = config_text.substr(start, end == std::string::npos ? end : end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

void ControlState::stamp_new_sas(std::time_t now) {
    std::set<uint32_t> live;
    for (const CompiledSa& c : policy.sas) {
        live.insert(c.sa.conn_id);
        installed_at.try_emplace(c.sa.conn_id, now);
    }
    std::erase_if(installed_at, [&](const auto& kv) { return !live.count(kv.first); });
}

}  // namespace espgw::control
