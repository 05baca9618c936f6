// The gateway's own network services, run on the main lcore: ARP (RFC 826) replies, learning
// and resolution; ICMP echo replies (also to the inside address through a tunnel); ICMP time
// exceeded and fragmentation needed (RFC 792/1191), rate-limited; received PMTU messages that
// quote our ESP lower the SA's path MTU (#PMTUs rcvd); IKE goes to control.
#include "dataplane/services.h"

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_icmp.h>

#include <cstring>

#include "dataplane/drops.h"
#include "dataplane/ip_header.h"
#include "dataplane/wire_convert.h"
#include "sadb/ip_addr.h"

namespace espgw::dataplane {
namespace {

using sadb::DropReason;

constexpr uint8_t kCodeFragNeeded = 4;

void count(ServicesCtx& s, DropReason r) {
    ++s.drops->count[static_cast<size_t>(r)];
}

// Nothing the main lcore makes is lost uncounted: a full ring to the worker is reply_ring_full,
// an empty pool no_mbuf.
void to_worker(ServicesCtx& s, ToWorker::Kind kind, rte_mbuf* m, uint16_t port) {
    ToWorker w{};
    w.kind = kind;
    w.port = port;
    w.m = m;
    if (rte_ring_enqueue_elem(s.out, &w, sizeof w) == 0) return;
    count(s, DropReason::kReplyRingFull);
    rte_pktmbuf_free(m);
}

void send_l2(ServicesCtx& s, rte_mbuf* r, uint16_t port) {
    if (r == nullptr) return count(s, DropReason::kNoMbuf);
    to_worker(s, ToWorker::kL2Frame, r, port);
}

// --- ARP -------------------------------------------------------------------------------------

rte_mbuf* arp_frame(rte_mempool* pool, uint16_t op, const rte_ether_addr& src_mac, uint32_t src_ip,
                    const rte_ether_addr& dst_mac, uint32_t dst_ip) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool);
    if (m == nullptr) return nullptr;
    auto* eth = reinterpret_cast<rte_ether_hdr*>(
        rte_pktmbuf_append(m, sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr)));
    auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
    eth->src_addr = src_mac;
    eth->dst_addr =
        op == RTE_ARP_OP_REQUEST ? rte_ether_addr{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}} : dst_mac;
    eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
    arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
    arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
    arp->arp_hlen = RTE_ETHER_ADDR_LEN;
    arp->arp_plen = 4;
    arp->arp_opcode = rte_cpu_to_be_16(op);
    arp->arp_data.arp_sha = src_mac;
    arp->arp_data.arp_sip = rte_cpu_to_be_32(src_ip);
    arp->arp_data.arp_tha = op == RTE_ARP_OP_REQUEST ? rte_ether_addr{} : dst_mac;
    arp->arp_data.arp_tip = rte_cpu_to_be_32(dst_ip);
    return m;
}

void handle_arp(ServicesCtx& s, rte_mbuf* m) {
    const uint16_t port = m->port;
    const Iface* ifc = s.policy->iface(port);
    const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
    const auto* arp = reinterpret_cast<const rte_arp_hdr*>(eth + 1);
    if (ifc == nullptr) {  // a port no interface is bound to answers nothing, as for IPv4
        count(s, DropReason::kNotForwarding);
        return (void)rte_pktmbuf_free(m);
    }
    if (m->data_len < sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr) ||
        arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
        arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
        count(s, DropReason::kMalformed);
        return (void)rte_pktmbuf_free(m);
    }
    const uint32_t sip = rte_be_to_cpu_32(arp->arp_data.arp_sip);
    const uint32_t tip = rte_be_to_cpu_32(arp->arp_data.arp_tip);
    const rte_ether_addr sha = arp->arp_data.arp_sha;
    const uint16_t op = rte_be_to_cpu_16(arp->arp_opcode);
    // Learn the sender when the exchange concerns us (RFC 826 "merge" rule, restricted to
    // requests for our address and replies): a static entry is never overwritten.
    Neighbor known{};
    if (tip == ifc->addr || s.neighbors->lookup(sip, &known))
        s.neighbors->upsert(sip, sha, port, NeighborState::kReachable);
    rte_pktmbuf_free(m);
    if (op != RTE_ARP_OP_REQUEST || tip != ifc->addr) return;
    send_l2(s, arp_frame(s.pool, RTE_ARP_OP_REPLY, ifc->mac, ifc->addr, sha, sip), port);
}

void resolve(ServicesCtx& s, uint32_t ip, uint16_t port) {
    const Iface* ifc = s.policy->iface(port);
    if (ifc == nullptr || !s.neighbors->mark_incomplete(ip, port)) return;  // 1/s per address
    send_l2(s, arp_frame(s.pool, RTE_ARP_OP_REQUEST, ifc->mac, ifc->addr, {}, ip), port);
}

// --- ICMP --------------------------------------------------------------------------------------

uint16_t icmp_checksum(const uint8_t* p, uint32_t len) {
    return static_cast<uint16_t>(~rte_raw_cksum(p, len));
}

void fill_ipv4(uint8_t* ip, uint32_t total, uint32_t src, uint32_t dst) {
    std::memset(ip, 0, 20);
    ip[0] = 0x45;
    store_be16(ip + 2, static_cast<uint16_t>(total));
    ip[8] = 64;
    ip[9] = kProtoIcmp;
    store_be32(ip + 12, src);
    store_be32(ip + 16, dst);
    set_ipv4_checksum(ip);
}

// Echo reply in place (RFC 792): swap addresses, type 0, fix both checksums.
void echo_reply(ServicesCtx& s, rte_mbuf* m) {
    uint8_t* ip = rte_pktmbuf_mtod(m, uint8_t*);
    const uint32_t ihl = (ip[0] & 0xf) * 4u;
    uint8_t* icmp = ip + ihl;
    const uint32_t src = load_be32(ip + 12), dst = load_be32(ip + 16);
    store_be32(ip + 12, dst);
    store_be32(ip + 16, src);
    ip[8] = 64;
    set_ipv4_checksum(ip);
    icmp[0] = kIcmpEchoReply;
    icmp[2] = icmp[3] = 0;
    const uint16_t c = icmp_checksum(icmp, m->pkt_len - ihl);
    std::memcpy(icmp + 2, &c, 2);
    to_worker(s, ToWorker::kL3Packet, m, m->port);
}

bool icmp_allowed(ServicesCtx& s) {
    // Token bucket: at most icmp_rate_per_s errors per second (RFC 1812 §4.3.2.8).
    const uint64_t now = rte_get_tsc_cycles(), hz = rte_get_tsc_hz();
    const uint32_t rate =
        s.policy->globals.icmp_rate_per_s ? s.policy->globals.icmp_rate_per_s : 100;
    if (now - s.icmp_window_start > hz) {
        s.icmp_window_start = now;
        s.icmp_sent = 0;
    }
    return s.icmp_sent++ < rate;
}

bool in_prefix(uint32_t ip, const sadb::wire::Addr& net, uint8_t prefix) {
    const uint32_t mask = sadb::ipv4_mask(prefix);
    const uint32_t n = (uint32_t{net.bytes[0]} << 24) | (uint32_t{net.bytes[1]} << 16) |
                       (uint32_t{net.bytes[2]} << 8) | net.bytes[3];
    return net.version == 4 && (ip & mask) == (n & mask);
}

// The source of an ICMP error: for a packet that came out of a tunnel, a gateway address inside
// the SA's local selector, so the error matches the policy and goes back encrypted instead of
// leaking the remote's inner addresses in clear; otherwise the interface it came in on.
const Iface* error_source(ServicesCtx& s, uint16_t port, uint32_t via) {
    if ((via & kViaSa) != 0 && (via & kViaSlotMask) < s.stats->header()->max_sas) {
        const sadb::wire::Sa& sa = s.stats->sa(via & kViaSlotMask)->meta;
        for (const Iface& i : s.policy->ifaces)
            if (i.configured && in_prefix(i.addr, sa.selector.src, sa.selector.src_prefix))
                return &i;
    }
    return s.policy->iface(port);
}

// ICMP error quoting the offending packet's header and 8 bytes (RFC 792). Returns whether it
// was sent (rate limit, buffers); `orig` is consumed either way.
bool icmp_error(ServicesCtx& s, rte_mbuf* orig, uint8_t type, uint8_t code, uint16_t mtu,
                uint32_t via) {
    const Iface* ifc = error_source(s, orig->port, via);
    const uint8_t* oip = rte_pktmbuf_mtod(orig, const uint8_t*);
    const uint32_t quote = std::min<uint32_t>(orig->pkt_len, (oip[0] & 0xf) * 4u + 8);
    if (ifc == nullptr || !icmp_allowed(s)) {  // no interface: unbound since the lcore queued it
        count(s, ifc == nullptr ? DropReason::kNotForwarding : DropReason::kIcmpRateLimited);
        rte_pktmbuf_free(orig);
        return false;
    }
    rte_mbuf* m = rte_pktmbuf_alloc(s.pool);
    const uint32_t total = 20 + 8 + quote;
    auto* ip = m != nullptr
                   ? reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, static_cast<uint16_t>(total)))
                   : nullptr;
    if (ip == nullptr) {
        count(s, DropReason::kNoMbuf);
        rte_pktmbuf_free(m);
        rte_pktmbuf_free(orig);
        return false;
    }
    uint8_t* icmp = ip + 20;
    std::memset(icmp, 0, 8);
    icmp[0] = type;
    icmp[1] = code;
    store_be16(icmp + 6, mtu);  // next-hop MTU (RFC 1191), 0 for other errors
    std::memcpy(icmp + 8, oip, quote);
    const uint16_t c = icmp_checksum(icmp, 8 + quote);
    std::memcpy(icmp + 2, &c, 2);
    fill_ipv4(ip, total, ifc->addr, load_be32(oip + 12));
    m->port = orig->port;
    rte_pktmbuf_free(orig);
    to_worker(s, ToWorker::kL3Packet, m, m->port);
    return true;
}

// #PMTUs sent (show crypto ipsec sa) counts the messages that left, not the packets refused
// (df_too_big counts those, on the lcore). The main lcore is this counter's single writer; an
// SA removed since the lcore queued the packet has no slot and is not charged.
void frag_needed(ServicesCtx& s, const ToMain& t) {
    const bool sent = icmp_error(s, t.m, kIcmpUnreachable, kCodeFragNeeded,
                                 static_cast<uint16_t>(t.param), t.via);
    const uint32_t slot = sent ? s.sas->slot_of(t.conn_id) : kNoSlot;
    if (slot != kNoSlot) ++s.stats->sa(slot)->pmtu_sent;
}

// A fragmentation-needed message about one of our ESP packets (RFC 1191 + RFC 4301 §6.1.2.1):
// the quoted header carries the outbound SA's SPI; lower that SA's path MTU. The quoted outer
// addresses must be the SA's own (local -> peer): anyone who learnt an SPI could otherwise shrink
// the tunnel's MTU to 576 from anywhere. Such a message is counted (pmtu_mismatch) and ignored.
void pmtu_received(ServicesCtx& s, const uint8_t* icmp, uint32_t len) {
    if (len < 8 + 20 + 8) return;
    const uint8_t* q = icmp + 8;
    const uint32_t qihl = (q[0] & 0xf) * 4u;
    if (q[9] != kProtoEsp || len < 8 + qihl + 4) return;
    const uint32_t spi = load_be32(q + qihl);
    const uint32_t src = load_be32(q + 12), dst = load_be32(q + 16);
    const uint16_t mtu = load_be16(icmp + 6);
    bool known = false, ours = false;  // two peers may have chosen the same outbound SPI
    s.sas->for_each([&](SaInfo& info, sadb::SaRuntime& rt) {
        if (info.meta.direction != sadb::wire::Direction::kOutbound || rt.spi != spi) return;
        known = true;
        if (src != ipv4_of(info.meta.local) || dst != ipv4_of(info.meta.peer)) return;
        ours = true;
        if (mtu >= 576 && mtu <= rt.path_mtu) {  // lowered or confirmed: its age starts again
            if (mtu < rt.path_mtu) {
                __atomic_store_n(&rt.path_mtu, mtu, __ATOMIC_RELAXED);
                s.stats->sa(info.slot)->path_mtu = mtu;
            }
            if (info.pmtu_learnt_tsc == 0) ++s.pmtus_learnt;
            info.pmtu_learnt_tsc = rte_get_tsc_cycles();
        }
        ++s.stats->sa(info.slot)->pmtu_rcvd;
    });
    if (known && !ours) count(s, DropReason::kPmtuMismatch);
}

// ICMP for the gateway: echo requests are answered, fragmentation-needed messages read; a
// message too short or with a bad checksum (RFC 792) is malformed, any other type is counted as
// unhandled. Nothing is dropped uncounted.
void handle_icmp(ServicesCtx& s, rte_mbuf* m) {
    const uint8_t* ip = rte_pktmbuf_mtod(m, const uint8_t*);
    const uint32_t ihl = (ip[0] & 0xf) * 4u;
    const uint8_t* icmp = ip + ihl;
    DropReason why = DropReason::kToSelfUnhandled;
    if (m->pkt_len < ihl + 8 || icmp_checksum(icmp, m->pkt_len - ihl) != 0) {
        why = DropReason::kMalformed;
    } else if (icmp[0] == kIcmpEcho) {
        return echo_reply(s, m);
    } else if (icmp[0] == kIcmpUnreachable && icmp[1] == kCodeFragNeeded) {
        pmtu_received(s, icmp, m->pkt_len - ihl);
        return (void)rte_pktmbuf_free(m);
    }
    count(s, why);
    rte_pktmbuf_free(m);
}

bool is_ike(const rte_mbuf* m) {
    const uint8_t* ip = rte_pktmbuf_mtod(m, const uint8_t*);
    if (ip[9] != kProtoUdp) return false;
    const uint32_t ihl = (ip[0] & 0xf) * 4u;
    const uint16_t dport = m->pkt_len >= ihl + 4 ? load_be16(ip + ihl + 2) : 0;
    return dport == kIkePort || dport == kNattPort;
}

void handle_local(ServicesCtx& s, rte_mbuf* m) {
    const uint8_t* ip = rte_pktmbuf_mtod(m, const uint8_t*);
    if (ip[9] == kProtoIcmp) return handle_icmp(s, m);
    if (is_ike(m) && s.punt_to_control != nullptr && s.punt_to_control(m)) return;
    count(s, DropReason::kToSelfUnhandled);
    rte_pktmbuf_free(m);
}

}  // namespace

void service(ServicesCtx& s, const ToMain& t) {
    switch (t.kind) {
        case ToMain::kArp:
            return handle_arp(s, t.m);
        case ToMain::kLocal:
            return handle_local(s, t.m);
        case ToMain::kResolve:
            return resolve(s, t.param, t.port);
        case ToMain::kTimeExceeded:
            return (void)icmp_error(s, t.m, kIcmpTimeExceeded, 0, 0, t.via);
        case ToMain::kFragNeeded:
            return frag_needed(s, t);
        case ToMain::kSaEvent:
        case ToMain::kAcquire:
        case ToMain::kDropSample:
            break;  // handled by the control endpoint
    }
}

void send_frame(ServicesCtx& s, const sadb::wire::Packet& p, uint16_t n_ports) {
    if (p.port >= n_ports || p.len < sizeof(rte_ether_hdr) || p.len > sadb::wire::kMaxPacket)
        return count(s, DropReason::kMalformed);
    rte_mbuf* m = rte_pktmbuf_alloc(s.pool);
    if (m != nullptr) std::memcpy(rte_pktmbuf_append(m, p.len), p.bytes, p.len);
    send_l2(s, m, p.port);
}

void age_path_mtus(ServicesCtx& s, uint64_t now_tsc) {
    if (s.pmtus_learnt == 0 || s.pmtu_age_tsc == 0) return;
    uint32_t still = 0;
    s.sas->for_each([&](SaInfo& info, sadb::SaRuntime& rt) {
        if (info.pmtu_learnt_tsc == 0) return;
        if (now_tsc - info.pmtu_learnt_tsc < s.pmtu_age_tsc) {
            ++still;
            return;
        }
        info.pmtu_learnt_tsc = 0;
        const uint16_t installed = info.meta.path_mtu != 0 ? info.meta.path_mtu : 1500;
        __atomic_store_n(&rt.path_mtu, installed, __ATOMIC_RELAXED);
        s.stats->sa(info.slot)->path_mtu = installed;
    });
    s.pmtus_learnt = still;
}

}  // namespace espgw::dataplane
