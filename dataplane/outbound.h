// Outbound path of the gateway: SPD, SA owner, fragmentation policy, ESP, route, transmit.
#pragma once

#include "dataplane/dataplane.h"
#include "dataplane/pkt_vec.h"

namespace espgw::dataplane {

// Where a burst for the outbound path comes from. Received and decapsulated packets are in
// transit (TTL is decremented). Only cleartext received on a port with mirrored PROTECT rules
// (a crypto map interface) can be cleartext that should have come in ESP (spd_inbound.h):
// kReceived is checked, kReceivedUnmapped (a burst from a port without such rules, e.g. the
// inside interface) is not; decapsulated packets came in ESP; the gateway's own are not
// forwarded.
enum class Origin : uint8_t { kReceived, kReceivedUnmapped, kDecapsulated, kLocal };

// Packets to forward (data at the IPv4 header, rx port in m->port). Empties `in`.
void outbound(LcoreCtx& c, Dataplane& dp, const Policy& pol, PktVec& in, Origin origin);

// PROTECT packets whose SA this lcore owns: fragmentation policy, ESP encap; the ESP packets
// are appended to `out` for routing.
void outbound_protected(LcoreCtx& c, Dataplane& dp, const Policy& pol, rte_mbuf** pkts,
                        sadb::SaRuntime** sas, uint16_t n, PktVec& out);

}  // namespace espgw::dataplane
