// Outbound path of the gateway: SPD, SA owner, fragmentation policy, ESP, route, transmit.
#pragma once

#include "dataplane/dataplane.h"
#include "dataplane/pkt_vec.h"

namespace espgw::dataplane {

// Packets to forward (data at the IPv4 header, rx port in m->port). `forwarded`: the packet is
// in transit (TTL is decremented); false for packets the gateway originates. Empties `in`.
void outbound(LcoreCtx& c, Dataplane& dp, const Policy& pol, PktVec& in, bool forwarded);

// PROTECT packets whose SA this lcore owns: fragmentation policy, ESP encap; the ESP packets
// are appended to `out` for routing.
void outbound_protected(LcoreCtx& c, Dataplane& dp, const Policy& pol, rte_mbuf** pkts,
                        sadb::SaRuntime** sas, uint16_t n, PktVec& out);

}  // namespace espgw::dataplane
