#include "control/sa_stats_reader.h"

namespace espgw::control {

bool SaStatsReader::open(const std::string& instance, std::string* error) {
    slot_of_.clear();
    return map_.open(instance, error);
}

bool SaStatsReader::attach(void* base, size_t size, std::string* error) {
    slot_of_.clear();
    return map_.attach(base, size, error);
}

// The slot cached for the conn id if it still holds that SA, else a scan (after a reinstall
// the SA may live in another slot).
const sadb::SaSlot* SaStatsReader::slot(uint32_t conn_id) {
    if (!is_open()) return nullptr;
    const auto holds = [&](uint32_t k) {
        const sadb::SaSlot* s = map_.view().sa(k);
        return sadb::shm_load(s->in_use) != 0 && s->conn_id == conn_id;
    };
    if (const auto it = slot_of_.find(conn_id); it != slot_of_.end() && holds(it->second))
        return map_.view().sa(it->second);
    for (uint32_t k = 0; k < map_.view().header()->max_sas; ++k) {
        if (!holds(k)) continue;
        slot_of_[conn_id] = k;
        return map_.view().sa(k);
    }
    slot_of_.erase(conn_id);
    return nullptr;
}

std::optional<uint64_t> SaStatsReader::installed_unix_ns(uint32_t conn_id) {
    const sadb::SaSlot* s = slot(conn_id);
    if (s == nullptr || s->installed_unix_ns == 0) return std::nullopt;
    return sadb::shm_load(s->installed_unix_ns);
}

std::optional<uint64_t> SaStatsReader::packets(uint32_t conn_id) {
    const sadb::SaSlot* s = slot(conn_id);
    if (s == nullptr) return std::nullopt;
    return sadb::shm_load(s->counters.packets);  // one aligned word: never torn
}

}  // namespace espgw::control
