// The dataplane end of the rings (sadb/ring_region.h, sadb/wire.h), on the main lcore: collects a
// configuration transaction, applies it at kConfigCommit, waits until every forwarding lcore has
// passed a quiescent point with the new state (RCU), frees what was replaced and acknowledges the
// generation. Also sends events (SA lifetimes, ACQUIRE) and punted packets (IKE) to control, and
// answers a restarted control's resync request with the installed SAs.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crypto/mb_manager.h"
#include "dataplane/capture_writer.h"
#include "dataplane/dataplane.h"
#include "dataplane/services.h"
#include "sadb/ring_region.h"

namespace espgw::dataplane {

class ControlEndpoint {
  public:
    // services: the main lcore's, through which frames control sends leave (send_frame).
    ControlEndpoint(Dataplane& dp, void* ring_region_base, crypto::MbManager& mgr,
                    bool main_forwards, ServicesCtx& services);
    ~ControlEndpoint();

    // Handles pending commands; returns how many.
    uint32_t poll();
    // Dataplane -> control; false when the event ring is full (the event is lost, counted).
    bool send(sadb::wire::Msg& m);
    bool punt_packet(rte_mbuf* m);  // consumes m when it returns true
    void forward(const ToMain& t);  // kSaEvent / kAcquire / kDropSample from a worker
    // How long an ACQUIRE for one rule suppresses the next (default 30 s; tests shorten it).
    void set_acquire_retry(uint64_t tsc_cycles) { acquire_retry_ = tsc_cycles; }

    uint64_t generation() const { return generation_; }
    uint64_t events_lost() const { return events_lost_; }
    const sadb::RingRegionHeader& ring_region() const { return *hdr_; }

  private:
    struct Txn {
        bool open = false;
        bool full = false;
        uint64_t generation = 0;
        std::vector<sadb::wire::Interface> ifaces;
        std::vector<sadb::wire::Interface> iface_del;
        std::optional<sadb::wire::Globals> globals;
        std::vector<sadb::wire::Sa> sa_add;
        std::vector<sadb::wire::SaRef> sa_del;
        bool spd = false;
        std::vector<sadb::wire::SpdRule> spd_rules;
        std::vector<sadb::wire::Route> route_add, route_del;
        std::vector<sadb::wire::Neighbor> nb_add, nb_del;
        void wipe();
    };

    void handle(sadb::wire::Msg& m);
    void collect(const sadb::wire::Msg& m);
    void commit(uint64_t generation);
    std::unique_ptr<Policy> next_policy(std::string* error);
    void apply_interfaces(Policy& p, std::string* error) const;
    uint32_t apply_sas(std::string* error);
    uint32_t apply_routes(std::string* error);
    uint32_t apply_neighbors(std::string* error);
    void bind_rules(Policy& p) const;
    void synchronize();
    void publish_interfaces();
    void ack(uint64_t generation, uint32_t refused, const std::string& error);
    void resync();
    void expire_sa(const sadb::wire::SaRef& r);
    void forward_drop_sample(const ToMain& t);
    void forward_acquire(const ToMain& t);
    void answer_capture(const sadb::wire::Msg& m);
    void send_capture_status(const sadb::wire::CaptureStatus& s);
    uint16_t owner_for(const sadb::wire::Sa& w) const;
    bool unchanged(const sadb::wire::Sa& w) const;

    Dataplane& dp_;
    sadb::RingRegionHeader* hdr_;
    rte_ring* cmd_;
    rte_ring* evt_;
    crypto::MbManager& mgr_;
    bool main_forwards_;
    ServicesCtx& services_;
    Txn txn_;
    std::unique_ptr<Policy> current_;
    uint64_t generation_ = 0;
    uint64_t events_lost_ = 0;
    std::map<std::pair<uint32_t, uint8_t>, sadb::wire::Route> routes_;  // (prefix, len)
    std::set<uint32_t> static_neighbors_;
    // SPD rule index -> TSC of its last ACQUIRE to control. One per rule while it stays
    // unanswered, again after acquire_retry_ (Linux's XFRM_ACQ_EXPIRES is 30 s too) or after
    // the next commit, which may have brought the SA.
    std::map<uint32_t, uint64_t> acquired_;
    uint64_t acquire_retry_ = 0;
    CaptureWriter capture_;  // last: it stops a running capture through synchronize()
};

}  // namespace espgw::dataplane
