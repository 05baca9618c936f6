// Pipeline drop reasons that a black-box run cannot trigger (pipeline_drops_test.py triggers
// the others and checks that, together with the scenario table below, every kPipeline reason of
// sadb/drop_reason.def has a test):
// - a full ring: handoff_full (ring to the lcore that owns the SA), tx_full (a port's transmit
//   queue), punt_full (ring to the main lcore);
// - spd_discard: no configuration line compiles to a DISCARD rule (IOS crypto ACLs only say
//   permit = PROTECT and deny = BYPASS);
// - no_sa again, to check the ACQUIRE the lcore queues for control.
// The gateway is assembled from the objects espgw-dataplane builds (stats segment, SA table, SPD
// snapshot, route and neighbour tables, two lcore contexts with their rings) around two net_ring
// ports, and driven by the real poll loop, worker_poll(): frames go into a port's rx ring and come
// out of its tx ring. Each scenario asserts that its counter, and only its counter, moved on
// every lcore and SA, that the bystander traffic got through, and that every mbuf went back to
// the pool.
#include <gtest/gtest.h>
#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip_frag.h>
#include <unistd.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "dataplane/dataplane.h"
#include "dataplane/drop_collect.h"
#include "dataplane/drops.h"
#include "dataplane/esp_encap.h"
#include "dataplane/ip_header.h"
#include "dataplane/shm_files.h"
#include "dataplane/worker.h"
#include "tests/dataplane/wire_builders.h"
#include "tests/unit/burst_bytes.h"

namespace espgw::dataplane {
namespace {

namespace wire = sadb::wire;
using sadb::DropReason;
using test_util::Bytes;
using test_util::selector;
using test_util::v4;

constexpr uint32_t kGatewayOut = 0xc0000201;  // 192.0.2.1, outside
constexpr uint32_t kPeer = 0xc0000202;        // 192.0.2.2
constexpr uint32_t kGatewayIn = 0xc6120101;   // 198.18.1.1, inside
constexpr uint32_t kHost = 0xc612010a;        // 198.18.1.10
constexpr uint32_t kRemote = 0xc612020a;      // 198.18.2.10, behind the peer
constexpr uint32_t kDiscarded = 0xc6120909;   // 198.18.9.9: the DISCARD rule
constexpr uint32_t kNoSaNet = 0xc612030a;     // 198.18.3.10: PROTECT rule without an SA
constexpr uint32_t kSpiIn = 0x1001, kSpiOut = 0x2001;
constexpr uint32_t kConnIn = 1, kConnOut = 2, kConnMissing = 99;
// SPD rule indices (ordered first match).
constexpr uint32_t kRuleDiscard = 0, kRuleProtect = 1, kRuleNoSa = 2;
constexpr rte_ether_addr kHostMac{{2, 0, 0, 0, 1, 0x10}};
constexpr rte_ether_addr kPeerMac{{2, 0, 0, 0, 0, 2}};
constexpr uint8_t kKeyIn[20] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,
                                10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
constexpr uint8_t kKeyOut[20] = {31, 30, 29, 28, 27, 26, 25, 24, 23, 22,
                                 21, 20, 19, 18, 17, 16, 15, 14, 13, 12};

Bytes ethernet(const rte_ether_addr& dst, const rte_ether_addr& src, uint16_t type) {
    Bytes b(dst.addr_bytes, dst.addr_bytes + 6);
    b.insert(b.end(), src.addr_bytes, src.addr_bytes + 6);
    b.push_back(static_cast<uint8_t>(type >> 8));
    b.push_back(static_cast<uint8_t>(type));
    return b;
}

Bytes ipv4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t payload_len) {
    Bytes p(20 + payload_len, 0);
    p[0] = 0x45;
    store_be16(&p[2], static_cast<uint16_t>(p.size()));
    p[8] = 64;
    p[9] = proto;
    store_be32(&p[12], src);
    store_be32(&p[16], dst);
    for (uint16_t i = 0; i < payload_len; ++i)
        p[20 + i] = static_cast<uint8_t>(i);
    if (proto == kProtoUdp) {
        store_be16(&p[20], 1000);
        store_be16(&p[22], 2000);
        store_be16(&p[24], payload_len);
        p[26] = p[27] = 0;
    }
    if (proto == 1) {  // ICMP echo request (RFC 792) with a valid checksum
        p[20] = 8;
        p[21] = p[22] = p[23] = 0;
        const uint16_t c = static_cast<uint16_t>(~rte_raw_cksum(&p[20], payload_len));
        std::memcpy(&p[22], &c, 2);
    }
    set_ipv4_checksum(p.data());
    return p;
}

Bytes concat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// What the gateway's rings may hold, and the size of each (power of two: capacity is size - 1).
struct Spec {
    uint16_t sa_owner = 0;            // lcore that owns both SAs of the tunnel
    unsigned handoff_ring = 1024;     // lcore 1's handoff ring
    unsigned to_main_ring = 1024;     // lcore 0's ring to the main lcore
    unsigned outside_tx_ring = 1024;  // the outside port's transmit ring
};

struct Port {
    uint16_t id = 0;
    rte_ring* rx = nullptr;
    rte_ring* tx = nullptr;
};

class Gateway {
  public:
    explicit Gateway(const Spec& spec)
        : name_("plt" + std::to_string(getpid() % 100000) + "_" + std::to_string(counter_++)) {
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
        install_policy();
        dp_.policy.store(&policy_);
        dp_.forwarding = true;
    }

    ~Gateway() {
        drain_all();
        for (const Port& p : {inside_, outside_}) {
            rte_eth_dev_stop(p.id);
            rte_eth_dev_close(p.id);
            rte_ring_free(p.rx);
            rte_ring_free(p.tx);
        }
        for (auto& c : dp_.lcores) {
            rte_ring_free(c->handoff_in);
            rte_ring_free(c->to_main);
            rte_ring_free(c->from_main);
            rte_ip_frag_table_destroy(c->frag_tbl);
        }
        dp_.lcores.clear();
        policy_.spd.reset();
        dp_.sas.reset();
        dp_.routes.reset();
        dp_.neighbors.reset();
        rte_mempool_free(pool_);
    }

    // A frame arriving on a port.
    void receive(const Port& p, const Bytes& frame) {
        rte_mbuf* m = test_util::mbuf_from(pool_, frame);
        ASSERT_NE(m, nullptr);
        m->port = p.id;  // net_ring does not stamp it
        ASSERT_EQ(rte_ring_enqueue(p.rx, m), 0);
    }
    uint32_t poll(uint16_t lcore) { return worker_poll(*dp_.lcores[lcore], dp_); }

    // Frames the port transmitted (freed).
    std::vector<Bytes> transmitted(const Port& p) {
        std::vector<Bytes> out;
        void* m = nullptr;
        while (rte_ring_dequeue(p.tx, &m) == 0) {
            out.push_back(test_util::bytes_of(static_cast<rte_mbuf*>(m)));
            rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
        }
        return out;
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
    // port: the engine encapsulates `inner` with a runtime SA of the peer's side.
    Bytes from_peer(const Bytes& inner, uint32_t seq) {
        sadb::SaConfig c;
        c.spi = kSpiIn;
        c.cipher = crypto::Cipher::kAes128Gcm;
        c.cipher_key.assign(Bytes(kKeyIn, kKeyIn + sizeof kKeyIn));
        c.local = *sadb::IpAddr::parse("192.0.2.2");
        c.peer = *sadb::IpAddr::parse("192.0.2.1");
        std::string err;
        auto sa = sadb::build_sa_runtime(c, mgr_.get(), &err);
        EXPECT_TRUE(sa) << err;
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
        return concat(ethernet(dp_.macs[outside_.id], kPeerMac, RTE_ETHER_TYPE_IPV4),
                      out.empty() ? Bytes{} : out[0]);
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
            for (uint32_t conn : {kConnIn, kConnOut}) {
                const uint64_t sa =
                    dp_.stats.sa(dp_.sas->slot_of(conn))->counters.drops[size_t(info.reason)];
                EXPECT_EQ(sa, 0u) << info.label << " on SA " << conn;
            }
        }
        EXPECT_EQ(rte_mempool_in_use_count(pool_), 0u) << "mbuf leak";
    }

    LcoreCtx& lcore(uint16_t i) { return *dp_.lcores[i]; }
    unsigned mbufs_in_use() {
        drain_all();
        return rte_mempool_in_use_count(pool_);
    }
    uint64_t sa_drops(uint32_t conn, DropReason r) {
        return dp_.stats.sa(dp_.sas->slot_of(conn))->counters.drops[size_t(r)];
    }
    const rte_ether_addr& mac(const Port& p) const { return dp_.macs[p.id]; }
    const Port& inside() const { return inside_; }
    const Port& outside() const { return outside_; }
    uint64_t spd_hits(uint16_t lcore, uint32_t rule) { return dp_.lcores[lcore]->spd_hits[rule]; }
    uint64_t sa_packets(uint32_t conn) {
        return dp_.stats.sa(dp_.sas->slot_of(conn))->counters.packets;
    }

  private:
    Port make_port(const std::string& tag, unsigned tx_size) {
        Port p;
        p.rx = rte_ring_create((name_ + tag + "rx").c_str(), 1024, SOCKET_ID_ANY,
                               RING_F_SP_ENQ | RING_F_SC_DEQ);
        p.tx = rte_ring_create((name_ + tag + "tx").c_str(), tx_size, SOCKET_ID_ANY,
                               RING_F_SP_ENQ | RING_F_SC_DEQ);
        EXPECT_TRUE(p.rx && p.tx);
        const int id = rte_eth_from_rings((name_ + tag).c_str(), &p.rx, 1, &p.tx, 1, 0);
        EXPECT_GE(id, 0);
        p.id = static_cast<uint16_t>(id);
        EXPECT_LT(p.id, kMaxPorts);
        rte_eth_conf conf{};
        EXPECT_EQ(rte_eth_dev_configure(p.id, 1, 1, &conf), 0);
        EXPECT_EQ(rte_eth_rx_queue_setup(p.id, 0, 1024, SOCKET_ID_ANY, nullptr, pool_), 0);
        EXPECT_EQ(rte_eth_tx_queue_setup(p.id, 0, tx_size, SOCKET_ID_ANY, nullptr), 0);
        EXPECT_EQ(rte_eth_dev_start(p.id), 0);
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
        c->from_main = ring("w", i, sizeof(ToWorker), 1024, RING_F_SP_ENQ | RING_F_SC_DEQ);
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
        for (const bool inbound : {true, false}) {
            wire::Sa w{};
            w.spi = inbound ? kSpiIn : kSpiOut;
            w.conn_id = inbound ? kConnIn : kConnOut;
            w.pair_conn_id = inbound ? kConnOut : kConnIn;
            w.direction = inbound ? wire::Direction::kInbound : wire::Direction::kOutbound;
            w.mode = wire::Mode::kTunnel;
            w.cipher = static_cast<uint8_t>(crypto::Cipher::kAes128Gcm);
            w.integrity = static_cast<uint8_t>(crypto::Integrity::kNone);
            w.df = wire::DfPolicy::kCopy;
            w.copy_dscp = 1;
            w.ttl = 64;
            w.cipher_key_len = 20;
            std::memcpy(w.cipher_key, inbound ? kKeyIn : kKeyOut, 20);
            w.path_mtu = 1500;
            w.port = outside_.id;
            w.replay_window = 64;
            w.local = v4(kGatewayOut);
            w.peer = v4(kPeer);
            w.selector = selector(0xc6120100, 24, 0xc6120200, 24);
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
             {std::tuple{kHost, kHostMac, inside_.id}, std::tuple{kPeer, kPeerMac, outside_.id}}) {
            wire::Neighbor n{};
            n.addr = v4(ip);
            std::memcpy(n.mac, mac.addr_bytes, 6);
            n.port = port;
            n.is_static = 1;
            EXPECT_EQ(dp_.neighbors->upsert(n), NeighborStatus::kOk);
        }
    }

    // Interfaces as control compiles them; the SPD: DISCARD to 198.18.9.0/24, PROTECT to
    // 198.18.2.0/24 (the tunnel), PROTECT to 198.18.3.0/24 with an SA that was never installed.
    void install_policy() {
        for (const auto& [p, addr, outside] : {std::tuple{inside_.id, kGatewayIn, false},
                                               std::tuple{outside_.id, kGatewayOut, true}}) {
            Iface& i = policy_.ifaces[p];
            i.configured = true;
            i.outside = outside;
            i.port = p;
            i.addr = addr;
            i.prefix = 24;
            i.mac = dp_.macs[p];
        }
        policy_.index_addresses();  // as ControlEndpoint::next_policy
        policy_.globals.frag = wire::FragPolicy::kBeforeEncryption;
        policy_.globals.icmp_rate_per_s = 100;
        std::vector<wire::SpdRule> rules(3);
        const std::pair<wire::SpdAction, uint32_t> what[] = {
            {wire::SpdAction::kDiscard, 0},
            {wire::SpdAction::kProtect, kConnOut},
            {wire::SpdAction::kProtect, kConnMissing}};
        const uint32_t dst[] = {0xc6120900, 0xc6120200, 0xc6120300};
        for (uint32_t k = 0; k < 3; ++k) {
            rules[k].id = k;
            rules[k].action = what[k].first;
            rules[k].sa_conn_id = what[k].second;
            rules[k].sel = selector(0xc6120100, 24, dst[k], 24);
            rules[k].port = outside_.id;
        }
        std::string err;
        policy_.spd = SpdSnapshot::build(rules, name_ + "spd", SOCKET_ID_ANY, &err);
        ASSERT_TRUE(policy_.spd) << err;
        policy_.rule_slot.assign(3, kNoSlot);  // as ControlEndpoint::bind_rules
        for (uint32_t k = 0; k < 3; ++k)
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

    static inline int counter_ = 0;
    std::string name_;
    crypto::MbManager mgr_;
    ShmFile stats_;
    rte_mempool* pool_ = nullptr;
    Dataplane dp_;
    Policy policy_;
    Port inside_, outside_;
};

uint32_t esp_spi(const Bytes& frame) {
    return load_be32(&frame[14 + 20]);
}
uint32_t esp_seq(const Bytes& frame) {
    return load_be32(&frame[14 + 24]);
}
bool is_esp_to_peer(const Bytes& f) {
    return f.size() > 14 + 28 && f[14 + 9] == kProtoEsp && load_be32(&f[14 + 16]) == kPeer;
}

using R = DropReason;
using Scenario = std::function<void()>;

std::vector<std::pair<DropReason, Scenario>> scenarios() {
    return {
        {R::kSpdDiscard,
         [] {
             // RFC 4301 §4.4.1 DISCARD: the packet goes nowhere; the tunnel's traffic passes.
             Gateway gw({});
             gw.receive(gw.inside(), gw.from_host(ipv4(kHost, kDiscarded, kProtoUdp, 30)));
             gw.receive(gw.inside(), gw.from_host(ipv4(kHost, kRemote, kProtoUdp, 30)));
             EXPECT_EQ(gw.poll(0), 2u);
             const auto out = gw.transmitted(gw.outside());
             ASSERT_EQ(out.size(), 1u);
             EXPECT_TRUE(is_esp_to_peer(out[0]));
             EXPECT_EQ(esp_spi(out[0]), kSpiOut);
             EXPECT_EQ(gw.spd_hits(0, kRuleDiscard), 1u);
             EXPECT_EQ(gw.spd_hits(0, kRuleProtect), 1u);
             gw.expect_only(R::kSpdDiscard, 1);
         }},
        {R::kNoSa,
         [] {
             // PROTECT without an SA: dropped, and one ACQUIRE (RFC 4301 §5.1) for two packets
             // in the same burst (rate-limited per lcore) names the rule.
             Gateway gw({});
             for (int k = 0; k < 2; ++k)
                 gw.receive(gw.inside(), gw.from_host(ipv4(kHost, kNoSaNet, kProtoUdp, 30)));
             gw.receive(gw.inside(), gw.from_host(ipv4(kHost, kRemote, kProtoUdp, 30)));
             gw.poll(0);
             EXPECT_EQ(gw.transmitted(gw.outside()).size(), 1u);
             int acquires = 0;
             for (const ToMain& t : gw.to_main(0)) {
                 if (t.kind != ToMain::kAcquire) continue;
                 ++acquires;
                 EXPECT_EQ(t.param, kRuleNoSa);
             }
             EXPECT_EQ(acquires, 1);
             EXPECT_EQ(gw.spd_hits(0, kRuleNoSa), 2u);
             gw.expect_only(R::kNoSa, 2);
         }},
        {R::kHandoffFull,
         [] {
             // The tunnel belongs to lcore 1, whose handoff ring holds one packet: of three
             // outbound packets lcore 0 receives, the first is handed over, the others and an
             // inbound ESP packet find the ring full. Once lcore 1 has run, the ring takes
             // packets again in both directions.
             Gateway gw({.sa_owner = 1, .handoff_ring = 2});
             for (int k = 0; k < 3; ++k)
                 gw.receive(gw.inside(), gw.from_host(ipv4(kHost, kRemote, kProtoUdp, 40 + k)));
             gw.poll(0);
             const Bytes inner = ipv4(kRemote, kHost, kProtoUdp, 50);
             gw.receive(gw.outside(), gw.from_peer(inner, 1));
             gw.poll(0);
             EXPECT_EQ(gw.lcore(0).stats->handoff_out, 1u);
             EXPECT_TRUE(gw.transmitted(gw.outside()).empty());
             gw.poll(1);  // encapsulates the one it was given
             auto out = gw.transmitted(gw.outside());
             ASSERT_EQ(out.size(), 1u);
             EXPECT_EQ(esp_seq(out[0]), 1u);
             gw.receive(gw.outside(), gw.from_peer(inner, 2));
             gw.poll(0);
             gw.poll(1);
             out = gw.transmitted(gw.inside());
             ASSERT_EQ(out.size(), 1u);
             Bytes want = inner;
             --want[8];  // forwarded: TTL - 1
             set_ipv4_checksum(want.data());
             EXPECT_EQ(out[0],
                       concat(ethernet(kHostMac, gw.mac(gw.inside()), RTE_ETHER_TYPE_IPV4), want));
             EXPECT_EQ(gw.lcore(1).stats->handoff_in, 2u);
             EXPECT_EQ(gw.sa_packets(kConnOut), 1u);
             EXPECT_EQ(gw.sa_packets(kConnIn), 1u);
             gw.expect_only(R::kHandoffFull, 3);
         }},
        {R::kTxFull,
         [] {
             // The outside port's transmit ring holds one frame and nobody drains it: of three
             // ESP packets one leaves; the inside port still transmits.
             Gateway gw({.outside_tx_ring = 2});
             for (int k = 0; k < 3; ++k)
                 gw.receive(gw.inside(), gw.from_host(ipv4(kHost, kRemote, kProtoUdp, 30 + k)));
             gw.receive(gw.outside(), gw.from_peer(ipv4(kRemote, kHost, kProtoUdp, 20), 1));
             gw.poll(0);
             const auto out = gw.transmitted(gw.outside());
             ASSERT_EQ(out.size(), 1u);
             EXPECT_EQ(esp_seq(out[0]), 1u);
             EXPECT_EQ(gw.transmitted(gw.inside()).size(), 1u);
             EXPECT_EQ(gw.lcore(0).stats->tx_packets, 2u);
             gw.expect_only(R::kTxFull, 2);
         }},
        {R::kPuntFull,
         [] {
             // The ring to the main lcore holds one item: the first ARP request for the gateway
             // is punted, the second is not, nor is an echo request that arrives through the
             // tunnel (inbound's own punt path); forwarding goes on.
             Gateway gw({.to_main_ring = 2});
             Bytes arp = ethernet(rte_ether_addr{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}, kHostMac,
                                  RTE_ETHER_TYPE_ARP);
             const uint8_t body[28] = {0,   1,  8, 0,  6, 4, 0, 1, 2, 0, 0,   0,  1, 0x10,
                                       198, 18, 1, 10, 0, 0, 0, 0, 0, 0, 198, 18, 1, 1};
             arp.insert(arp.end(), body, body + sizeof body);
             gw.receive(gw.inside(), arp);
             gw.receive(gw.inside(), arp);
             gw.receive(gw.inside(), gw.from_host(ipv4(kHost, kRemote, kProtoUdp, 30)));
             gw.receive(gw.outside(), gw.from_peer(ipv4(kRemote, kGatewayIn, 1, 16), 1));
             gw.poll(0);
             EXPECT_EQ(gw.transmitted(gw.outside()).size(), 1u);
             const auto items = gw.to_main(0);
             ASSERT_EQ(items.size(), 1u);
             EXPECT_EQ(items[0].kind, ToMain::kArp);
             EXPECT_EQ(gw.lcore(0).stats->punted, 1u);
             gw.expect_only(R::kPuntFull, 2);
         }},
    };
}

TEST(PipelineDrops, RingsAndPoliciesOnlyATestInsideTheProcessReaches) {
    std::set<DropReason> covered;
    for (const auto& [reason, run] : scenarios()) {
        SCOPED_TRACE(std::string(sadb::drop_reason_info(reason).label));
        EXPECT_EQ(sadb::drop_reason_info(reason).layer, sadb::DropLayer::kPipeline);
        run();
        covered.insert(reason);
    }
    // pipeline_drops_test.py reads the scenario table above for its coverage check.
    EXPECT_EQ(covered.size(), 5u);
}

// The same ESP frame as RFC 3948 UDP-encapsulated ESP (port 4500, zero checksum).
Bytes udp_encapsulated(const Bytes& frame) {
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

// Only the SA's owner lcore writes its counters (sadb/sa_counters.h). A UDP-encapsulated packet
// for a raw ESP SA that another lcore owns is handed over unjudged, and the owner counts the
// drop: the lcore that received it must not touch the SA.
TEST(PipelineHandoff, EncapMismatchIsCountedByTheSaOwnerNotTheReceiver) {
    Gateway gw({.sa_owner = 1});
    const Bytes inner = ipv4(kRemote, kHost, kProtoUdp, 20);
    gw.receive(gw.outside(), udp_encapsulated(gw.from_peer(inner, 1)));
    gw.receive(gw.outside(), gw.from_peer(inner, 2));
    gw.poll(0);
    EXPECT_EQ(gw.lcore(0).stats->handoff_out, 2u);
    EXPECT_EQ(gw.sa_drops(kConnIn, R::kEncapMismatch), 0u) << "written by the receiving lcore";
    gw.poll(1);
    EXPECT_EQ(gw.lcore(1).stats->handoff_in, 2u);
    EXPECT_EQ(gw.transmitted(gw.inside()).size(), 1u);
    EXPECT_EQ(gw.sa_drops(kConnIn, R::kEncapMismatch), 1u);
    EXPECT_EQ(gw.sa_packets(kConnIn), 1u);
    EXPECT_EQ(gw.lcore(0).stats->drops.count[size_t(R::kEncapMismatch)], 0u);
    EXPECT_EQ(gw.lcore(1).stats->drops.count[size_t(R::kEncapMismatch)], 1u);
    EXPECT_EQ(gw.mbufs_in_use(), 0u) << "mbuf leak";
}

}  // namespace
}  // namespace espgw::dataplane
