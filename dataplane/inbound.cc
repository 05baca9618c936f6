// Inbound path: reassembly of fragmented outer packets (rte_ip_frag) -> SPI lookup -> the SA's
// owner lcore -> ESP decap (replay, ICV, trailer) -> inner policy check (RFC 4301 §5.2: the
// decapsulated packet must match the SA's selectors, ASA 402116) -> forwarding (which may
// encrypt it again into another SA: hairpinning) or the gateway itself (ping through a tunnel).
#include "dataplane/inbound.h"

#include <rte_cycles.h>
#include <rte_ip_frag.h>

#include "dataplane/capture.h"
#include "dataplane/classify.h"
#include "dataplane/drop_collect.h"
#include "dataplane/drops.h"
#include "dataplane/esp_decap.h"
#include "dataplane/esp_parse.h"
#include "dataplane/ip_header.h"
#include "dataplane/outbound.h"
#include "dataplane/spd_inbound.h"

namespace espgw::dataplane {
namespace {

using sadb::DropReason;
using sadb::SaRuntime;

// mbuf flag (in hash.usr, free once the packet left the NIC) for packets rebuilt from fragments.
constexpr uint32_t kReassembled = 1u << 31;

bool is_fragment(const rte_mbuf* m) {
    return (load_be16(rte_pktmbuf_mtod(m, const uint8_t*) + 6) & 0x3fff) != 0;
}

// Feeds a fragment to this lcore's reassembly table; returns the whole packet once complete.
rte_mbuf* reassemble(LcoreCtx& c, rte_mbuf* m) {
    auto* ip = rte_pktmbuf_mtod(m, rte_ipv4_hdr*);
    m->l2_len = 0;
    m->l3_len = static_cast<uint16_t>((ip->version_ihl & 0xf) * 4u);
    rte_mbuf* whole = rte_ipv4_frag_reassemble_packet(c.frag_tbl, &c.death_row, m, rte_rdtsc(), ip);
    if (whole != nullptr) whole->hash.usr = kReassembled;
    return whole;
}

// After reassembly a UDP packet may turn out to be IKE (RFC 3948 §2.2 marker) or another
// protocol: those go to the slow path like unfragmented ones.
bool still_esp(rte_mbuf* m, const Policy& pol) {
    const Classified c = classify_ipv4_local(m, pol);
    return c.cls == PacketClass::kInbound;
}

void to_slow_path(LcoreCtx& c, rte_mbuf* m) {
    ToMain t{};
    t.kind = ToMain::kLocal;
    t.port = m->port;
    t.m = m;
    if (rte_ring_enqueue_elem(c.to_main, &t, sizeof t) != 0)
        return drop_packet(c, m, DropReason::kPuntFull);
    ++c.stats->punted;
}

bool port_in(uint16_t port, uint16_t lo, uint16_t hi) {
    return port >= lo && port <= hi;
}

// RFC 4301 §5.2 step 4: the inner header must fall inside the SA's selectors.
bool inner_matches(const SaRuntime& s, const rte_mbuf* m) {
    const SaRuntime::InnerPolicy& p = s.inner;
    if (p.any) return true;
    const uint8_t* ip = rte_pktmbuf_mtod(m, const uint8_t*);
    if ((ip[0] >> 4) != 4) return false;
    if ((load_be32(ip + 12) & p.src_mask) != p.src_net) return false;
    if ((load_be32(ip + 16) & p.dst_mask) != p.dst_net) return false;
    if (p.proto != 0 && ip[9] != p.proto) return false;
    // Ports, or ICMP type and code in the source range (sadb/spd_match.h; the destination
    // range is then ANY).
    if (!has_selector_ports(p.proto)) return true;
    const uint32_t ihl = (ip[0] & 0xf) * 4u;
    // A non-initial fragment has no ports: it belongs to the SA on addresses and protocol, as
    // the outbound SPD sends it (spd.h; a peer's pre-fragmentation does the same).
    if (ipv4_later_fragment(ip)) return true;
    if (m->pkt_len < ihl + 4) return false;
    return port_in(load_be16(ip + ihl), p.sport_lo, p.sport_hi) &&
           port_in(load_be16(ip + ihl + 2), p.dport_lo, p.dport_hi);
}

void hand_off_inbound(LcoreCtx& c, Dataplane& dp, rte_mbuf* m, const SaRuntime& sa) {
    Handoff h{m, nullptr};
    if (rte_ring_enqueue_elem(dp.worker(sa.owner_lcore).handoff_in, &h, sizeof h) != 0)
        return drop_packet(c, m, DropReason::kHandoffFull);
    ++c.stats->handoff_out;
}

// Splits parsed packets: those whose SA another lcore owns are handed over. Returns how many.
uint16_t keep_owned(LcoreCtx& c, Dataplane& dp, EspBurst& b) {
    uint16_t handed = 0;
    for (uint16_t k = 0; k < b.n; ++k) {
        if (b.drop[k] != DropReason::kNone || b.sa[k] == nullptr) continue;
        if (b.sa[k]->owner_lcore == c.index) continue;
        // Re-parsed by the owner: strip nothing, undo nothing (esp_parse only trims padding).
        hand_off_inbound(c, dp, b.pkts[k], *b.sa[k]);
        b.drop[k] = DropReason::kNone;
        b.pkts[k] = nullptr;
        ++handed;
    }
    return handed;
}

// Removes the handed-off (nullptr) entries so the burst holds only packets this lcore keeps.
void compact(EspBurst& b) {
    uint16_t n = 0;
    for (uint16_t k = 0; k < b.n; ++k) {
        if (b.pkts[k] == nullptr) continue;
        b.pkts[n] = b.pkts[k];
        b.sa[n] = b.sa[k];
        b.in[n] = b.in[k];
        b.drop[n++] = b.drop[k];
    }
    b.n = n;
}

// A decapsulated IPv4 packet from or to an address nobody forwards: counted on its SA, which
// may select any address (RFC 1812 §5.3.7; classify checks received packets the same way).
bool inner_martian(const rte_mbuf* m) {
    const uint8_t* ip = rte_pktmbuf_mtod(m, const uint8_t*);
    return (ip[0] >> 4) == 4 && martian_ipv4(load_be32(ip + 12), load_be32(ip + 16));
}

// A decapsulated IPv4 packet whose TCP/UDP/ICMP header is cut short of what the inner policy
// check and the SPD read (classify drops received packets the same way). The ESP engine
// itself takes any IP packet: this is the gateway's rule.
bool inner_short(const rte_mbuf* m) {
    const uint8_t* ip = rte_pktmbuf_mtod(m, const uint8_t*);
    return (ip[0] >> 4) == 4 && !ipv4_selectors_present(ip, m->pkt_len);
}

// Martians, inner policy, reassembly counters, then forwarding or the gateway's own services.
void deliver(LcoreCtx& c, Dataplane& dp, const Policy& pol, EspBurst& b, PktVec& fwd) {
    for (uint16_t k = 0; k < b.n; ++k) {
        if (b.drop[k] != DropReason::kNone) continue;
        if (inner_martian(b.pkts[k])) {
            mark_drop(b, k, DropReason::kMartian);
            continue;
        }
        if (inner_short(b.pkts[k])) {
            mark_drop(b, k, DropReason::kInnerMalformed);
            continue;
        }
        if (!inner_matches(*b.sa[k], b.pkts[k])) {
            mark_drop(b, k, DropReason::kInnerPolicyMismatch);
            continue;
        }
        if (b.pkts[k]->hash.usr == kReassembled) ++dp.stats.sa(b.sa[k]->slot)->reassembly_needed;
    }
    collect_drops(b, c.stats->drops, &c.esp);
    capture_clear(c, b, sadb::wire::kCaptureIn);
    uint16_t n_fwd = fwd.n;  // b.n <= kMaxBurst fits the vector; the count stays in a register
    for (uint16_t k = 0; k < b.n; ++k) {
        rte_mbuf* m = b.pkts[k];
        m->hash.usr = kViaSa | b.sa[k]->slot;  // for ICMP errors about it (forward_prep)
        const uint32_t dst = load_be32(rte_pktmbuf_mtod(m, const uint8_t*) + 16);
        if ((rte_pktmbuf_mtod(m, const uint8_t*)[0] >> 4) == 4 && pol.local(dst) != nullptr) {
            to_slow_path(c, m);
        } else {
            fwd.pkts[n_fwd++] = m;
        }
    }
    fwd.n = n_fwd;
    b.n = 0;
}

}  // namespace

void inbound(LcoreCtx& c, Dataplane& dp, const Policy& pol, PktVec& in) {
    EspBurst b;
    uint16_t n = 0;  // b.n in a register while the loop calls out
    for (uint16_t k = 0; k < in.n; ++k) {
        rte_mbuf* m = in.pkts[k];
        m->hash.usr = 0;  // no longer the NIC's RSS hash: our flags from here on
        if (is_fragment(m)) {
            m = reassemble(c, m);
            if (m == nullptr) continue;  // held, or freed as part of a failed reassembly
            if (!still_esp(m, pol)) {
                if (!drop_unprotected_local(c, pol, m)) to_slow_path(c, m);
                continue;
            }
        }
        b.pkts[n] = m;
        b.drop[n++] = DropReason::kNone;
    }
    b.n = n;
    // Fragments that timed out or could not be reassembled wait on the death row.
    if (c.death_row.cnt != 0) count_drop(c, DropReason::kReassemblyFailed, c.death_row.cnt);
    rte_ip_frag_free_death_row(&c.death_row, 3);
    in.n = 0;
    c.esp.spi_index = &dp.sas->inbound_index();
    c.esp.lcore = c.index;
    esp_parse(c.esp, b);
    if (keep_owned(c, dp, b) != 0) compact(b);
    capture_esp(c, b, sadb::wire::kCaptureIn);
    esp_decap(c.esp, b);
    PktVec fwd;
    deliver(c, dp, pol, b, fwd);
    outbound(c, dp, pol, fwd, Origin::kDecapsulated);
}

void inbound_owned(LcoreCtx& c, Dataplane& dp, const Policy& pol, rte_mbuf** pkts, uint16_t n) {
    PktVec v;
    for (uint16_t k = 0; k < n; ++k)
        v.push(pkts[k]);
    inbound(c, dp, pol, v);
}

}  // namespace espgw::dataplane
