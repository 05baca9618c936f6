// Creation of the dataplane's two shared-memory files: the ring region (sadb/ring_region.h) and
// the stats segment (sadb/stats_segment.h). Both are root-only (mode 0600) and replaced when a
// previous dataplane of the same instance died; a live one is refused.
#pragma once

#include <string>

#include "sadb/ring_region.h"
#include "sadb/stats_segment.h"

namespace espgw::dataplane {

// A mapped shared-memory file that is unlinked when this process ends it.
class ShmFile {
public:
    ShmFile() = default;
    ShmFile(std::string name, void* base, size_t size) : name_(std::move(name)), base_(base), size_(size) {}
    ShmFile(ShmFile&& o) noexcept { swap(o); }
    ShmFile& operator=(ShmFile&& o) noexcept {
        swap(o);
        return *this;
    }
    ~ShmFile();
    void* base() const { return base_; }
    size_t size() const { return size_; }
    bool valid() const { return base_ != nullptr; }

private:
    void swap(ShmFile& o) {
        std::swap(name_, o.name_);
        std::swap(base_, o.base_);
        std::swap(size_, o.size_);
    }
    std::string name_;
    void* base_ = nullptr;
    size_t size_ = 0;
};

// Creates /dev/shm/espgw.<instance>.ring with both rings initialised and `ready` set.
ShmFile create_ring_region(const std::string& instance, std::string* error);

// Creates /dev/shm/espgw.<instance>.stats, zeroed, with its header filled in.
ShmFile create_stats_segment(const std::string& instance, const sadb::StatsLayout& layout,
                             std::string* error);

}  // namespace espgw::dataplane
