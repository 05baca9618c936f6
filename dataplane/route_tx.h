// Last stage of the forwarding path: route lookup on the (outer) destination, neighbour lookup
// for the next hop, Ethernet header, transmit. A next hop without a known MAC costs the packet
// (counted) and asks the main lcore to resolve it, at most once a second per address.
#pragma once

#include "dataplane/dataplane.h"
#include "dataplane/pkt_vec.h"

namespace espgw::dataplane {

// Routes and transmits every packet of `v` (IPv4, data at the IP header); empties `v`.
void route_and_transmit(LcoreCtx& c, Dataplane& dp, const Policy& pol, PktVec& v);

// The two halves of route_and_transmit, for a caller that decides on the route first
// (decapsulated packets: outbound.cc). `found[k]` false: no route; found == nullptr: every
// packet has one.
void route_lookup(Dataplane& dp, const PktVec& v, NextHop* nh, bool* found);
void transmit_routed(LcoreCtx& c, Dataplane& dp, const Policy& pol, PktVec& v, const NextHop* nh,
                     const bool* found);

// Transmits ready Ethernet frames on `port` (main-lcore generated ARP, or routed packets).
void transmit(LcoreCtx& c, Dataplane& dp, uint16_t port, rte_mbuf** pkts, uint16_t n);

}  // namespace espgw::dataplane
