#include "control/sa_stats_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace espgw::control {

SaStatsReader::~SaStatsReader() {
    close();
}

void SaStatsReader::close() {
    if (mapped_) munmap(view_.base, size_);
    view_ = {};
    size_ = 0;
    mapped_ = false;
    slot_of_.clear();
}

bool SaStatsReader::open(const std::string& instance, std::string* error) {
    close();
    const int fd = shm_open(sadb::stats_path(instance).c_str(), O_RDONLY, 0);
    if (fd < 0) {
        *error = "no dataplane statistics for instance " + instance + ": " + std::strerror(errno);
        return false;
    }
    struct stat st {};
    fstat(fd, &st);
    const size_t size = static_cast<size_t>(st.st_size);
    void* p = size >= sizeof(sadb::StatsHeader) ? mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0)
                                                : MAP_FAILED;
    ::close(fd);
    if (p == MAP_FAILED) {
        *error = "cannot map the statistics of instance " + instance;
        return false;
    }
    mapped_ = true;
    return attach(p, size, error);
}

bool SaStatsReader::attach(void* base, size_t size, std::string* error) {
    const auto* h = static_cast<const sadb::StatsHeader*>(base);
    if (size < sizeof *h || h->magic != sadb::kStatsMagic || h->version != sadb::kStatsVersion ||
        h->size > size || h->sa_off + size_t{h->max_sas} * sizeof(sadb::SaSlot) > size) {
        if (mapped_) munmap(base, size);
        mapped_ = false;
        *error = "the dataplane's statistics have another format version";
        return false;
    }
    view_.base = static_cast<uint8_t*>(base);
    size_ = size;
    slot_of_.clear();
    return true;
}

// The slot cached for the conn id if it still holds that SA, else a scan (after a reinstall
// the SA may live in another slot).
const sadb::SaSlot* SaStatsReader::slot(uint32_t conn_id) {
    if (!is_open()) return nullptr;
    const auto holds = [&](uint32_t k) {
        const sadb::SaSlot* s = view_.sa(k);
        return sadb::shm_load(s->in_use) != 0 && s->conn_id == conn_id;
    };
    if (const auto it = slot_of_.find(conn_id); it != slot_of_.end() && holds(it->second))
        return view_.sa(it->second);
    for (uint32_t k = 0; k < view_.header()->max_sas; ++k) {
        if (!holds(k)) continue;
        slot_of_[conn_id] = k;
        return view_.sa(k);
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
