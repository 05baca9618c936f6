// The shared-memory file that carries the two rings between espgw-control and
// espgw-dataplane: /dev/shm/espgw.<instance>.ring (mode 0600, root only).
//
//   [RingRegionHeader][command ring: control -> dataplane][event ring: dataplane -> control]
//
// The dataplane creates and initialises it (rte_ring_init on the mapped memory); control maps
// it and uses only DPDK's header-inline ring functions, so it links no DPDK library and needs no
// EAL. Both rings are single-producer/single-consumer: one control process, and on the
// dataplane side only the main lcore touches them.
#pragma once

#include <fcntl.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>

#include "sadb/wire.h"

namespace espgw::sadb {

inline constexpr uint32_t kRingRegionMagic = 0x45535052;  // "ESPR"
inline constexpr uint32_t kRingRegionVersion = 1;
inline constexpr uint32_t kRingSlots = 1024;  // per ring, power of two

struct RingRegionHeader {
    uint32_t magic;
    uint32_t version;
    uint32_t msg_size;
    uint32_t slots;
    uint64_t cmd_off;
    uint64_t evt_off;
    uint64_t size;
    std::atomic<uint32_t> ready;          // set by the dataplane once both rings exist
    std::atomic<uint32_t> dataplane_pid;  // who created it
    std::atomic<uint32_t> control_pid;    // the attached control process, 0 if none
    uint32_t reserved;
};

inline std::string ring_region_path(const std::string& instance) {
    return "/espgw." + instance + ".ring";  // shm_open name: /dev/shm/espgw.<instance>.ring
}

// A mapping of the region (either side).
class RingRegion {
public:
    RingRegion() = default;
    RingRegion(void* base, size_t size) : base_(static_cast<uint8_t*>(base)), size_(size) {}
    RingRegion(RingRegion&& o) noexcept { *this = std::move(o); }
    RingRegion& operator=(RingRegion&& o) noexcept {
        std::swap(base_, o.base_);
        std::swap(size_, o.size_);
        return *this;
    }
    ~RingRegion() {
        if (base_ != nullptr) munmap(base_, size_);
    }

    bool valid() const { return base_ != nullptr; }
    RingRegionHeader* header() const { return reinterpret_cast<RingRegionHeader*>(base_); }
    rte_ring* commands() const { return reinterpret_cast<rte_ring*>(base_ + header()->cmd_off); }
    rte_ring* events() const { return reinterpret_cast<rte_ring*>(base_ + header()->evt_off); }

    // Control side: maps an existing, ready region. Returns an invalid region and a reason.
    static RingRegion attach(const std::string& instance, std::string* error) {
        const int fd = shm_open(ring_region_path(instance).c_str(), O_RDWR, 0);
        if (fd < 0) {
            *error = "no dataplane for instance '" + instance + "' (" + std::strerror(errno) + ")";
            return {};
        }
        struct stat st {};
        fstat(fd, &st);
        void* p = st.st_size >= static_cast<off_t>(sizeof(RingRegionHeader))
                      ? mmap(nullptr, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
                      : MAP_FAILED;
        close(fd);
        if (p == MAP_FAILED) {
            *error = "cannot map the ring region of instance '" + instance + "'";
            return {};
        }
        RingRegion r(p, static_cast<size_t>(st.st_size));
        const RingRegionHeader* h = r.header();
        if (h->magic != kRingRegionMagic || h->version != kRingRegionVersion ||
            h->msg_size != wire::kMsgSize || h->ready.load() != 1) {
            *error = "ring region of instance '" + instance + "' is not ready or of another version";
            return {};
        }
        return r;
    }

private:
    uint8_t* base_ = nullptr;
    size_t size_ = 0;
};

// Single-message enqueue/dequeue; false when the ring is full/empty.
inline bool ring_put(rte_ring* r, const wire::Msg& m) {
    return rte_ring_enqueue_elem(r, const_cast<wire::Msg*>(&m), wire::kMsgSize) == 0;
}

inline bool ring_get(rte_ring* r, wire::Msg* m) {
    return rte_ring_dequeue_elem(r, m, wire::kMsgSize) == 0;
}

// Dequeues one message and wipes its slot in the ring (keys must not linger in shared memory).
inline bool ring_take_and_wipe(rte_ring* r, wire::Msg* m) {
    rte_ring_zc_data zcd{};
    if (rte_ring_dequeue_zc_burst_elem_start(r, wire::kMsgSize, 1, &zcd, nullptr) != 1)
        return false;
    std::memcpy(m, zcd.ptr1, wire::kMsgSize);
    std::memset(zcd.ptr1, 0, wire::kMsgSize);
    rte_ring_dequeue_zc_finish(r, 1);
    return true;
}

}  // namespace espgw::sadb
