#include "dataplane/neighbor_table.h"

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include <cstring>

#include "dataplane/bytes.h"

namespace espgw::dataplane {
namespace {

constexpr size_t kMaxName = 20;  // leaves room for the prefixes rte_hash and rte_rcu add
constexpr uint8_t kFree = 0xff;  // slot state of a removed entry

uint64_t pack(const rte_ether_addr& mac, uint16_t port) {
    uint64_t v = 0;
    std::memcpy(&v, mac.addr_bytes, RTE_ETHER_ADDR_LEN);
    return v | uint64_t{port} << 48;
}

rte_ether_addr mac_of(uint64_t v) {
    rte_ether_addr mac;
    std::memcpy(mac.addr_bytes, &v, RTE_ETHER_ADDR_LEN);
    return mac;
}

class WriterGuard {
  public:
    explicit WriterGuard(std::atomic_flag& f) : f_(f) {
        while (f_.test_and_set(std::memory_order_acquire))
            rte_pause();
    }
    ~WriterGuard() { f_.clear(std::memory_order_release); }

  private:
    std::atomic_flag& f_;
};

}  // namespace

struct NeighborTable::SlotData {
    uint32_t ip;
    uint8_t state;
    uint64_t mac_port;  // MAC in bytes 0..5, port in the top 16 bits
    uint64_t tsc;
};

// A seqlock around one entry. Every field is an atomic so that a reader's racing loads are
// defined behaviour; the sequence number decides whether the copy is consistent.
struct NeighborTable::Slot {
    std::atomic<uint32_t> seq{0};  // odd while the writer is changing the slot
    std::atomic<uint32_t> ip{0};
    std::atomic<uint64_t> mac_port{0};
    std::atomic<uint64_t> tsc{0};
    std::atomic<uint8_t> state{kFree};

    SlotData read() const {
        for (;;) {
            const uint32_t before = seq.load(std::memory_order_acquire);
            const SlotData d{
                ip.load(std::memory_order_relaxed), state.load(std::memory_order_relaxed),
                mac_port.load(std::memory_order_relaxed), tsc.load(std::memory_order_relaxed)};
            std::atomic_thread_fence(std::memory_order_acquire);
            if ((before & 1) == 0 && seq.load(std::memory_order_relaxed) == before) return d;
            rte_pause();
        }
    }

    // Single writer (under the writer lock).
    void write(const SlotData& d) {
        const uint32_t s = seq.load(std::memory_order_relaxed);
        seq.store(s + 1, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_release);
        ip.store(d.ip, std::memory_order_relaxed);
        state.store(d.state, std::memory_order_relaxed);
        mac_port.store(d.mac_port, std::memory_order_relaxed);
        tsc.store(d.tsc, std::memory_order_relaxed);
        seq.store(s + 2, std::memory_order_release);
    }

    // The writer reads its own stores without the protocol.
    SlotData peek() const {
        return SlotData{ip.load(std::memory_order_relaxed), state.load(std::memory_order_relaxed),
                        mac_port.load(std::memory_order_relaxed),
                        tsc.load(std::memory_order_relaxed)};
    }
};

struct NeighborTable::Freed {
    uint32_t position;  // rte_hash key index, freed with rte_hash_free_key_with_position
    uint32_t slot;
};

namespace {

Neighbor to_neighbor(const uint64_t mac_port, uint8_t state, uint64_t tsc) {
    return Neighbor{mac_of(mac_port), static_cast<uint16_t>(mac_port >> 48),
                    static_cast<NeighborState>(state), tsc};
}

}  // namespace

const char* neighbor_status_label(NeighborStatus s) {
    switch (s) {
        case NeighborStatus::kOk:
            return "ok";
        case NeighborStatus::kStaticKept:
            return "static entry kept";
        case NeighborStatus::kBadState:
            return "bad state";
        case NeighborStatus::kNotIpv4:
            return "not an IPv4 neighbour";
        case NeighborStatus::kTableFull:
            return "neighbour table full";
        case NeighborStatus::kNotFound:
            return "no such neighbour";
    }
    return "?";
}

std::unique_ptr<NeighborTable> NeighborTable::create(const std::string& name, int socket,
                                                     uint32_t capacity, rte_rcu_qsbr* rcu,
                                                     std::string* error) {
    std::unique_ptr<NeighborTable> t(new NeighborTable());
    if (!t->init(name, socket, capacity, rcu, error)) return nullptr;
    return t;
}

bool NeighborTable::init(const std::string& name, int socket, uint32_t capacity, rte_rcu_qsbr* rcu,
                         std::string* error) {
    if (name.size() > kMaxName || capacity < 8) {
        *error = "neighbour table '" + name + "': name too long or capacity below 8";
        return false;
    }
    rte_hash_parameters p{};
    p.name = name.c_str();
    p.entries = capacity;
    p.key_len = sizeof(uint32_t);
    p.hash_func = rte_hash_crc;
    p.socket_id = socket;
    // The extendable table guarantees room for `capacity` keys whatever their hashes.
    p.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
    hash_ = rte_hash_create(&p);
    if (hash_ == nullptr) {
        *error = "neighbour table '" + name + "': rte_hash_create: " + rte_strerror(rte_errno);
        return false;
    }
    capacity_ = capacity;
    slots_ = std::make_unique<Slot[]>(capacity);
    free_slots_.reserve(capacity);  // reclaim() must not allocate
    for (uint32_t s = capacity; s-- > 0;) {
        free_slots_.push_back(s);
    }
    request_interval_tsc_ = rte_get_tsc_hz();
    if (rcu == nullptr || attach_rcu(name, rcu)) return true;
    *error = "neighbour table '" + name + "': RCU setup: " + rte_strerror(rte_errno);
    return false;
}

bool NeighborTable::attach_rcu(const std::string& name, rte_rcu_qsbr* rcu) {
    rcu_ = rcu;
    const std::string dq_name = name + "_dq";
    const rte_rcu_qsbr_dq_parameters dq{dq_name.c_str(),
                                        RTE_RCU_QSBR_DQ_MT_UNSAFE,  // under the writer lock
                                        capacity_,
                                        sizeof(Freed),
                                        0,  // reclaim what is due on every enqueue
                                        capacity_,
                                        &NeighborTable::reclaim,
                                        this,
                                        rcu};
    dq_ = rte_rcu_qsbr_dq_create(&dq);
    return dq_ != nullptr;
}

NeighborTable::~NeighborTable() {
    if (rcu_ != nullptr) rte_rcu_qsbr_synchronize(rcu_, RTE_QSBR_THRID_INVALID);
    if (dq_ != nullptr) rte_rcu_qsbr_dq_delete(dq_);
    rte_hash_free(hash_);
}

bool NeighborTable::lookup(uint32_t ip, Neighbor* out) const {
    void* data;
    if (rte_hash_lookup_data(hash_, &ip, &data) < 0) return false;
    const SlotData d = slots_[reinterpret_cast<uintptr_t>(data)].read();
    if (d.ip != ip || d.state == kFree) return false;  // removed since the hash lookup
    *out = to_neighbor(d.mac_port, d.state, d.tsc);
    return true;
}

int32_t NeighborTable::find_slot(uint32_t ip) const {
    void* data;
    if (rte_hash_lookup_data(hash_, &ip, &data) < 0) return -1;
    return static_cast<int32_t>(reinterpret_cast<uintptr_t>(data));
}

NeighborStatus NeighborTable::upsert(uint32_t ip, const rte_ether_addr& mac, uint16_t port,
                                     NeighborState state) {
    if (state == NeighborState::kIncomplete) return NeighborStatus::kBadState;
    const SlotData d{ip, static_cast<uint8_t>(state), pack(mac, port), rte_rdtsc()};
    WriterGuard guard(writer_lock_);
    const int32_t slot = find_slot(ip);
    if (slot < 0) return insert(d);
    const bool is_static =
        slots_[slot].peek().state == static_cast<uint8_t>(NeighborState::kStatic);
    if (is_static && state != NeighborState::kStatic) return NeighborStatus::kStaticKept;
    slots_[slot].write(d);
    return NeighborStatus::kOk;
}

NeighborStatus NeighborTable::upsert(const sadb::wire::Neighbor& neighbor) {
    if (neighbor.addr.version != 4) return NeighborStatus::kNotIpv4;
    rte_ether_addr mac;
    std::memcpy(mac.addr_bytes, neighbor.mac, RTE_ETHER_ADDR_LEN);
    const NeighborState state =
        neighbor.is_static != 0 ? NeighborState::kStatic : NeighborState::kReachable;
    return upsert(load_be32(neighbor.addr.bytes), mac, neighbor.port, state);
}

// The slot is complete before the hash publishes the key (rte_hash's LF add stores the key
// index with release order), so a reader that finds the key finds a filled slot.
NeighborStatus NeighborTable::insert(const SlotData& d) {
    uint32_t slot;
    if (!take_free_slot(&slot)) return NeighborStatus::kTableFull;
    slots_[slot].write(d);
    void* data = reinterpret_cast<void*>(static_cast<uintptr_t>(slot));
    if (rte_hash_add_key_data(hash_, &d.ip, data) != 0) {
        slots_[slot].write(SlotData{0, kFree, 0, 0});
        free_slots_.push_back(slot);
        return NeighborStatus::kTableFull;
    }
    count_.fetch_add(1, std::memory_order_relaxed);
    return NeighborStatus::kOk;
}

NeighborStatus NeighborTable::remove(uint32_t ip) {
    WriterGuard guard(writer_lock_);
    const int32_t slot = find_slot(ip);
    if (slot < 0) return NeighborStatus::kNotFound;
    // Readers that already hold the slot index now see kFree: a miss, never another address.
    slots_[slot].write(SlotData{0, kFree, 0, 0});
    const int32_t position = rte_hash_del_key(hash_, &ip);
    Freed f{static_cast<uint32_t>(position), static_cast<uint32_t>(slot)};
    if (dq_ == nullptr) {
        release(f);
    } else {
        rte_rcu_qsbr_dq_enqueue(dq_, &f);  // cannot be full: its size is the capacity
    }
    count_.fetch_sub(1, std::memory_order_relaxed);
    return NeighborStatus::kOk;
}

bool NeighborTable::mark_incomplete(uint32_t ip, uint16_t port) {
    return mark_incomplete(ip, port, rte_rdtsc());
}

bool NeighborTable::mark_incomplete(uint32_t ip, uint16_t port, uint64_t now_tsc) {
    const auto due = [&](uint8_t state, uint64_t last) {
        return state == static_cast<uint8_t>(NeighborState::kIncomplete) && now_tsc >= last &&
               now_tsc - last >= request_interval_tsc_;
    };
    Neighbor n;
    // Lock-free answer for the common case: a burst of packets to an address being resolved.
    if (lookup(ip, &n) && !due(static_cast<uint8_t>(n.state), n.updated_tsc)) return false;
    WriterGuard guard(writer_lock_);
    const int32_t slot = find_slot(ip);
    const uint8_t incomplete = static_cast<uint8_t>(NeighborState::kIncomplete);
    if (slot < 0) {
        return insert(SlotData{ip, incomplete, pack(rte_ether_addr{}, port), now_tsc}) ==
               NeighborStatus::kOk;
    }
    const SlotData old = slots_[slot].peek();
    if (!due(old.state, old.tsc)) return false;
    slots_[slot].write(SlotData{ip, incomplete, pack(rte_ether_addr{}, port), now_tsc});
    return true;
}

void NeighborTable::for_each(const std::function<void(uint32_t, const Neighbor&)>& fn) const {
    WriterGuard guard(writer_lock_);
    for (uint32_t i = 0; i < capacity_; ++i) {
        const SlotData d = slots_[i].peek();
        if (d.state != kFree) fn(d.ip, to_neighbor(d.mac_port, d.state, d.tsc));
    }
}

bool NeighborTable::take_free_slot(uint32_t* slot) {
    if (free_slots_.empty() && dq_ != nullptr) {
        unsigned freed, pending, available;
        rte_rcu_qsbr_dq_reclaim(dq_, UINT32_MAX, &freed, &pending, &available);
    }
    if (free_slots_.empty()) return false;
    *slot = free_slots_.back();
    free_slots_.pop_back();
    return true;
}

void NeighborTable::release(const Freed& f) {
    rte_hash_free_key_with_position(hash_, static_cast<int32_t>(f.position));
    free_slots_.push_back(f.slot);
}

// Called by the defer queue inside a writer call (under the lock), after the grace period.
void NeighborTable::reclaim(void* table, void* elems, unsigned int n) {
    auto* self = static_cast<NeighborTable*>(table);
    const auto* freed = static_cast<const Freed*>(elems);
    for (unsigned int i = 0; i < n; ++i)
        self->release(freed[i]);
}

}  // namespace espgw::dataplane
