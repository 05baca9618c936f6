// Inbound path of the gateway: reassembly, SPI lookup, SA owner, ESP decap, inner policy, then
// forwarding of the inner packet.
#pragma once

#include "dataplane/dataplane.h"
#include "dataplane/pkt_vec.h"

namespace espgw::dataplane {

// ESP packets to the gateway (data at the outer IPv4 header). Empties `in`.
void inbound(LcoreCtx& c, Dataplane& dp, const Policy& pol, PktVec& in);

// Packets handed over by another lcore because this one owns their SA.
void inbound_owned(LcoreCtx& c, Dataplane& dp, const Policy& pol, rte_mbuf** pkts, uint16_t n);

}  // namespace espgw::dataplane
