// An espgw gateway assembled in the test process from the objects espgw-dataplane builds (stats
// segment, SA table, SPD snapshot, route and neighbour tables, two lcore contexts with their
// rings) around two net_ring ports, driven by the real poll loop, worker_poll(): frames go into a
// port's rx ring and come out of its tx ring. Shared by the in-process pipeline tests
// (pipeline_drops_test.cc, hostile_frames_test.cc).
//
// Topology: host 198.18.1.10 -- inside 198.18.1.1 [gateway] outside 192.0.2.1 -- peer 192.0.2.2
// (and two more peers, 192.0.2.3 and 192.0.2.4, on the outside network).
// Three tunnels to the peer, tunnel mode, from 198.18.1.0/24: AES-128-GCM to 198.18.2.0/24 (SPIs
// 0x1001 in / 0x2001 out) and to 198.18.4.0/24 (0x7a3c5e91 / 0x5c0ffee1), AES-128-CBC +
// HMAC-SHA1-96 in UDP 4500 (NAT-T) to 198.18.5.0/24 (0x00c0ffee / 0x0badcafe). Two more SA pairs
// are host to host in transport mode (RFC 4303 §3.1.1) from 192.0.2.1: to 192.0.2.3, AES-128-CBC
// + HMAC-SHA1-96 (0x3e5a0001 / 0x3e5a0002), and to 192.0.2.4, AES-128-GCM in UDP 4500 (RFC 3948
// transport mode; 0x3e5a0003 / 0x3e5a0004). SPD, first match: DISCARD to 198.18.9.0/24, PROTECT
// to 198.18.2.0/24, PROTECT to 198.18.3.0/24 with an SA that was never installed, PROTECT to the
// other two tunnels, PROTECT 192.0.2.1 to each transport-mode peer.
#pragma once

#include <gtest/gtest.h>
#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip_frag.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "dataplane/dataplane.h"
#include "dataplane/drop_collect.h"
#include "dataplane/drops.h"
#include "dataplane/esp_decap.h"
#include "dataplane/esp_encap.h"
#include "dataplane/esp_parse.h"
#include "dataplane/ip_header.h"
#include "dataplane/services.h"
#include "dataplane/shm_files.h"
#include "dataplane/spd_inbound.h"
#include "dataplane/worker.h"
#include "sadb/spi_index.h"
#include "tests/dataplane/wire_builders.h"
#include "tests/pipeline/frames.h"
#include "tests/pipeline/ring_port.h"
#include "tests/unit/burst_bytes.h"

namespace espgw::dataplane::gw_test {

namespace wire = sadb::wire;
using sadb::DropReason;
using test_util::arp;
using test_util::Bytes;
using test_util::concat;
using test_util::ethernet;
using test_util::ipv4;
using test_util::selector;
using test_util::v4;

constexpr uint32_t kGatewayOut = 0xc0000201;  // 192.0.2.1, outside
constexpr uint32_t kPeer = 0xc0000202;        // 192.0.2.2
constexpr uint32_t kPeerHost = 0xc0000203;    // 192.0.2.3, transport-mode peer
constexpr uint32_t kPeerHost2 = 0xc0000204;   // 192.0.2.4, transport-mode peer behind a NAT
constexpr uint32_t kGatewayIn = 0xc6120101;   // 198.18.1.1, inside
constexpr uint32_t kHost = 0xc612010a;        // 198.18.1.10
constexpr uint32_t kRemote = 0xc612020a;      // 198.18.2.10, behind the peer
constexpr uint32_t kDiscarded = 0xc6120909;   // 198.18.9.9: the DISCARD rule
constexpr uint32_t kNoSaNet = 0xc612030a;     // 198.18.3.10: PROTECT rule without an SA
constexpr uint32_t kRemote2 = 0xc612040a;     // 198.18.4.10, behind the peer (second tunnel)
constexpr uint32_t kSpiIn = 0x1001, kSpiOut = 0x2001;
constexpr uint32_t kConnIn = 1, kConnOut = 2, kConnMissing = 99;
// SPD rule indices (ordered first match).
constexpr uint32_t kRuleDiscard = 0, kRuleProtect = 1, kRuleNoSa = 2, kRuleProtect2 = 3;
constexpr rte_ether_addr kHostMac{{2, 0, 0, 0, 1, 0x10}};
constexpr rte_ether_addr kPeerMac{{2, 0, 0, 0, 0, 2}};
constexpr rte_ether_addr kPeerHostMac{{2, 0, 0, 0, 0, 3}};
constexpr rte_ether_addr kPeerHost2Mac{{2, 0, 0, 0, 0, 4}};
constexpr uint8_t kKeyIn[20] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,
                                10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
constexpr uint8_t kKeyOut[20] = {31, 30, 29, 28, 27, 26, 25, 24, 23, 22,
                                 21, 20, 19, 18, 17, 16, 15, 14, 13, 12};
constexpr uint8_t kKeyIn2[20] = {40, 41, 42, 43, 44, 45, 46, 47, 48, 49,
                                 50, 51, 52, 53, 54, 55, 56, 57, 58, 59};
constexpr uint8_t kKeyOut2[20] = {71, 70, 69, 68, 67, 66, 65, 64, 63, 62,
                                  61, 60, 59, 58, 57, 56, 55, 54, 53, 52};
constexpr uint8_t kKeyIn3[20] = {80, 81, 82, 83, 84, 85, 86, 87, 88, 89,
                                 90, 91, 92, 93, 94, 95, 96, 97, 98, 99};
constexpr uint8_t kKeyOut3[20] = {111, 110, 109, 108, 107, 106, 105, 104, 103, 102,
                                  101, 100, 99,  98,  97,  96,  95,  94,  93,  92};

// A tunnel's pair of SAs. The cipher key is the first bytes of the 20 (AES-128-GCM: 16 and the
// 4-byte salt; AES-128-CBC: 16); an HMAC-SHA1 key is all 20.
struct Tunnel {
    uint32_t remote_net;  // /24 behind the peer; in transport mode the peer itself
    uint32_t spi_in, spi_out;
    uint32_t conn_in, conn_out;
    const uint8_t* key_in;
    const uint8_t* key_out;
    crypto::Cipher cipher = crypto::Cipher::kAes128Gcm;
    crypto::Integrity integrity = crypto::Integrity::kNone;
    bool udp = false;  // RFC 3948 UDP encapsulation, port 4500 both sides
    uint32_t peer = kPeer;
    bool transport = false;  // host to host: the gateway's outside address and `peer`
};
constexpr Tunnel kTunnels[5] = {
    {0xc6120200, kSpiIn, kSpiOut, kConnIn, kConnOut, kKeyIn, kKeyOut},
    {0xc6120400, 0x7a3c5e91, 0x5c0ffee1, 3, 4, kKeyIn2, kKeyOut2},
    {0xc6120500, 0x00c0ffee, 0x0badcafe, 5, 6, kKeyOut2, kKeyIn2, crypto::Cipher::kAes128Cbc,
     crypto::Integrity::kHmacSha1_96, true},
    {kPeerHost, 0x3e5a0001, 0x3e5a0002, 7, 8, kKeyIn2, kKeyOut, crypto::Cipher::kAes128Cbc,
     crypto::Integrity::kHmacSha1_96, false, kPeerHost, true},
    {kPeerHost2, 0x3e5a0003, 0x3e5a0004, 9, 10, kKeyIn3, kKeyOut3, crypto::Cipher::kAes128Gcm,
     crypto::Integrity::kNone, true, kPeerHost2, true},
};

// The MAC address of the peer at the far end of `t`'s SAs.
inline const rte_ether_addr& peer_mac(const Tunnel& t) {
    return t.peer == kPeerHost ? kPeerHostMac : t.peer == kPeerHost2 ? kPeerHost2Mac : kPeerMac;
}
inline constexpr uint32_t kRemote3 = 0xc612050a;  // 198.18.5.10, behind the NAT-T tunnel

inline size_t cipher_key_len(const Tunnel& t) {
    const auto& ci = crypto::cipher_info(t.cipher);
    return ci.key_len + ci.salt_len;
}

// What the gateway's rings may hold, and the size of each (power of two: capacity is size - 1).
struct Spec {
    uint16_t sa_owner = 0;            // lcore that owns both SAs of the tunnel
    unsigned handoff_ring = 1024;     // lcore 1's handoff ring
    unsigned to_main_ring = 1024;     // lcore 0's ring to the main lcore
    unsigned from_main_ring = 1024;   // lcore 0's ring from the main lcore (its replies)
    unsigned outside_tx_ring = 1024;  // the outside port's transmit ring
    // `crypto ipsec fragmentation` and `crypto ipsec df-bit` (every SA).
    wire::FragPolicy frag = wire::FragPolicy::kBeforeEncryption;
    wire::DfPolicy df = wire::DfPolicy::kCopy;
    uint16_t mss_clamp = 0;  // `ip tcp adjust-mss` on both interfaces (0: none)
    // Tunnel 0's SAs: 64-bit sequence numbers (RFC 4303 §2.2.1) and a hard packet lifetime
    // (0: none); tunnel 2's inbound anti-replay window (0: off). The peer's SAs follow.
    bool tunnel0_esn = false;
    uint64_t tunnel0_hard_packets = 0;
    uint32_t tunnel2_replay_window = 64;
};

using Port = test_ports::RingPort;

class Gateway {
  public:
    explicit Gateway(const Spec& spec)
        : spec_(spec),
          name_("plt" + std::to_string(getpid() % 100000) + "_" + std::to_string(counter_++)) {
        std::string err;
        stats_ = create_stats_segment(name_, {4, kMaxPorts, 16, 64}, &err);
        EXPECT_TRUE(stats_.valid()) << err;
        dp_.stats.base = static_cast<uint8_t*>(stats_.base());
        dp_.pool = pool_ = rte_pktmbuf_pool_create((name_ + "p").c_str(), 2047, 0, 0,
                                                   RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
        EXPECT_NE(pool_, nullptr);
        dp_.sas = std::make_unique<SaTable>(16, dp_.stats, SOCKET_ID_ANY, nullptr);
        dp_.routes = RouteTable::create(name_ + "r", SOCKET_ID_ANY, nullptr, &err);
        dp_.neighbors = NeighborTable::create(name_ + "n", SOCKET_ID_ANY, 64, nullptr, &err);
        EXPECT_TRUE(dp_.routes && dp_.neighbors) << err;
        inside_ = make_port("i", 1024);
        outside_ = make_port("o", spec.outside_tx_ring);
        dp_.n_ports = static_cast<uint16_t>(std::max(inside_.id, outside_.id) + 1);
        for (uint16_t p = 0; p < dp_.n_ports && p < kMaxPorts; ++p) {
            dp_.txq[p] = 1;
            dp_.tx_shared[p] = true;  // two lcores share each port's one tx queue
            for (auto& l : dp_.tx_lock[p])
                rte_spinlock_init(&l);
        }
        for (uint16_t i = 0; i < 2; ++i)
            add_lcore(i, spec);
        install_sas(spec.sa_owner);
        install_topology();
        install_policy(spec.frag, spec.mss_clamp);
        dp_.policy.store(&policy_);
        dp_.forwarding = true;
    }

    ~Gateway() {
        drain_all();
        for (const Port& p : {inside_, outside_})
            test_ports::close_ring_port(p);
        for (auto& c : dp_.lcores)
            test_ports::free_lcore_rings(*c);
        dp_.lcores.clear();
        policy_.spd.reset();
        dp_.sas.reset();
        dp_.routes.reset();
        dp_.neighbors.reset();
        rte_mempool_free(pool_);
    }

    // A frame arriving on a port.
    void receive(const Port& p, const Bytes& frame) {
        receive_mbuf(p, test_util::mbuf_from(pool_, frame));
    }
    void receive_mbuf(const Port& p, rte_mbuf* m) {
        ASSERT_NE(m, nullptr);
        m->port = p.id;  // net_ring does not stamp it
        ASSERT_EQ(rte_ring_enqueue(p.rx, m), 0);
    }
    rte_mempool* pool() { return pool_; }

    // Ends every reassembly in progress, as its timeout would (frees the fragments); returns how
    // many fragments were held.
    uint32_t flush_reassembly() {
        uint32_t n = 0;
        for (auto& c : dp_.lcores) {
            rte_ip_frag_table_del_expired_entries(c->frag_tbl, &c->death_row, UINT64_MAX);
            n += c->death_row.cnt;
            rte_ip_frag_free_death_row(&c->death_row, 0);
        }
        return n;
    }
    uint32_t poll(uint16_t lcore) { return worker_poll(*dp_.lcores[lcore], dp_); }

    // Frames the port transmitted (freed).
    std::vector<Bytes> transmitted(const Port& p) { return test_ports::transmitted(p); }

    // The main lcore's services, as espgw-dataplane's main loop runs them, for what lcore `i`
    // queued: ARP, ICMP echo, ICMP errors, PMTU messages; IKE goes to a control that frees it.
    // Replies wait in lcore 0's ring from the main lcore. Drops go to `drops` (the main lcore's
    // own counters). Returns how many items were served.
    uint32_t serve_main(uint16_t i, sadb::DropCounters& drops) {
        svc_.policy = dp_.current();
        svc_.neighbors = dp_.neighbors.get();
        svc_.sas = dp_.sas.get();
        svc_.stats = &dp_.stats;
        svc_.pool = pool_;
        svc_.out = dp_.lcores[0]->from_main;
        svc_.drops = &drops;
        svc_.punt_to_control = [](rte_mbuf* m) {
            rte_pktmbuf_free(m);
            return true;
        };
        uint32_t n = 0;
        ToMain t;
        while (rte_ring_dequeue_elem(dp_.lcores[i]->to_main, &t, sizeof t) == 0) {
            ++n;
            switch (t.kind) {
                case ToMain::kArp:
                case ToMain::kLocal:
                case ToMain::kResolve:
                case ToMain::kTimeExceeded:
                case ToMain::kFragNeeded:
                    service(svc_, t);
                    break;
                default:  // events, ACQUIREs, drop samples: control's
                    if (t.m != nullptr) rte_pktmbuf_free(t.m);
                    break;
            }
        }
        return n;
    }

    // What lcore `i` queued for the main lcore (packets freed).
    std::vector<ToMain> to_main(uint16_t i) {
        std::vector<ToMain> out;
        ToMain t;
        while (rte_ring_dequeue_elem(dp_.lcores[i]->to_main, &t, sizeof t) == 0) {
            if (t.m != nullptr) rte_pktmbuf_free(t.m);
            out.push_back(t);
        }
        return out;
    }

    // An ESP packet the peer sends on the tunnel (gateway's inbound SA), framed for the outside
    // port: the engine encapsulates `inner` with a runtime SA of the peer's side (in transport
    // mode `inner` is the peer's own packet, ESP goes behind its header).
    Bytes from_peer(const Bytes& inner, uint32_t seq, const Tunnel& t = kTunnels[0]) {
        auto sa = peer_sa(t, sadb::Direction::kOutbound);
        sa->seq = seq - 1;
        EspContext ctx(crypto::BackendKind::kIpsecMb, mgr_);
        EspBurst b;
        b.reset(1);
        b.pkts[0] = test_util::mbuf_from(pool_, inner);
        b.sa[0] = sa.get();
        esp_encap(ctx, b);
        sadb::DropCounters d{};
        const auto out = test_util::drain(b, d);
        EXPECT_EQ(out.size(), 1u);
        return concat(ethernet(dp_.macs[outside_.id], peer_mac(t), RTE_ETHER_TYPE_IPV4),
                      out.empty() ? Bytes{} : out[0]);
    }
    // What the peer gets out of an ESP frame the gateway sent it: the inner packet, or nothing if
    // it does not decapsulate (the peer's SA has no replay window: seq is the caller's check).
    std::optional<Bytes> peer_decap(const Bytes& frame) {
        if (!peer_index_) {
            peer_index_ = std::make_unique<sadb::SpiIndex>(name_ + "pi", 8, SOCKET_ID_ANY);
            for (const Tunnel& t : kTunnels) {
                peer_sas_.push_back(peer_sa(t, sadb::Direction::kInbound));
                peer_index_->add(t.spi_out, peer_sas_.back().get());
            }
        }
        if (frame.size() <= 14) return std::nullopt;
        EspContext ctx(crypto::BackendKind::kIpsecMb, mgr_);
        ctx.spi_index = peer_index_.get();
        EspBurst b;
        b.reset(1);
        b.pkts[0] = test_util::mbuf_from(pool_, Bytes(frame.begin() + 14, frame.end()));
        esp_parse(ctx, b);
        esp_decap(ctx, b);
        const auto out = test_util::drain(b, ctx.drops);
        if (out.empty()) return std::nullopt;
        return out[0];
    }
    Bytes from_host(const Bytes& ip) {
        return concat(ethernet(dp_.macs[inside_.id], kHostMac, RTE_ETHER_TYPE_IPV4), ip);
    }

    // Asserts that `reason` moved by `n` in total over the lcores and nothing else did (SAs
    // included), after emptying every ring, and that no mbuf is left outside the pool.
    void expect_only(DropReason reason, uint64_t n) {
        drain_all();
        for (const auto& info : sadb::kDropReasons) {
            uint64_t total = 0;
            for (const auto& c : dp_.lcores)
                total += c->stats->drops.count[size_t(info.reason)];
            EXPECT_EQ(total, info.reason == reason ? n : 0) << info.label;
            for (const Tunnel& t : kTunnels) {
                for (const uint32_t conn : {t.conn_in, t.conn_out}) {
                    const uint64_t sa =
                        dp_.stats.sa(dp_.sas->slot_of(conn))->counters.drops[size_t(info.reason)];
                    EXPECT_EQ(sa, 0u) << info.label << " on SA " << conn;
                }
            }
        }
        EXPECT_EQ(rte_mempool_in_use_count(pool_), 0u) << "mbuf leak";
    }

    LcoreCtx& lcore(uint16_t i) { return *dp_.lcores[i]; }
    Dataplane& dataplane() { return dp_; }
    unsigned mbufs_in_use() {
        drain_all();
        return rte_mempool_in_use_count(pool_);
    }
    uint64_t sa_drops(uint32_t conn, DropReason r) {
        return dp_.stats.sa(dp_.sas->slot_of(conn))->counters.drops[size_t(r)];
    }
    const rte_ether_addr& mac(const Port& p) const { return dp_.macs[p.id]; }
    // Whether `t`'s SAs use extended sequence numbers.
    bool esn(const Tunnel& t) const { return spec_.tunnel0_esn && t.spi_in == kSpiIn; }
    const Port& inside() const { return inside_; }
    const Port& outside() const { return outside_; }
    uint64_t spd_hits(uint16_t lcore, uint32_t rule) { return dp_.lcores[lcore]->spd_hits[rule]; }
    uint64_t sa_packets(uint32_t conn) {
        return dp_.stats.sa(dp_.sas->slot_of(conn))->counters.packets;
    }

  private:
    Port make_port(const std::string& tag, unsigned tx_size) {
        const Port p = test_ports::open_ring_port(name_ + tag, 1024, tx_size, pool_);
        rte_eth_macaddr_get(p.id, &dp_.macs[p.id]);
        return p;
    }

    rte_ring* ring(const std::string& tag, uint16_t i, unsigned esize, unsigned size,
                   unsigned flags) {
        rte_ring* r = rte_ring_create_elem((name_ + tag + std::to_string(i)).c_str(), esize, size,
                                           SOCKET_ID_ANY, flags);
        EXPECT_NE(r, nullptr);
        return r;
    }

    // As espgw-dataplane's setup_lcore: rings, reassembly table, stats slots, drop sampler.
    void add_lcore(uint16_t i, const Spec& spec) {
        auto c = std::make_unique<LcoreCtx>(crypto::BackendKind::kIpsecMb, mgr_);
        c->index = i;
        c->lcore_id = i;
        if (i == 0) c->rx = {{inside_.id, 0}, {outside_.id, 0}};
        c->handoff_in =
            ring("h", i, sizeof(Handoff), i == 1 ? spec.handoff_ring : 1024, RING_F_SC_DEQ);
        c->to_main = ring("m", i, sizeof(ToMain), i == 0 ? spec.to_main_ring : 1024,
                          RING_F_SP_ENQ | RING_F_SC_DEQ);
        c->from_main = ring("w", i, sizeof(ToWorker), i == 0 ? spec.from_main_ring : 1024,
                            RING_F_SP_ENQ | RING_F_SC_DEQ);
        c->frag_tbl = rte_ip_frag_table_create(16, 4, 64, rte_get_tsc_hz() * 2, SOCKET_ID_ANY);
        c->stats = dp_.stats.lcore(i);
        c->stats->active = 1;
        c->spd_hits = dp_.stats.spd_hits(i);
        c->esp.drop_sampler = sample_drop;
        c->esp.drop_sampler_user = c.get();
        dp_.index_of_lcore[i] = static_cast<int16_t>(i);
        dp_.lcores.push_back(std::move(c));
    }

    void install_sas(uint16_t owner) {
        for (const Tunnel& t : kTunnels)
            for (const bool inbound : {true, false})
                install_sa(t, inbound, owner);
    }

    void install_sa(const Tunnel& t, bool inbound, uint16_t owner) {
        {
            wire::Sa w{};
            w.spi = inbound ? t.spi_in : t.spi_out;
            w.conn_id = inbound ? t.conn_in : t.conn_out;
            w.pair_conn_id = inbound ? t.conn_out : t.conn_in;
            w.direction = inbound ? wire::Direction::kInbound : wire::Direction::kOutbound;
            w.mode = t.transport ? wire::Mode::kTransport : wire::Mode::kTunnel;
            w.cipher = static_cast<uint8_t>(t.cipher);
            w.integrity = static_cast<uint8_t>(t.integrity);
            w.df = spec_.df;
            w.copy_dscp = 1;
            w.ttl = 64;
            const uint8_t* key = inbound ? t.key_in : t.key_out;
            w.cipher_key_len = static_cast<uint8_t>(cipher_key_len(t));
            std::memcpy(w.cipher_key, key, w.cipher_key_len);
            if (t.integrity != crypto::Integrity::kNone) {
                w.auth_key_len = 20;
                std::memcpy(w.auth_key, key, 20);
            }
            w.udp_encap = t.udp;
            w.udp_local_port = w.udp_peer_port = 4500;
            w.path_mtu = 1500;
            w.port = outside_.id;
            w.replay_window = t.spi_in == kTunnels[2].spi_in ? spec_.tunnel2_replay_window : 64;
            w.esn = esn(t) ? 1 : 0;
            if (t.spi_in == kSpiIn) w.hard_packets = spec_.tunnel0_hard_packets;
            w.local = v4(kGatewayOut);
            w.peer = v4(t.peer);
            w.selector = t.transport ? selector(kGatewayOut, 32, t.peer, 32)
                                     : selector(0xc6120100, 24, t.remote_net, 24);
            std::string err;
            EXPECT_TRUE(dp_.sas->install(w, owner, mgr_.get(), &err)) << err;
        }
    }

    void install_topology() {
        for (const auto& [net, port] :
             {std::pair{0xc6120100u, inside_.id}, std::pair{0xc0000200u, outside_.id}}) {
            wire::Route r{};
            r.prefix = v4(net);
            r.prefix_len = 24;
            r.port = port;
            EXPECT_EQ(dp_.routes->add(r), RouteStatus::kOk);
        }
        for (const auto& [ip, mac, port] :
             {std::tuple{kHost, kHostMac, inside_.id}, std::tuple{kPeer, kPeerMac, outside_.id},
              std::tuple{kPeerHost, kPeerHostMac, outside_.id},
              std::tuple{kPeerHost2, kPeerHost2Mac, outside_.id}}) {
            wire::Neighbor n{};
            n.addr = v4(ip);
            std::memcpy(n.mac, mac.addr_bytes, 6);
            n.port = port;
            n.is_static = 1;
            EXPECT_EQ(dp_.neighbors->upsert(n), NeighborStatus::kOk);
        }
    }

    // Interfaces as control compiles them; the SPD: DISCARD to 198.18.9.0/24, PROTECT to
    // 198.18.2.0/24 (the tunnel), PROTECT to 198.18.3.0/24 with an SA that was never installed,
    // PROTECT to the other tunnels' networks and from the gateway to the transport-mode peers.
    void install_policy(wire::FragPolicy frag, uint16_t mss_clamp) {
        for (const auto& [p, addr, outside] : {std::tuple{inside_.id, kGatewayIn, false},
                                               std::tuple{outside_.id, kGatewayOut, true}}) {
            Iface& i = policy_.ifaces[p];
            i.configured = true;
            i.outside = outside;
            i.port = p;
            i.addr = addr;
            i.prefix = 24;
            i.mac = dp_.macs[p];
            i.mss_clamp = mss_clamp;
        }
        policy_.index_addresses();  // as ControlEndpoint::next_policy
        policy_.globals.frag = frag;
        policy_.globals.icmp_rate_per_s = 100;
        constexpr uint32_t kRules = 7;
        std::vector<wire::SpdRule> rules(kRules);
        const std::pair<wire::SpdAction, uint32_t> what[kRules] = {
            {wire::SpdAction::kDiscard, 0},
            {wire::SpdAction::kProtect, kConnOut},
            {wire::SpdAction::kProtect, kConnMissing},
            {wire::SpdAction::kProtect, kTunnels[1].conn_out},
            {wire::SpdAction::kProtect, kTunnels[2].conn_out},
            {wire::SpdAction::kProtect, kTunnels[3].conn_out},
            {wire::SpdAction::kProtect, kTunnels[4].conn_out}};
        const uint32_t dst[kRules] = {
            0xc6120900, 0xc6120200, 0xc6120300, kTunnels[1].remote_net, kTunnels[2].remote_net,
            kPeerHost,  kPeerHost2};
        for (uint32_t k = 0; k < kRules; ++k) {
            rules[k].id = k;
            rules[k].action = what[k].first;
            rules[k].sa_conn_id = what[k].second;
            const bool host = dst[k] == kPeerHost || dst[k] == kPeerHost2;
            rules[k].sel =
                host ? selector(kGatewayOut, 32, dst[k], 32) : selector(0xc6120100, 24, dst[k], 24);
            rules[k].port = outside_.id;
        }
        std::string err;
        policy_.spd = SpdSnapshot::build(rules, name_ + "spd", SOCKET_ID_ANY, &err);
        ASSERT_TRUE(policy_.spd) << err;
        // Cleartext arriving on the outside that a PROTECT rule covers is refused (RFC 4301 §5.2).
        ASSERT_TRUE(build_inbound_spd(policy_, name_, &err)) << err;
        policy_.rule_slot.assign(kRules, kNoSlot);  // as ControlEndpoint::bind_rules
        for (uint32_t k = 0; k < kRules; ++k)
            if (rules[k].sa_conn_id != 0)
                policy_.rule_slot[k] = dp_.sas->slot_of(rules[k].sa_conn_id);
    }

    // Empties every ring so the pool count is meaningful.
    void drain_all() {
        transmitted(inside_);
        transmitted(outside_);
        void* m = nullptr;
        while (rte_ring_dequeue(inside_.rx, &m) == 0)
            rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
        while (rte_ring_dequeue(outside_.rx, &m) == 0)
            rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
        for (uint16_t i = 0; i < dp_.lcores.size(); ++i) {
            to_main(i);
            Handoff h;
            while (rte_ring_dequeue_elem(dp_.lcores[i]->handoff_in, &h, sizeof h) == 0)
                if (h.m != nullptr) rte_pktmbuf_free(h.m);
            ToWorker w;
            while (rte_ring_dequeue_elem(dp_.lcores[i]->from_main, &w, sizeof w) == 0)
                rte_pktmbuf_free(w.m);
        }
    }

    sadb::SaRuntimePtr peer_sa(const Tunnel& t, sadb::Direction d) {
        sadb::SaConfig c;
        const bool to_gateway = d == sadb::Direction::kOutbound;
        c.spi = to_gateway ? t.spi_in : t.spi_out;
        c.direction = d;
        c.cipher = t.cipher;
        c.integrity = t.integrity;
        const uint8_t* key = to_gateway ? t.key_in : t.key_out;
        c.cipher_key.assign(Bytes(key, key + cipher_key_len(t)));
        if (t.integrity != crypto::Integrity::kNone) c.auth_key.assign(Bytes(key, key + 20));
        c.udp_encap.enabled = t.udp;
        if (t.transport) c.mode = sadb::Mode::kTransport;
        c.local = sadb::IpAddr::v4(t.peer);
        c.peer = sadb::IpAddr::v4(kGatewayOut);
        c.replay_window = 0;
        c.esn = esn(t);
        std::string err;
        auto sa = sadb::build_sa_runtime(c, mgr_.get(), &err);
        EXPECT_TRUE(sa) << err;
        return sa;
    }

    static inline int counter_ = 0;
    const Spec spec_;
    std::string name_;
    crypto::MbManager mgr_;
    ShmFile stats_;
    rte_mempool* pool_ = nullptr;
    Dataplane dp_;
    Policy policy_;
    Port inside_, outside_;
    ServicesCtx svc_;
    std::unique_ptr<sadb::SpiIndex> peer_index_;
    std::vector<sadb::SaRuntimePtr> peer_sas_;
};

inline uint32_t esp_spi(const Bytes& frame) {
    return load_be32(&frame[14 + 20]);
}
inline uint32_t esp_seq(const Bytes& frame) {
    return load_be32(&frame[14 + 24]);
}
inline bool is_esp_to_peer(const Bytes& f) {
    return f.size() > 14 + 28 && f[14 + 9] == kProtoEsp && load_be32(&f[14 + 16]) == kPeer;
}

// The same ESP frame as RFC 3948 UDP-encapsulated ESP (port 4500, zero checksum).
inline Bytes udp_encapsulated(const Bytes& frame) {
    Bytes ip(frame.begin() + 14, frame.end());
    Bytes udp(8, 0);
    store_be16(&udp[0], 4500);
    store_be16(&udp[2], 4500);
    store_be16(&udp[4], static_cast<uint16_t>(ip.size() - 20 + 8));
    ip.insert(ip.begin() + 20, udp.begin(), udp.end());
    ip[9] = kProtoUdp;
    store_be16(&ip[2], static_cast<uint16_t>(ip.size()));
    set_ipv4_checksum(ip.data());
    return concat(Bytes(frame.begin(), frame.begin() + 14), ip);
}

}  // namespace espgw::dataplane::gw_test
