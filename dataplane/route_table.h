// IPv4 forwarding table: longest prefix match on rte_lpm, next hops in a small deduplicated
// table indexed by the lpm's 24-bit next-hop id.
//
// One writer (the main lcore applying control's route messages) runs concurrently with any
// number of lock-free readers (workers). With an rte_rcu_qsbr variable, each reader thread
// registers its own thread id, goes online, and reports rte_rcu_qsbr_quiescent() between
// bursts, holding nothing from the table across that call (lookups copy the next hop out).
// Freed tbl8 groups (rte_lpm's defer queue, RTE_LPM_QSBR_MODE_DQ) and freed next-hop ids (ours)
// are reused only after every reader has passed a quiescent state, so a reader never sees a
// next hop that no covering route had. Without RCU there must be no concurrent reader.
// The table is destroyed by the writer after the readers stopped using it.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sadb/wire.h"

struct rte_lpm;
struct rte_rcu_qsbr;
struct rte_rcu_qsbr_dq;

namespace espgw::dataplane {

struct NextHop {
    uint16_t port;
    uint32_t gateway;  // host order; 0 = connected: the destination itself is the next hop
    bool operator==(const NextHop&) const = default;
};

enum class RouteStatus : uint8_t {
    kOk,
    kNotIpv4,  // prefix or gateway is not IPv4 (IPv6 routes come later)
    kBadPrefixLength,
    kTableFull,  // rte_lpm out of rules or tbl8 groups
    kNextHopsFull,
    kNotFound,
};
const char* route_status_label(RouteStatus s);

struct RouteTableLimits {
    uint32_t max_routes = 65536;
    uint32_t tbl8_groups = 4096;  // one per /25../32 group of 256 addresses in use
    uint32_t max_next_hops = 4096;
};

class RouteTable {
  public:
    // `name` (<= 20 characters) must be unique in the process; `rcu` may be null.
    static std::unique_ptr<RouteTable> create(const std::string& name, int socket,
                                              rte_rcu_qsbr* rcu, std::string* error,
                                              const RouteTableLimits& limits = {});
    ~RouteTable();
    RouteTable(const RouteTable&) = delete;
    RouteTable& operator=(const RouteTable&) = delete;

    // Writer side. Adding an existing prefix/length replaces its next hop.
    RouteStatus add(const sadb::wire::Route& route);
    RouteStatus add(uint32_t prefix, uint8_t len, NextHop next_hop);
    RouteStatus remove(uint32_t prefix, uint8_t len);
    uint32_t size() const { return static_cast<uint32_t>(routes_.size()); }

    // Reader side: lock-free, no allocation. Addresses in host order.
    void lookup_bulk(const uint32_t* dst_ipv4_host_order, uint32_t n, NextHop* out,
                     bool* found) const;
    bool lookup(uint32_t dst, NextHop* out) const;

  private:
    RouteTable() = default;
    bool init(const std::string& name, int socket, rte_rcu_qsbr* rcu,
              const RouteTableLimits& limits, std::string* error);
    bool attach_rcu(const std::string& name, rte_rcu_qsbr* rcu, uint32_t max_next_hops);
    bool acquire_next_hop(NextHop nh, uint32_t* id);
    void release_next_hop(uint32_t id);
    bool take_free_id(uint32_t* id);
    static void reclaim_id(void* table, void* elems, unsigned int n);
    bool resolve(uint32_t lpm_result, NextHop* out) const;

    rte_lpm* lpm_ = nullptr;
    rte_rcu_qsbr_dq* id_dq_ = nullptr;  // next-hop ids waiting for a grace period
    rte_rcu_qsbr* rcu_ = nullptr;
    std::atomic<uint32_t> default_id_{UINT32_MAX};  // 0.0.0.0/0: rte_lpm has no depth 0
    // Readers load a whole next hop in one word (port << 32 | gateway): never torn.
    std::unique_ptr<std::atomic<uint64_t>[]> next_hops_;
    // Writer-only bookkeeping.
    std::vector<uint32_t> refs_;
    std::vector<uint32_t> free_ids_;
    std::unordered_map<uint64_t, uint32_t> id_of_;  // packed next hop -> id
    std::map<uint64_t, uint32_t> routes_;           // prefix << 8 | len -> id
};

}  // namespace espgw::dataplane
