// Formatting of `show crypto ipsec sa` and `show crypto drops` from the stats segment.
#pragma once

#include <string>

#include "mgmt/stats_reader.h"

namespace espgw::mgmt {

std::string show_crypto_ipsec_sa(const StatsReader& r);
std::string show_crypto_drops(const StatsReader& r);

}  // namespace espgw::mgmt
