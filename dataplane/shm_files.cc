#include "dataplane/shm_files.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace espgw::dataplane {
namespace {

// True if the file names a dataplane process that is still alive.
bool owner_alive(const std::string& name, size_t pid_offset) {
    const int fd = shm_open(name.c_str(), O_RDONLY, 0);
    if (fd < 0) return false;
    uint32_t pid = 0;
    const bool read_ok = pread(fd, &pid, sizeof pid, static_cast<off_t>(pid_offset)) == sizeof pid;
    close(fd);
    return read_ok && pid != 0 && static_cast<pid_t>(pid) != getpid() && kill(pid, 0) == 0;
}

void* create_mapping(const std::string& name, size_t size, size_t pid_offset,
                     std::string* error) {
    if (owner_alive(name, pid_offset)) {
        *error = "another dataplane owns /dev/shm" + name + " (use --instance)";
        return nullptr;
    }
    shm_unlink(name.c_str());
    const int fd = shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || ftruncate(fd, static_cast<off_t>(size)) != 0) {
        *error = "cannot create /dev/shm" + name + ": " + std::strerror(errno);
        if (fd >= 0) close(fd);
        return nullptr;
    }
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        *error = "cannot map /dev/shm" + name;
        return nullptr;
    }
    std::memset(p, 0, size);
    return p;
}

}  // namespace

ShmFile::~ShmFile() {
    if (base_ == nullptr) return;
    munmap(base_, size_);
    shm_unlink(name_.c_str());
}

ShmFile create_ring_region(const std::string& instance, std::string* error) {
    const size_t ring = rte_ring_get_memsize_elem(sadb::wire::kMsgSize, sadb::kRingSlots);
    const size_t hdr = (sizeof(sadb::RingRegionHeader) + 127) & ~size_t{127};
    const size_t size = hdr + 2 * ring;
    const std::string name = sadb::ring_region_path(instance);
    void* p = create_mapping(name, size, offsetof(sadb::RingRegionHeader, dataplane_pid), error);
    if (p == nullptr) return {};
    auto* h = static_cast<sadb::RingRegionHeader*>(p);
    h->magic = sadb::kRingRegionMagic;
    h->version = sadb::kRingRegionVersion;
    h->msg_size = sadb::wire::kMsgSize;
    h->slots = sadb::kRingSlots;
    h->cmd_off = hdr;
    h->evt_off = hdr + ring;
    h->size = size;
    h->dataplane_pid = static_cast<uint32_t>(getpid());
    auto* base = static_cast<uint8_t*>(p);
    // No RING_F_EXACT_SZ: with it rte_ring_init rounds kRingSlots + 1 up to 2 * kRingSlots
    // slots while `ring` bytes hold kRingSlots, so after 1024 messages the command ring wrote
    // over the event ring (lost acks for configurations of more than ~500 tunnels) and the
    // event ring past the end of the file. Usable capacity is kRingSlots - 1.
    const unsigned flags = RING_F_SP_ENQ | RING_F_SC_DEQ;
    if (rte_ring_init(reinterpret_cast<rte_ring*>(base + hdr), "espgw_cmd", sadb::kRingSlots,
                      flags) != 0 ||
        rte_ring_init(reinterpret_cast<rte_ring*>(base + hdr + ring), "espgw_evt",
                      sadb::kRingSlots, flags) != 0) {
        *error = "rte_ring_init failed on the ring region";
        munmap(p, size);
        return {};
    }
    h->ready.store(1);
    return ShmFile(name, p, size);
}

ShmFile create_stats_segment(const std::string& instance, const sadb::StatsLayout& l,
                             std::string* error) {
    const std::string name = sadb::stats_path(instance);
    void* p = create_mapping(name, l.size(), offsetof(sadb::StatsHeader, dataplane_pid), error);
    if (p == nullptr) return {};
    auto* h = static_cast<sadb::StatsHeader*>(p);
    l.fill_header(h);
    h->dataplane_pid = static_cast<uint32_t>(getpid());
    h->start_unix_ns = static_cast<uint64_t>(
        std::chrono::system_clock::now().time_since_epoch() / std::chrono::nanoseconds(1));
    std::strncpy(h->instance, instance.c_str(), sizeof h->instance - 1);
    return ShmFile(name, p, l.size());
}

}  // namespace espgw::dataplane
