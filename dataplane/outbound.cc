// Outbound path: SPD lookup (ordered first match, rte_acl) -> PROTECT / BYPASS / DISCARD ->
// the SA's owner lcore (handoff) -> fragmentation policy (RFC 4459 pre-fragmentation, or
// fragments of the ESP packet, or ICMP fragmentation needed) -> ESP encap -> route and transmit.
#include "dataplane/outbound.h"

#include <rte_cycles.h>
#include <rte_ip_frag.h>

#include "dataplane/capture.h"
#include "dataplane/drop_collect.h"
#include "dataplane/drops.h"
#include "dataplane/esp_encap.h"
#include "dataplane/forward_prep.h"
#include "dataplane/ip_header.h"
#include "dataplane/route_tx.h"
#include "dataplane/spd_inbound.h"

namespace espgw::dataplane {
namespace {

using sadb::DropReason;
using sadb::SaRuntime;

// Fragments per packet: 3 cover a 1500-byte packet down to a 576-byte MTU (RFC 791 minimum).
constexpr uint16_t kMaxFragments = 4;

// Size of the ESP packet the SA makes of an inner packet of `len` bytes (outer headers, IV,
// payload padded to the block, trailer, ICV). In transport mode the packet's own IP header
// (`ihl`) stays in front and is not encrypted.
uint32_t esp_size(const SaRuntime& s, uint32_t len, uint32_t ihl) {
    const uint32_t head = s.has(sadb::kFlagTransport) ? ihl : 0;
    const uint32_t payload = (len - head + 2 + s.block_len - 1) & ~(uint32_t{s.block_len} - 1);
    return head + s.hdr_len + s.iv_len + payload + s.icv_len;
}

uint32_t ihl_of(const rte_mbuf* m) {
    return (rte_pktmbuf_mtod(m, const uint8_t*)[0] & 0xf) * 4u;
}

// The MTU the ESP packet must fit: the SA's path MTU (lowered by received PMTU messages) and
// the crypto map interface's `ip mtu`.
uint16_t sa_mtu(const SaRuntime& s, const Policy& pol) {
    const Iface* i = pol.iface(s.port);
    return i != nullptr && i->mtu < s.path_mtu ? i->mtu : s.path_mtu;
}

bool inner_df(const rte_mbuf* m) {
    return (rte_pktmbuf_mtod(m, const uint8_t*)[6] & 0x40) != 0;
}

// Would the outer header carry DF (crypto ipsec df-bit copy|set|clear)?
bool outer_df(const SaRuntime& s, const rte_mbuf* m) {
    if (s.df == sadb::DfMode::kSet) return true;
    return s.df == sadb::DfMode::kCopy && inner_df(m);
}

// RFC 1191: tell the sender the largest inner packet that fits. The main lcore's rate limit
// decides whether the ICMP leaves, so it, not this lcore, counts #PMTUs sent (services.cc).
void send_frag_needed(LcoreCtx& c, rte_mbuf* m, SaRuntime& s, uint16_t inner_mtu) {
    s.counters->drop(DropReason::kDfTooBig);
    frag_needed(c, m, inner_mtu, s.sa_id);
}

// rte_ipv4_fragment_packet leaves the header checksum to the NIC or the caller.
void fix_fragment_checksums(rte_mbuf** frags, uint16_t n) {
    for (uint16_t k = 0; k < n; ++k)
        set_ipv4_checksum(rte_pktmbuf_mtod(frags[k], uint8_t*));
}

// RFC 4459 §5 pre-fragmentation: the inner packet is cut so that each ESP packet fits. Returns
// the number of fragments put in `out` (0 on failure: the packet is consumed either way).
uint16_t prefragment(Dataplane& dp, rte_mbuf* m, const SaRuntime& s, uint16_t mtu, rte_mbuf** out,
                     uint16_t room) {
    // Largest inner fragment whose ESP packet fits: search down from the MTU (a few steps).
    const uint32_t ihl = ihl_of(m);
    uint32_t inner = mtu;
    while (inner > ihl + 8 && esp_size(s, inner, ihl) > mtu)
        --inner;
    inner = ihl + ((inner - ihl) & ~7u);  // fragment payloads are multiples of 8 bytes
    if (inner <= ihl + 8) {
        rte_pktmbuf_free(m);
        return 0;
    }
    const int n =
        rte_ipv4_fragment_packet(m, out, room, static_cast<uint16_t>(inner), dp.pool, dp.pool);
    rte_pktmbuf_free(m);
    if (n <= 0) return 0;
    fix_fragment_checksums(out, static_cast<uint16_t>(n));
    return static_cast<uint16_t>(n);
}

// Fragments an ESP packet that does not fit its MTU (after-encryption policy, outer DF clear).
void post_fragment(LcoreCtx& c, Dataplane& dp, rte_mbuf* m, SaRuntime* sa, uint16_t mtu,
                   PktVec& out) {
    rte_mbuf* frags[kMaxFragments];
    const int n = rte_ipv4_fragment_packet(m, frags, kMaxFragments, mtu, dp.pool, dp.pool);
    rte_pktmbuf_free(m);
    if (n <= 0) {
        sa->counters->drop(DropReason::kFragmentFailed);
        return count_drop(c, DropReason::kFragmentFailed);
    }
    fix_fragment_checksums(frags, static_cast<uint16_t>(n));
    for (int k = 0; k < n && !out.full(); ++k)
        out.push(frags[k]);
}

// Encapsulates one batch of packets already assigned to SAs this lcore owns, then fragments
// the ESP packets marked for it (hash.usr = MTU) while their SA is known, to charge it a
// failure.
void encap_batch(LcoreCtx& c, Dataplane& dp, EspBurst& b, PktVec& out) {
    if (b.n == 0) return;
    capture_clear(c, b, sadb::wire::kCaptureOut);
    esp_encap(c.esp, b);
    collect_drops(b, c.stats->drops, &c.esp);
    capture_esp(c, b, sadb::wire::kCaptureOut);
    uint16_t n_out = out.n;  // in a register on the common path
    for (uint16_t k = 0; k < b.n; ++k) {
        rte_mbuf* m = b.pkts[k];
        const uint16_t mtu = static_cast<uint16_t>(m->hash.usr);
        if (mtu == 0 || m->pkt_len <= mtu) [[likely]] {
            if (n_out < PktVec::kCapacity) {
                out.pkts[n_out++] = m;
            } else {
                rte_pktmbuf_free(m);  // as PktVec::push: callers bound their input
            }
            continue;
        }
        out.n = n_out;
        post_fragment(c, dp, m, b.sa[k], mtu, out);
        n_out = out.n;
    }
    out.n = n_out;
    b.n = 0;
}

// `post_mtu` != 0: the ESP packet is to be fragmented to this MTU once encrypted.
void add_to_batch(LcoreCtx& c, Dataplane& dp, EspBurst& b, rte_mbuf* m, SaRuntime* sa, PktVec& out,
                  uint16_t post_mtu = 0) {
    m->hash.usr = post_mtu;
    b.pkts[b.n] = m;
    b.sa[b.n] = sa;
    b.drop[b.n] = DropReason::kNone;
    if (++b.n == kMaxBurst) encap_batch(c, dp, b, out);
}

// Can the ESP packet of `m` be fragmented after encryption (RFC 4459 §3)? Only with DF clear
// in the outer header, and then when configured (after-encryption) or when the inner packet may
// not be cut (inner DF under df-bit clear). With df-bit set the outer header keeps DF, so an
// inner packet without DF is pre-fragmented even under after-encryption: it is what its sender
// allows, and the only way it reaches the peer (the alternative, fragmenting a DF packet, is
// not allowed, and dropping it would lose traffic the sender let routers fragment).
bool fragment_after(const SaRuntime& s, const Policy& pol, const rte_mbuf* m) {
    if (outer_df(s, m)) return false;
    return pol.globals.frag == sadb::wire::FragPolicy::kAfterEncryption || inner_df(m);
}

// A PROTECT packet whose ESP packet would not fit `mtu`: refused with ICMP fragmentation needed
// when DF is set and the outer header keeps it, else fragmented after encryption or
// pre-fragmented (fragment_after).
void protect_oversize(LcoreCtx& c, Dataplane& dp, const Policy& pol, rte_mbuf* m, SaRuntime* sa,
                      uint16_t mtu, EspBurst& batch, PktVec& out) {
    const uint32_t len = m->pkt_len;
    const uint32_t size = esp_size(*sa, len, ihl_of(m));
    if (inner_df(m) && outer_df(*sa, m))
        return send_frag_needed(c, m, *sa, static_cast<uint16_t>(mtu - (size - len)));
    if (fragment_after(*sa, pol, m)) return add_to_batch(c, dp, batch, m, sa, out, mtu);
    sadb::SaSlot* slot = dp.stats.sa(sa->slot);
    rte_mbuf* frags[kMaxFragments];
    const uint16_t n = prefragment(dp, m, *sa, mtu, frags, kMaxFragments);
    if (n == 0) {
        ++slot->prefrag_fail;
        sa->counters->drop(DropReason::kFragmentFailed);
        return count_drop(c, DropReason::kFragmentFailed);
    }
    ++slot->prefrag_ok;
    slot->fragments_created += n;
    for (uint16_t k = 0; k < n; ++k)
        add_to_batch(c, dp, batch, frags[k], sa, out);
}

void hand_off(LcoreCtx& c, Dataplane& dp, rte_mbuf* m, SaRuntime* sa) {
    Handoff h{m, sa};
    if (rte_ring_enqueue_elem(dp.worker(sa->owner_lcore).handoff_in, &h, sizeof h) != 0)
        return drop_packet(c, m, DropReason::kHandoffFull);
    ++c.stats->handoff_out;
}

// Hands the packets of SAs another lcore owns to that lcore; returns how many stay here, in
// order.
uint16_t keep_owned(LcoreCtx& c, Dataplane& dp, rte_mbuf** pkts, SaRuntime** sas, uint16_t n) {
    uint16_t kept = 0;
    for (uint16_t k = 0; k < n; ++k) {
        if (sas[k]->owner_lcore != c.index) {
            hand_off(c, dp, pkts[k], sas[k]);
            continue;
        }
        pkts[kept] = pkts[k];
        sas[kept++] = sas[k];
    }
    return kept;
}

// ACQUIRE (RFC 4301 §5.1 "SA not found"): names the rule and the packet that hit it (what IKE
// will negotiate for, and what the log shows). Rate-limited here per rule to one per 10 ms,
// deduplicated by the main lcore (ControlEndpoint::forward).
void acquire(LcoreCtx& c, uint32_t rule, const rte_mbuf* m) {
    const uint64_t now = rte_get_tsc_cycles();
    uint64_t& last = c.last_acquire_tsc[rule % LcoreCtx::kAcquireSlots];
    if (last != 0 && now - last < rte_get_tsc_hz() / 100) return;
    last = now;
    const uint8_t* ip = rte_pktmbuf_mtod(m, const uint8_t*);
    ToMain t{};
    t.kind = ToMain::kAcquire;
    t.param = rule;
    t.port = m->port;
    t.src = load_be32(ip + 12);
    t.dst = load_be32(ip + 16);
    t.proto = ip[9];
    const uint32_t ihl = (ip[0] & 0xf) * 4u;
    const bool first_fragment = !ipv4_later_fragment(ip);
    if ((t.proto == kProtoUdp || t.proto == kProtoTcp) && first_fragment &&
        m->data_len >= ihl + 4) {
        t.sport = load_be16(ip + ihl);
        t.dport = load_be16(ip + ihl + 2);
    }
    tell_main(c, t);
}

}  // namespace

void outbound_protected(LcoreCtx& c, Dataplane& dp, const Policy& pol, rte_mbuf** pkts,
                        SaRuntime** sas, uint16_t n, PktVec& out) {
    // The SAs' line 0 was prefetched when the SPD chose them; now what it points at.
    for (uint16_t k = 0; k < n; ++k)
        if (k == 0 || sas[k] != sas[k - 1]) sadb::prefetch_sa_deps(sas[k]);
    EspBurst batch;
    uint16_t nb = 0;  // batch.n, in a register on the common path
    const SaRuntime* mtu_sa = nullptr;
    uint16_t mtu = 0;
    uint16_t mss = 0;  // `ip tcp adjust-mss` of the crypto map interface the SA leaves by
    for (uint16_t k = 0; k < n; ++k) {
        rte_mbuf* m = pkts[k];
        SaRuntime* sa = sas[k];
        if (sa != mtu_sa) {  // once per run of packets of one SA
            mtu = sa_mtu(*sa, pol);
            const Iface* egress = pol.iface(sa->port);
            mss = egress != nullptr ? egress->mss_clamp : 0;
            mtu_sa = sa;
        }
        if (mss != 0) clamp_mss(m, mss);  // before encryption: the SYN is sealed afterwards
        if (esp_size(*sa, m->pkt_len, ihl_of(m)) > mtu) [[unlikely]] {
            batch.n = nb;
            protect_oversize(c, dp, pol, m, sa, mtu, batch, out);
            nb = batch.n;
            continue;
        }
        m->hash.usr = 0;  // no fragmentation after encryption
        batch.pkts[nb] = m;
        batch.sa[nb] = sa;
        batch.drop[nb] = DropReason::kNone;
        if (++nb == kMaxBurst) {
            batch.n = nb;
            encap_batch(c, dp, batch, out);
            nb = 0;
        }
    }
    batch.n = nb;
    encap_batch(c, dp, batch, out);
}

namespace {

// Packets the SPD sent to PROTECT, with their SAs.
struct ToProtect {
    uint16_t n = 0;
    rte_mbuf* pkts[PktVec::kCapacity];
    SaRuntime* sa[PktVec::kCapacity];
};

// TTL (forwarded packets only) and the receiving interface's MSS clamp, before the SPD: the
// clamp changes the TCP header that is then encrypted. Keeps the survivors in `in` and their
// IP headers in `hdr`.
void pre_policy(LcoreCtx& c, const Policy& pol, PktVec& in, bool forwarded, const uint8_t** hdr) {
    uint16_t n = 0;
    for (uint16_t k = 0; k < in.n; ++k) {
        rte_mbuf* m = in.pkts[k];
        if (forwarded && !forward_ttl(c, m)) continue;
        const Iface* rx = pol.iface(m->port);
        if (rx != nullptr && rx->mss_clamp != 0) clamp_mss(m, rx->mss_clamp);
        in.pkts[n] = m;
        hdr[n++] = rte_pktmbuf_mtod(m, const uint8_t*);
    }
    in.n = n;
}

// Applies each packet's SPD rule: BYPASS and no match to `clear`, DISCARD dropped, PROTECT
// without an SA dropped with an ACQUIRE for control, PROTECT with one to `prot`. Empties `in`.
void apply_actions(LcoreCtx& c, Dataplane& dp, const Policy& pol, PktVec& in, const uint32_t* rule,
                   PktVec& clear, ToProtect& prot) {
    const SaRuntime* last_sa = nullptr;
    uint16_t n_clear = 0;  // n <= PktVec::kCapacity; the count stays in a register
    for (uint16_t k = 0; k < in.n; ++k) {
        rte_mbuf* m = in.pkts[k];
        if (rule[k] == SpdSnapshot::kNoMatch) {
            clear.pkts[n_clear++] = m;
            continue;
        }
        ++c.spd_hits[rule[k]];
        const sadb::wire::SpdAction action = pol.spd->action(rule[k]);
        if (action == sadb::wire::SpdAction::kBypass) {
            clear.pkts[n_clear++] = m;
        } else if (action == sadb::wire::SpdAction::kDiscard) {
            drop_packet(c, m, DropReason::kSpdDiscard);
        } else if (SaRuntime* sa = dp.sas->outbound(pol.rule_slot[rule[k]]); sa == nullptr) {
            acquire(c, rule[k], m);
            drop_packet(c, m, DropReason::kNoSa);
        } else {
            // Fetched now, read only after the clear packets went out: with many SAs each one
            // is a likely cache miss.
            if (sa != last_sa) sadb::prefetch_sa_outbound(sa);
            last_sa = sa;
            prot.pkts[prot.n] = m;
            prot.sa[prot.n++] = sa;
        }
    }
    in.n = 0;
    clear.n = n_clear;
}

// Decapsulated packets are routed first (RFC 4301 §5.2: what leaves the SA is forwarded like
// any packet): a crypto map acts on the interface a packet leaves by, as in IOS, so those whose
// route leaves by an interface without one go out in the clear with no SPD lookup, even when a
// crypto ACL's permit line would cover them (`permit ip any any` must not send a peer's traffic
// back to it). What stays in `in` (with `hdr`) meets the SPD: packets leaving by a crypto map
// interface (hairpinning into another tunnel, or out in the clear) and packets with no route,
// which a PROTECT rule may still send into a tunnel, as it does any received packet.
void route_decapsulated(LcoreCtx& c, Dataplane& dp, const Policy& pol, PktVec& in,
                        const uint8_t** hdr) {
    NextHop nh[PktVec::kCapacity];
    bool found[PktVec::kCapacity];
    route_lookup(dp, in, nh, found);
    PktVec inside;
    NextHop inside_nh[PktVec::kCapacity];
    uint16_t n = 0;
    for (uint16_t k = 0; k < in.n; ++k) {
        const Iface* egress = found[k] ? pol.iface(nh[k].port) : nullptr;
        if (egress != nullptr && !egress->outside) {
            inside_nh[inside.n] = nh[k];
            inside.pkts[inside.n++] = in.pkts[k];
            continue;
        }
        in.pkts[n] = in.pkts[k];
        hdr[n++] = hdr[k];
    }
    in.n = n;
    if (inside.n != 0) transmit_routed(c, dp, pol, inside, inside_nh, nullptr);
}

}  // namespace

void outbound(LcoreCtx& c, Dataplane& dp, const Policy& pol, PktVec& in, Origin origin) {
    // Before TTL and MSS: it is not forwarded. Decapsulated packets came in ESP.
    if (origin == Origin::kReceived) drop_unprotected(c, pol, in);
    const uint8_t* hdr[PktVec::kCapacity];
    pre_policy(c, pol, in, origin != Origin::kLocal, hdr);
    if (origin == Origin::kDecapsulated && in.n != 0) route_decapsulated(c, dp, pol, in, hdr);
    PktVec clear;
    if (in.n == 0) return route_and_transmit(c, dp, pol, clear);
    uint32_t rule[PktVec::kCapacity];
    if (pol.spd) {
        c.spd_cache.lookup(*pol.spd, hdr, in.n, rule);
    } else {
        for (uint16_t k = 0; k < in.n; ++k)
            rule[k] = SpdSnapshot::kNoMatch;
    }
    ToProtect prot;
    apply_actions(c, dp, pol, in, rule, clear, prot);
    route_and_transmit(c, dp, pol, clear);
    prot.n = keep_owned(c, dp, prot.pkts, prot.sa, prot.n);
    PktVec esp;
    outbound_protected(c, dp, pol, prot.pkts, prot.sa, prot.n, esp);
    route_and_transmit(c, dp, pol, esp);
}

}  // namespace espgw::dataplane
