// Classify stage: reads the Ethernet header (one 802.1Q tag is accepted and removed), strips
// L2 from IPv4 packets and sorts a received burst into what happens next:
// - ARP, and IPv4 for a gateway address other than ESP (ICMP, IKE on UDP 500, IKE on UDP 4500
//   with the non-ESP marker, anything else): the slow path on the main lcore;
// - ESP to a gateway address (IP protocol 50, or UDP 4500 without the marker, RFC 3948 §2.2):
//   inbound;
// - other IPv4: outbound (forwarding, SPD);
// - the rest dropped with a reason (IPv6 until it is implemented, unknown ethertypes,
//   malformed IPv4 headers).
// The outer IPv4 header is validated here (length, checksum unless the port did it), so the
// ESP stages can trust it.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "dataplane/policy.h"
#include "sadb/drop_reason.h"

namespace espgw::dataplane {

enum class PacketClass : uint8_t { kDrop, kOutbound, kInbound, kSlowArp, kSlowLocal };

struct Classified {
    PacketClass cls;
    sadb::DropReason drop;
    // kDrop: whether L2 was already stripped (an IPv4 packet refused after the strip) or the
    // frame is whole (runts, IPv6, unknown ethertypes): a drop capture records it as it arrived.
    bool l2_stripped = false;
    // Four bytes in all: each return path stores the result whole, so the caller's load of it
    // is forwarded from one store. With three bytes, GCC stored a computed class as one byte
    // beside a two-byte store of the rest and read the first two back as one word: a failed
    // store-to-load forwarding, ~9 cycles on every ESP frame (perf, bench/pipeline/profile.py).
    uint8_t unused = 0;
};
static_assert(sizeof(Classified) == 4);

// Classifies one received frame (rx port in m->port); strips L2 for IPv4.
Classified classify_frame(rte_mbuf* m, const Policy& policy);

// For an IPv4 packet to one of the gateway's addresses (data at the IP header): inbound ESP or
// the slow path. Used again after reassembly, when the UDP payload start is known.
Classified classify_ipv4_local(const rte_mbuf* m, const Policy& policy);

}  // namespace espgw::dataplane
