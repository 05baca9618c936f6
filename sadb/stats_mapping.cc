#include "sadb/stats_mapping.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace espgw::sadb {

void StatsMapping::close() {
    if (mapped_) munmap(view_.base, size_);
    view_ = {};
    size_ = 0;
    mapped_ = false;
}

bool StatsMapping::open(const std::string& instance, std::string* error) {
    close();
    const int fd = shm_open(stats_path(instance).c_str(), O_RDONLY, 0);
    if (fd < 0) {
        *error = "no dataplane statistics for instance '" + instance + "' (" +
                 std::strerror(errno) + "); is espgw-dataplane running?";
        return false;
    }
    struct stat st {};
    const size_t size = fstat(fd, &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
    void* p = size >= sizeof(StatsHeader) ? mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0)
                                          : MAP_FAILED;
    ::close(fd);
    if (p == MAP_FAILED) {
        *error = "cannot map the statistics of instance '" + instance + "'";
        return false;
    }
    view_.base = static_cast<uint8_t*>(p);
    size_ = size;
    mapped_ = true;
    return check(instance, error);
}

bool StatsMapping::attach(const void* base, size_t size, std::string* error) {
    close();
    if (size < sizeof(StatsHeader)) {
        *error = "statistics segment too small";
        return false;
    }
    view_.base = static_cast<uint8_t*>(const_cast<void*>(base));
    size_ = size;
    const char* name = view_.header()->instance;
    return check(std::string(name, strnlen(name, sizeof view_.header()->instance)), error);
}

// A dataplane that is still creating the segment shows magic 0; one of another build another
// version; a header whose regions do not fit the file is refused before anything reads them.
bool StatsMapping::check(const std::string& instance, std::string* error) {
    const StatsHeader* h = view_.header();
    std::string why;
    if (h->magic != kStatsMagic || h->version != kStatsVersion) {
        why = "statistics of instance '" + instance + "' have another format version";
    } else if (h->size > size_ || h->sa_off + size_t{h->max_sas} * sizeof(SaSlot) > size_) {
        why = "statistics of instance '" + instance + "' are truncated";
    }
    if (why.empty()) return true;
    close();
    *error = why;
    return false;
}

}  // namespace espgw::sadb
