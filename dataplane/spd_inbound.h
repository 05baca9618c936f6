// Inbound policy for cleartext (RFC 4301 §5.2): traffic that arrives unprotected on an interface
// carrying a crypto map, and matches the mirror image of one of that map's PROTECT rules, should
// have arrived in ESP. Forwarding it would let anyone on the outside inject packets into the
// protected network as if they came through the tunnel, so it is dropped (`not_ipsec`, IOS
// %CRYPTO-4-RECVD_PKT_NOT_IPSEC). The same holds for packets to the gateway's own addresses,
// IKE and ICMP errors excepted. Traffic matching no mirror, or a BYPASS one (an ACL `deny` line),
// is forwarded in the clear as before (split tunnelling).
#pragma once

#include <string>

#include "dataplane/dataplane.h"
#include "dataplane/pkt_vec.h"
#include "dataplane/policy.h"

namespace espgw::dataplane {

// Builds `p.spd_in` from `p.spd` and `p.ifaces` (main lcore, off the fast path): per outside
// port, the crypto map rules of that port with sources and destinations swapped, in the same
// order. `tag` makes the rte_acl context names unique (the policy generation). False with
// `error` set when rte_acl fails.
bool build_inbound_spd(Policy& p, const std::string& tag, std::string* error);

// Drops (counted, sampled) the cleartext packets of `in` that arrived on an outside port and
// match a mirrored PROTECT rule of that port; the others stay in order. Packets that came out
// of a tunnel (kViaSa) were protected and are not checked.
void drop_unprotected(LcoreCtx& c, const Policy& pol, PktVec& in);

// The same check for one packet to a gateway address, before the slow path takes it: RFC 4301
// §5.2 holds for traffic the gateway terminates too (cleartext from a transport-mode peer, or
// from a remote network to the gateway's inside address, arriving on the outside). Exempt: IKE
// (UDP to port 500 or 4500), which negotiates the SAs (RFC 7296 §2.23, RFC 3948 §2.2), and ICMP
// error messages about packets the gateway sent (RFC 4301 §6.1.1, PMTU §8.2). Returns true when
// the packet was dropped (not_ipsec).
bool drop_unprotected_local(LcoreCtx& c, const Policy& pol, rte_mbuf* m);

}  // namespace espgw::dataplane
