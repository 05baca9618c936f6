#include "mgmt/exporter/segment_watcher.h"

#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace espgw::mgmt::exporter {
namespace {

// EPERM: the process exists but belongs to someone else (an exporter not running as root).
bool process_alive(uint32_t pid) {
    return pid != 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

}  // namespace

const StatsReader* SegmentWatcher::get(std::string* why) {
    struct stat st {};
    const std::string file = "/dev/shm" + sadb::stats_path(instance_);
    if (stat(file.c_str(), &st) != 0) {
        reader_.reset();
        *why = "no dataplane statistics for instance '" + instance_ + "' (" + std::strerror(errno) +
               ")";
        return nullptr;
    }
    if (!reader_ || st.st_dev != dev_ || st.st_ino != ino_) {
        auto r = std::make_unique<StatsReader>();
        reader_.reset();
        if (!r->open(instance_, why)) return nullptr;  // maybe still being created: next scrape
        reader_ = std::move(r);
        dev_ = st.st_dev;
        ino_ = st.st_ino;
    }
    if (!process_alive(sadb::shm_load(reader_->header().dataplane_pid))) {
        *why = "the dataplane of instance '" + instance_ + "' is not running";
        return nullptr;
    }
    return reader_.get();
}

}  // namespace espgw::mgmt::exporter
