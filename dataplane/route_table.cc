#include "dataplane/route_table.h"

#include <rte_errno.h>
#include <rte_lpm.h>
#include <rte_rcu_qsbr.h>

#include <algorithm>

#include "dataplane/bytes.h"
#include "sadb/ip_addr.h"

namespace espgw::dataplane {
namespace {

constexpr uint32_t kChunk = 64;
constexpr uint32_t kNoId = UINT32_MAX;
constexpr size_t kMaxName = 20;  // leaves room for the prefixes rte_lpm and rte_rcu add
constexpr uint32_t kLpmIdMask = (1u << 24) - 1;

uint64_t pack(NextHop nh) {
    return uint64_t{nh.port} << 32 | nh.gateway;
}

NextHop unpack(uint64_t v) {
    return NextHop{static_cast<uint16_t>(v >> 32), static_cast<uint32_t>(v)};
}

uint64_t route_key(uint32_t prefix, uint8_t len) {
    return uint64_t{prefix} << 8 | len;
}

}  // namespace

const char* route_status_label(RouteStatus s) {
    switch (s) {
        case RouteStatus::kOk:
            return "ok";
        case RouteStatus::kNotIpv4:
            return "not an IPv4 route";
        case RouteStatus::kBadPrefixLength:
            return "prefix length above 32";
        case RouteStatus::kTableFull:
            return "route table full";
        case RouteStatus::kNextHopsFull:
            return "next-hop table full";
        case RouteStatus::kNotFound:
            return "no such route";
    }
    return "?";
}

std::unique_ptr<RouteTable> RouteTable::create(const std::string& name, int socket,
                                               rte_rcu_qsbr* rcu, std::string* error,
                                               const RouteTableLimits& limits) {
    std::unique_ptr<RouteTable> t(new RouteTable());
    if (!t->init(name, socket, rcu, limits, error)) return nullptr;
    return t;
}

bool RouteTable::init(const std::string& name, int socket, rte_rcu_qsbr* rcu,
                      const RouteTableLimits& limits, std::string* error) {
    if (name.size() > kMaxName || limits.max_next_hops == 0 || limits.max_next_hops > kLpmIdMask) {
        *error = "route table '" + name + "': name too long or bad next-hop limit";
        return false;
    }
    const rte_lpm_config config{limits.max_routes, limits.tbl8_groups, 0};
    lpm_ = rte_lpm_create(name.c_str(), socket, &config);
    if (lpm_ == nullptr) {
        *error = "route table '" + name + "': rte_lpm_create: " + rte_strerror(rte_errno);
        return false;
    }
    next_hops_ = std::make_unique<std::atomic<uint64_t>[]>(limits.max_next_hops);
    refs_.assign(limits.max_next_hops, 0);
    free_ids_.reserve(limits.max_next_hops);  // reclaim_id() must not allocate
    for (uint32_t id = limits.max_next_hops; id-- > 0;) {
        free_ids_.push_back(id);
    }
    if (rcu == nullptr || attach_rcu(name, rcu, limits.max_next_hops)) return true;
    *error = "route table '" + name + "': RCU setup: " + rte_strerror(rte_errno);
    return false;
}

bool RouteTable::attach_rcu(const std::string& name, rte_rcu_qsbr* rcu, uint32_t max_next_hops) {
    rcu_ = rcu;
    rte_lpm_rcu_config lpm_rcu{rcu, RTE_LPM_QSBR_MODE_DQ, 0, 0, 0};
    if (rte_lpm_rcu_qsbr_add(lpm_, &lpm_rcu) != 0) return false;
    const std::string dq_name = name + "_nh";
    const rte_rcu_qsbr_dq_parameters dq{dq_name.c_str(),
                                        RTE_RCU_QSBR_DQ_MT_UNSAFE,  // single writer
                                        max_next_hops,
                                        sizeof(uint32_t),
                                        0,  // reclaim what is due on every enqueue
                                        max_next_hops,
                                        &RouteTable::reclaim_id,
                                        this,
                                        rcu};
    id_dq_ = rte_rcu_qsbr_dq_create(&dq);
    return id_dq_ != nullptr;
}

RouteTable::~RouteTable() {
    // Readers may still hold ids or tbl8 groups from their last burst: wait them out so both
    // defer queues can be emptied (rte_rcu_qsbr_dq_delete refuses while anything is pending).
    if (rcu_ != nullptr) rte_rcu_qsbr_synchronize(rcu_, RTE_QSBR_THRID_INVALID);
    if (id_dq_ != nullptr) rte_rcu_qsbr_dq_delete(id_dq_);
    rte_lpm_free(lpm_);
}

RouteStatus RouteTable::add(const sadb::wire::Route& route) {
    const uint8_t gw_version = route.next_hop.version;
    if (route.prefix.version != 4 || (gw_version != 0 && gw_version != 4)) {
        return RouteStatus::kNotIpv4;
    }
    const uint32_t gateway = gw_version == 4 ? load_be32(route.next_hop.bytes) : 0;
    return add(load_be32(route.prefix.bytes), route.prefix_len, NextHop{route.port, gateway});
}

RouteStatus RouteTable::add(uint32_t prefix, uint8_t len, NextHop next_hop) {
    if (len > 32) return RouteStatus::kBadPrefixLength;
    prefix &= sadb::ipv4_mask(len);
    uint32_t id;
    if (!acquire_next_hop(next_hop, &id)) return RouteStatus::kNextHopsFull;
    // rte_lpm takes depths 1..32 only: the default route lives beside it.
    if (len == 0) {
        default_id_.store(id, std::memory_order_release);
    } else if (rte_lpm_add(lpm_, prefix, len, id) != 0) {
        release_next_hop(id);
        return RouteStatus::kTableFull;
    }
    const auto [it, inserted] = routes_.try_emplace(route_key(prefix, len), id);
    if (!inserted) {
        release_next_hop(it->second);  // replaced: readers may still hold it, hence deferred
        it->second = id;
    }
    return RouteStatus::kOk;
}

RouteStatus RouteTable::remove(uint32_t prefix, uint8_t len) {
    if (len > 32) return RouteStatus::kBadPrefixLength;
    prefix &= sadb::ipv4_mask(len);
    const auto it = routes_.find(route_key(prefix, len));
    if (it == routes_.end()) return RouteStatus::kNotFound;
    if (len == 0) {
        default_id_.store(kNoId, std::memory_order_release);
    } else {
        rte_lpm_delete(lpm_, prefix, len);
    }
    release_next_hop(it->second);
    routes_.erase(it);
    return RouteStatus::kOk;
}

bool RouteTable::acquire_next_hop(NextHop nh, uint32_t* id) {
    const uint64_t packed = pack(nh);
    const auto it = id_of_.find(packed);
    if (it != id_of_.end()) {
        *id = it->second;
        ++refs_[*id];
        return true;
    }
    if (!take_free_id(id)) return false;
    next_hops_[*id].store(packed, std::memory_order_relaxed);
    // The entry must be visible before any lpm entry or default_id_ that names it.
    std::atomic_thread_fence(std::memory_order_release);
    refs_[*id] = 1;
    id_of_.emplace(packed, *id);
    return true;
}

void RouteTable::release_next_hop(uint32_t id) {
    if (--refs_[id] != 0) return;
    id_of_.erase(next_hops_[id].load(std::memory_order_relaxed));
    if (id_dq_ == nullptr) {
        free_ids_.push_back(id);
        return;
    }
    rte_rcu_qsbr_dq_enqueue(id_dq_, &id);  // cannot be full: it holds every id
}

bool RouteTable::take_free_id(uint32_t* id) {
    if (free_ids_.empty() && id_dq_ != nullptr) {
        unsigned freed, pending, available;
        rte_rcu_qsbr_dq_reclaim(id_dq_, UINT32_MAX, &freed, &pending, &available);
    }
    if (free_ids_.empty()) return false;
    *id = free_ids_.back();
    free_ids_.pop_back();
    return true;
}

// Called by the defer queue, on the writer's thread, once no reader can hold these ids.
void RouteTable::reclaim_id(void* table, void* elems, unsigned int n) {
    auto* self = static_cast<RouteTable*>(table);
    const auto* ids = static_cast<const uint32_t*>(elems);
    self->free_ids_.insert(self->free_ids_.end(), ids, ids + n);
}

void RouteTable::lookup_bulk(const uint32_t* dst_ipv4_host_order, uint32_t n, NextHop* out,
                             bool* found) const {
    uint32_t hops[kChunk];
    for (uint32_t done = 0; done < n; done += kChunk) {
        const uint32_t m = std::min(kChunk, n - done);
        rte_lpm_lookup_bulk(lpm_, dst_ipv4_host_order + done, hops, m);
        for (uint32_t i = 0; i < m; ++i)
            found[done + i] = resolve(hops[i], &out[done + i]);
    }
}

bool RouteTable::lookup(uint32_t dst, NextHop* out) const {
    bool found;
    lookup_bulk(&dst, 1, out, &found);
    return found;
}

// An lpm miss falls back to the default route. The id came from a table entry written after
// next_hops_[id] (release fence above); the load depends on it by address.
bool RouteTable::resolve(uint32_t lpm_result, NextHop* out) const {
    const uint32_t id = (lpm_result & RTE_LPM_LOOKUP_SUCCESS) != 0
                            ? lpm_result & kLpmIdMask
                            : default_id_.load(std::memory_order_acquire);
    if (id == kNoId) return false;
    *out = unpack(next_hops_[id].load(std::memory_order_relaxed));
    return true;
}

}  // namespace espgw::dataplane
