// `show crypto isakmp sa [detail]` in the IOS layouts of requirements.md §1.2 (header line per
// address family, status column) and §1.3 (codes legend, C-id table). espgw has no IKE engine
// yet, so control answers an empty list and only the headers print.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace espgw::mgmt {

// doc: control's `ike-sas` data {"sas": [{conn_id, local, remote, state, status, encr, hash,
// auth, dh, lifetime_remaining, capabilities}]}.
std::string render_isakmp(const nlohmann::json& doc, bool detail);

}  // namespace espgw::mgmt
