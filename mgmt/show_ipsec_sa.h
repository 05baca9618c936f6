// `show crypto ipsec sa` in the IOS layout (requirements.md §1.6, §1.8) with the ASA's extra
// lines (§1.9: seq num, the ACL line, pre-fragmentation, PMTU and reassembly counters), from the
// document of ipsec_sa_data.h. Pure: JSON in, text out.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace espgw::mgmt {

struct IpsecSaView {
    bool detail = false;                     // per-SA drop counters by reason
    std::optional<std::string> peer_header;  // `peer ADDR`: the ASA's "peer address:" line
};

std::string render_ipsec_sa(const nlohmann::json& doc, const IpsecSaView& view);

}  // namespace espgw::mgmt
