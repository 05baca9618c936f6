// Conversions from ring messages (sadb/wire.h) to the dataplane's own types.
#pragma once

#include "sadb/sa_config.h"
#include "sadb/wire.h"

namespace espgw::dataplane {

sadb::IpAddr addr_from_wire(const sadb::wire::Addr& a);
// The SA configuration a wire::Sa describes; keys are copied (the caller wipes the message).
sadb::SaConfig sa_config_from_wire(const sadb::wire::Sa& w);
// Host-order IPv4 address of a wire address (0 if not IPv4).
uint32_t ipv4_of(const sadb::wire::Addr& a);

}  // namespace espgw::dataplane
