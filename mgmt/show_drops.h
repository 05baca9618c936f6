// `show crypto drops`: drops by reason globally, per lcore and per SA, like the ASA's `show asp
// drop` (reason label, count, only non-zero rows), counted since `clear crypto counters`.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "mgmt/counter_baseline.h"
#include "mgmt/stats_reader.h"

namespace espgw::mgmt {

// {"drops": {label: n}, "lcores": [{lcore, rx_packets, tx_packets, punted, handoff_in,
// handoff_out, drops}], "sas": [{conn_id, spi, direction, peer, crypto_map, map_seq, drops}],
// "counters_cleared_at"}. `sa_doc` is the ipsec_sa_document() (per-SA drops).
nlohmann::json drops_document(const StatsReader& r, const CounterBaseline& baseline,
                              const nlohmann::json& sa_doc);

std::string render_drops(const nlohmann::json& doc);

}  // namespace espgw::mgmt
