// The data of the SA views (`show crypto ipsec sa`, `show crypto engine connection active`,
// per-SA rows of `show crypto drops`): every SA of the stats segment with its counters since
// the last `clear crypto counters`, joined by conn id with what control knows about it (map
// entry, interface, ACL line, transform set, lifetimes, install time). The same document is the
// --json output and the renderers' input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "mgmt/counter_baseline.h"
#include "mgmt/stats_reader.h"

namespace espgw::mgmt {

using Json = nlohmann::json;

// `peer ADDR | map NAME | spi SPI`: a tunnel matches when either of its SAs does.
struct SaFilter {
    std::optional<std::string> peer;  // canonical text (addr_text)
    std::optional<std::string> map;
    std::optional<uint32_t> spi;
};

// Every drop reason's count by label (`show crypto drops`, per-SA `drops`).
Json drop_counts_json(const std::array<uint64_t, sadb::kNumDropReasons>& counts);

// {"control": bool, "now": unix s, "counters_cleared_at": unix s | null, "sas": [SA...]}.
// `control_sas` is the data of control's `sas` request, or null when control is not running.
Json ipsec_sa_document(const StatsReader& r, const Json& control_sas,
                       const CounterBaseline& baseline, const SaFilter& filter, int64_t now);

}  // namespace espgw::mgmt
