// `clear crypto counters` without touching a counter: the dataplane's counters stay monotonic
// (Prometheus rates, the single-writer rule), and the CLI keeps a baseline (the counters at the
// time of the clear) that shows subtract. Stored in /run/espgw/<instance>.baseline (0600, JSON).
//
// SAs are keyed by stats slot and slot generation: a re-installed SA (new slot or generation)
// starts from zero anyway and its baseline is ignored. A baseline taken of another dataplane
// run (the segment's start time differs) is ignored as a whole. The exporter never reads it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "mgmt/stats_reader.h"

namespace espgw::mgmt {

// The counters of one SA that shows print.
struct SaCounterSet {
    uint64_t packets = 0, bytes = 0, errors = 0;
    uint64_t prefrag_ok = 0, prefrag_fail = 0, fragments_created = 0;
    uint64_t pmtu_sent = 0, pmtu_rcvd = 0, reassembly_needed = 0;
    std::array<uint64_t, sadb::kNumDropReasons> drops{};

    static SaCounterSet of(const sadb::SaSlot& s);
    // this - base, each field floored at 0.
    SaCounterSet minus(const SaCounterSet& base) const;
};

struct LcoreCounterSet {
    uint64_t rx_packets = 0, tx_packets = 0, punted = 0, handoff_in = 0, handoff_out = 0;
    std::array<uint64_t, sadb::kNumDropReasons> drops{};

    static LcoreCounterSet of(const sadb::LcoreStats& s);
    LcoreCounterSet minus(const LcoreCounterSet& base) const;
};

struct PortCounterSet {
    uint64_t rx_packets = 0, rx_bytes = 0, tx_packets = 0, tx_bytes = 0;
    uint64_t rx_errors = 0, tx_errors = 0, rx_missed = 0, rx_nombuf = 0;

    static PortCounterSet of(const sadb::PortStats& s);
    PortCounterSet minus(const PortCounterSet& base) const;
};

class CounterBaseline {
  public:
    // The counters of every SA, active lcore and active port now.
    static CounterBaseline capture(const StatsReader& r);
    // The instance's baseline, or an empty one (no file, another dataplane run, unreadable).
    static CounterBaseline load(const std::string& path, const StatsReader& r);
    // Written atomically (temporary file, rename), mode 0600.
    bool save(const std::string& path, std::string* error) const;

    // The counters since the clear (unchanged when there is no baseline for that object).
    SaCounterSet sa(const SaSnapshot& s) const;
    // Lcores and ports by their index in the segment.
    LcoreCounterSet lcore(uint32_t index, const sadb::LcoreStats& s) const;
    PortCounterSet port(uint32_t index, const sadb::PortStats& s) const;
    // Global drops: the sum over active lcores since the clear.
    std::array<uint64_t, sadb::kNumDropReasons> drops(const StatsReader& r) const;

    bool empty() const { return sas_.empty() && lcores_.empty() && ports_.empty(); }
    uint64_t taken_unix() const { return taken_unix_; }

  private:
    uint64_t dataplane_start_ns_ = 0;
    uint64_t taken_unix_ = 0;
    std::map<std::pair<uint32_t, uint32_t>, SaCounterSet> sas_;  // (slot, generation)
    std::map<uint32_t, LcoreCounterSet> lcores_;
    std::map<uint32_t, PortCounterSet> ports_;

    friend struct BaselineJson;
};

}  // namespace espgw::mgmt
