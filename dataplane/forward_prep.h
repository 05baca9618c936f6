// Forwarding of IPv4 packets that pass through the gateway (RFC 1812 §5.3.1): TTL check and
// decrement with an incremental checksum update, and TCP MSS clamping on SYNs (IOS
// `ip tcp adjust-mss`, on the ingress or the egress interface) so that hosts never send segments
// that would not fit the tunnel.
#pragma once

#include "dataplane/dataplane.h"
#include "dataplane/ip_header.h"

namespace espgw::dataplane {

// Packets refused with an ICMP error follow one accounting rule: the lcore counts the drop
// (ttl_expired, df_too_big) and nothing else, then hands the packet to the main lcore as the
// error's quote. It is not `punted` too: every packet ends in exactly one terminal counter
// (tx, punted, or one drop reason), and whether the error leaves is the main lcore's business
// (rate limit, RFC 1812 §4.3.2.8). A full ring loses the error, never the count.

// The packet's TTL ran out: ICMP time exceeded (RFC 792). The packet is consumed.
void ttl_expired(LcoreCtx& c, rte_mbuf* m);

// False when the packet must not be forwarded (TTL expired); inline because every forwarded
// packet passes here and the common case is a decrement with an RFC 1624 checksum update.
inline bool forward_ttl(LcoreCtx& c, rte_mbuf* m) {
    uint8_t* ip = rte_pktmbuf_mtod(m, uint8_t*);
    if (ip[8] <= 1) [[unlikely]] {
        ttl_expired(c, m);
        return false;
    }
    const uint16_t old_word = load_be16(ip + 8);
    --ip[8];
    ipv4_checksum_update(ip, old_word, load_be16(ip + 8));
    return true;
}

// DF set and too big: ICMP fragmentation needed with next-hop MTU `mtu` (RFC 1191); `conn_id`
// is the SA whose #PMTUs sent it counts if the ICMP leaves (0: none; the caller charges the
// SA's own drop counter). The packet is consumed.
void frag_needed(LcoreCtx& c, rte_mbuf* m, uint16_t mtu, uint32_t conn_id);

// Lowers the MSS option of a TCP SYN to `mss` if larger (RFC 879/6691); counts nothing.
void clamp_mss(rte_mbuf* m, uint16_t mss);

}  // namespace espgw::dataplane
