// Log lines for the dataplane's events, in the Cisco form operators grep for
// (requirements.md §3): `%CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid
// spi for destaddr=...`. Rate limiting per reason and SA comes with the event log of issue 4;
// the dataplane already sends at most 100 drop samples per second per lcore.
#pragma once

#include <string>

#include "control/policy_compiler.h"
#include "sadb/wire.h"

namespace espgw::control {

struct LogLine {
    std::string mnemonic;  // FACILITY-SEVERITY-MNEMONIC, without the leading %
    std::string text;
};

// The line for a drop sample; `policy` supplies the SA's peer and selectors.
LogLine drop_sample_line(const wire::DropSample& d, const CompiledPolicy& policy);

}  // namespace espgw::control
