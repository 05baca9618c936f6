// Formatting of `show crypto ipsec sa` and `show crypto drops` from the stats segment.
#pragma once

#include <string>

#include "mgmt/stats_reader.h"

namespace espgw::mgmt {

std::string show_crypto_ipsec_sa(const StatsReader& r);
std::string show_crypto_drops(const StatsReader& r);
// The same data as JSON (--json): every SA with its counters and drops by reason; global drops.
std::string show_crypto_ipsec_sa_json(const StatsReader& r);
std::string show_crypto_drops_json(const StatsReader& r);

}  // namespace espgw::mgmt
