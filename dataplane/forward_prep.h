// Forwarding of IPv4 packets that pass through the gateway (RFC 1812 §5.3.1): TTL check and
// decrement with an incremental checksum update, and TCP MSS clamping on SYNs (IOS
// `ip tcp adjust-mss`, on the ingress or the egress interface) so that hosts never send segments
// that would not fit the tunnel.
#pragma once

#include "dataplane/dataplane.h"

namespace espgw::dataplane {

// False when the packet must not be forwarded (TTL expired: handed to the main lcore for ICMP
// time exceeded, RFC 792); the packet is then consumed.
bool forward_ttl(LcoreCtx& c, rte_mbuf* m);

// Lowers the MSS option of a TCP SYN to `mss` if larger (RFC 879/6691); counts nothing.
void clamp_mss(rte_mbuf* m, uint16_t mss);

}  // namespace espgw::dataplane
