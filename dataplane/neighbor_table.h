// The ARP cache (RFC 826): IPv4 address -> MAC, port, state, on rte_hash with lock-free readers
// (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF). The hash maps an address to the index of a slot in
// a fixed array; readers copy the slot out under its sequence number (a seqlock: the writer
// makes the count odd, writes, makes it even; a reader retries when the count was odd or moved),
// so a reader never sees a MAC that is half old and half new, nor address, state and MAC from
// different updates. (MAC and port also share one 64-bit word.) A reader that finds the slot
// emptied or holding another address since its hash lookup reports a miss.
//
// Mutators are serialised on an internal spin lock, so a worker may call mark_incomplete() on
// a miss while the main lcore applies control's entries; readers never take the lock. A removed
// entry's hash key and slot are reused only after an RCU grace period when an rte_rcu_qsbr
// variable is given (readers report rte_rcu_qsbr_quiescent() between bursts, as for
// RouteTable); without one, remove() must not race with readers.
#pragma once

#include <rte_ether.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sadb/wire.h"

struct rte_hash;
struct rte_rcu_qsbr;
struct rte_rcu_qsbr_dq;

namespace espgw::dataplane {

enum class NeighborState : uint8_t {
    kIncomplete,  // resolution pending: an ARP request went out, no reply yet
    kReachable,   // learnt from an ARP reply or from control
    kStatic,      // configured (`arp A.B.C.D MAC ARPA`): never overwritten by a learnt entry
};

struct Neighbor {
    rte_ether_addr mac;  // zero while kIncomplete
    uint16_t port;
    NeighborState state;
    uint64_t updated_tsc;  // last update; for kIncomplete the time of the last request
};

enum class NeighborStatus : uint8_t {
    kOk,
    kStaticKept,  // a learnt entry may not replace a static one
    kBadState,    // upsert() takes kReachable or kStatic; kIncomplete comes from mark_incomplete()
    kNotIpv4,
    kTableFull,
    kNotFound,
};
const char* neighbor_status_label(NeighborStatus s);

class NeighborTable {
  public:
    // `name` (<= 20 characters) must be unique in the process; `rcu` may be null.
    static std::unique_ptr<NeighborTable> create(const std::string& name, int socket,
                                                 uint32_t capacity, rte_rcu_qsbr* rcu,
                                                 std::string* error);
    ~NeighborTable();
    NeighborTable(const NeighborTable&) = delete;
    NeighborTable& operator=(const NeighborTable&) = delete;

    // Reader: lock-free, no allocation. Addresses in host order.
    bool lookup(uint32_t ip, Neighbor* out) const;

    NeighborStatus upsert(uint32_t ip, const rte_ether_addr& mac, uint16_t port,
                          NeighborState state);
    NeighborStatus upsert(const sadb::wire::Neighbor& neighbor);
    NeighborStatus remove(uint32_t ip);
    // A miss: true when the caller should send an ARP request now, which is the first time and
    // then at most once a second while the entry stays incomplete. Resolved entries and a full
    // table answer false.
    bool mark_incomplete(uint32_t ip, uint16_t port);
    bool mark_incomplete(uint32_t ip, uint16_t port, uint64_t now_tsc);

    // Every entry, under the writer lock (for `show arp`; not for the fast path).
    void for_each(const std::function<void(uint32_t ip, const Neighbor&)>& fn) const;
    uint32_t size() const { return count_.load(std::memory_order_relaxed); }

  private:
    struct Slot;
    struct SlotData;
    struct Freed;

    NeighborTable() = default;
    bool init(const std::string& name, int socket, uint32_t capacity, rte_rcu_qsbr* rcu,
              std::string* error);
    bool attach_rcu(const std::string& name, rte_rcu_qsbr* rcu);
    int32_t find_slot(uint32_t ip) const;
    NeighborStatus insert(const SlotData& d);
    bool take_free_slot(uint32_t* slot);
    void release(const Freed& f);
    static void reclaim(void* table, void* elems, unsigned int n);

    rte_hash* hash_ = nullptr;
    rte_rcu_qsbr* rcu_ = nullptr;
    rte_rcu_qsbr_dq* dq_ = nullptr;  // removed (hash position, slot) pairs in their grace period
    std::unique_ptr<Slot[]> slots_;
    uint32_t capacity_ = 0;
    uint64_t request_interval_tsc_ = 0;  // 1 s between ARP requests for one address
    std::atomic<uint32_t> count_{0};
    mutable std::atomic_flag writer_lock_ = ATOMIC_FLAG_INIT;
    std::vector<uint32_t> free_slots_;  // writer-only
};

}  // namespace espgw::dataplane
