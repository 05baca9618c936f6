// `show crypto engine connection active` (requirements.md §1.10): one row per SA and direction
// ("phase 2 SAs are unidirectional, each SA shows traffic in only one direction: encryptions are
// outbound, decryptions are inbound"), with bytes and errors, from the ipsec_sa_data document.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace espgw::mgmt {

// {"connections": [{conn_id, type, algorithm, interface, local, peer, direction, spi,
// encrypted, decrypted, bytes, errors}]}
nlohmann::json engine_document(const nlohmann::json& sa_doc);
std::string render_engine(const nlohmann::json& doc);

}  // namespace espgw::mgmt
