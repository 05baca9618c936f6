// The dataplane's SA database: every installed SA by conn_id, its stats slot, its owner lcore;
// inbound SAs in the SPI index, outbound SAs in a slot array the SPD points into. Written only
// by the main lcore; workers read the SPI index (lock-free rte_hash) and the slot array (atomic
// pointers). A replaced or deleted SA is retired and freed only after every worker passed a
// quiescent point (the caller runs the RCU wait before free_retired()).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sadb/sa_runtime.h"
#include "sadb/spi_index.h"
#include "sadb/stats_segment.h"
#include "sadb/wire.h"

namespace espgw::dataplane {

inline constexpr uint32_t kNoSlot = UINT32_MAX;

struct SaInfo {
    uint32_t conn_id;
    uint32_t slot;
    sadb::wire::Sa meta;           // as installed, keys wiped: for resync and display
    uint64_t pmtu_learnt_tsc = 0;  // when a PMTU message last lowered path_mtu (0: never)
};

class SaTable {
  public:
    // Workers that read the SPI index report quiescent states to `rcu` (nullptr: the index is
    // only read by the thread that writes it).
    SaTable(uint32_t max_sas, const sadb::StatsView& stats, int socket, rte_rcu_qsbr* rcu);

    // Builds and publishes an SA (replacing one with the same conn_id). `owner` is the lcore
    // that will process it. False with a one-line reason on refusal.
    bool install(const sadb::wire::Sa& w, uint16_t owner, IMB_MGR* mgr, std::string* error);
    bool remove(uint32_t conn_id);
    // Marks an SA hard-expired (control's time lifetime or idle-time); false if unknown or
    // already blocked by control (so the caller raises its event once).
    bool expire(uint32_t conn_id);
    // Frees what install/remove retired; call only after an RCU grace period.
    void free_retired();

    // Worker side.
    sadb::SaRuntime* outbound(uint32_t slot) const {
        return slot < max_ ? out_[slot].load(std::memory_order_acquire) : nullptr;
    }
    const sadb::SpiIndex& inbound_index() const { return *index_; }

    uint32_t slot_of(uint32_t conn_id) const;
    size_t size() const { return by_conn_.size(); }
    template <typename F>
    void for_each(F&& f) const {
        for (const auto& [id, e] : by_conn_)
            f(e.info, *e.rt);
    }
    template <typename F>
    void for_each(F&& f) {  // main lcore: may update SaInfo's cold fields
        for (auto& [id, e] : by_conn_)
            f(e.info, *e.rt);
    }
    // Calls f(info, runtime) for the SA of conn_id; false if there is none.
    template <typename F>
    bool with(uint32_t conn_id, F&& f) const {
        const auto it = by_conn_.find(conn_id);
        if (it == by_conn_.end()) return false;
        f(it->second.info, *it->second.rt);
        return true;
    }

  private:
    struct Entry {
        SaInfo info;
        sadb::SaRuntime* rt;
    };
    uint32_t take_slot();
    void publish(Entry& e, sadb::SaRuntime* rt);
    void unpublish(const Entry& e);
    void fill_slot(const Entry& e, uint16_t owner);

    uint32_t max_;
    sadb::StatsView stats_;
    std::unique_ptr<sadb::SpiIndex> index_;
    std::unique_ptr<std::atomic<sadb::SaRuntime*>[]> out_;
    std::unordered_map<uint32_t, Entry> by_conn_;
    std::vector<uint32_t> free_slots_;
    std::unordered_map<sadb::SaRuntime*, sadb::SaRuntimePtr> owned_;  // every live runtime
    std::vector<sadb::SaRuntime*> retired_;  // unpublished, freed after RCU
};

}  // namespace espgw::dataplane
