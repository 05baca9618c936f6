// SIGHUP as the dataplane sees it: espgw-control's compiler and difference (control/policy_diff.h)
// of two real configurations go over a real ring region to the dataplane's ControlEndpoint, which
// applies them as espgw-dataplane does; then the real poll loop (worker_poll) and the main
// lcore's services (ARP, ICMP echo) answer frames on four net_ring ports. An interface deleted,
// moved to another DPDK port or readdressed by the edit must stop answering ARP and ICMP for its
// old address and stop forwarding on its old port, and answer where the new configuration says.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip_frag.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "control/policy_diff.h"
#include "dataplane/control_endpoint.h"
#include "dataplane/dataplane.h"
#include "dataplane/ip_header.h"
#include "dataplane/services.h"
#include "dataplane/shm_files.h"
#include "dataplane/worker.h"
#include "sadb/wire_text.h"
#include "tests/control/control_test_util.h"
#include "tests/pipeline/frames.h"
#include "tests/pipeline/ring_port.h"
#include "tests/unit/burst_bytes.h"

namespace espgw::dataplane {
namespace {

namespace wire = sadb::wire;
using sadb::DropReason;
using test_util::Bytes;
using test_util::concat;
using test_util::ethernet;
using test_util::ipv4;

constexpr uint16_t kPorts = 4;
constexpr uint32_t kHost = 0xc612010a;  // 198.18.1.10, inside
constexpr rte_ether_addr kAsker{{2, 0, 0, 0, 5, 0x10}};
constexpr uint16_t kArpType = 0x0806, kIpType = 0x0800;

// RFC 826 request from kAsker (sender `sender`) for `target`, broadcast.
Bytes arp_request(uint32_t sender, uint32_t target) {
    return test_util::arp(1, test_util::kBroadcast, kAsker, sender, target);
}

// An outside, an inside and a third interface `port2` on DPDK port `dmz_port` with address
// 198.18.`net`.1/24 and a static neighbour .10 on it; without `dmz_port` there is no port2.
std::string config(const uint16_t* ports, int dmz_port, int net) {
    std::string c = "hostname reconf\ninterface port0\n dpdk-port " + std::to_string(ports[0]) +
                    "\n ip address 192.0.2.1 255.255.255.0\n crypto map VPN\n"
                    "interface port1\n dpdk-port " +
                    std::to_string(ports[1]) + "\n ip address 198.18.1.1 255.255.255.0\n";
    const std::string n = std::to_string(net);
    if (dmz_port >= 0)
        c += "interface port2\n dpdk-port " + std::to_string(ports[dmz_port]) +
             "\n ip address 198.18." + n + ".1 255.255.255.0\narp 198.18." + n +
             ".10 0200.0000.0510 ARPA\n";
    return c +
           "arp 192.0.2.2 0200.0000.0002 ARPA\narp 198.18.1.10 0200.0000.0110 ARPA\n"
           "access-list 101 permit ip 198.18.1.0 0.0.0.255 198.18.2.0 0.0.0.255\n"
           "crypto ipsec transform-set GCM128 esp-gcm 128\n"
           "crypto map VPN 10 ipsec-manual\n set peer 192.0.2.2\n set transform-set GCM128\n"
           " match address 101\n"
           " set session-key inbound esp 4097 cipher 000102030405060708090a0b0c0d0e0f10111213\n"
           " set session-key outbound esp 8193 cipher 1f1e1d1c1b1a191817161514131211100f0e0d0c\n";
}

// The tunnel's outbound ESP (AES-128-GCM, RFC 4106: nonce = salt || IV, AAD = SPI || sequence)
// opened with OpenSSL, as the peer would: the inner packet, or nothing when the frame is not ESP
// of SPI 8193 or its ICV does not verify. Key and salt are config()'s outbound session key.
std::optional<Bytes> open_tunnel_esp(const Bytes& frame) {
    static const uint8_t kKey[20] = {0x1f, 0x1e, 0x1d, 0x1c, 0x1b, 0x1a, 0x19, 0x18, 0x17, 0x16,
                                     0x15, 0x14, 0x13, 0x12, 0x11, 0x10, 0x0f, 0x0e, 0x0d, 0x0c};
    constexpr size_t kEsp = 14 + 20, kIv = 8, kIcv = 16;
    if (frame.size() < kEsp + 8 + kIv + kIcv + 2 || frame[14 + 9] != kProtoEsp ||
        load_be32(&frame[kEsp]) != 8193)
        return std::nullopt;
    uint8_t nonce[12];
    std::memcpy(nonce, kKey + 16, 4);
    std::memcpy(nonce + 4, &frame[kEsp + 8], kIv);
    const uint8_t* ct = &frame[kEsp + 8 + kIv];
    const int ct_len = static_cast<int>(frame.size() - kEsp - 8 - kIv - kIcv);
    Bytes plain(ct_len);
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0;
    const bool ok = EVP_DecryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, kKey, nonce) == 1 &&
                    EVP_DecryptUpdate(ctx, nullptr, &len, &frame[kEsp], 8) == 1 &&
                    EVP_DecryptUpdate(ctx, plain.data(), &len, ct, ct_len) == 1 &&
                    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kIcv,
                                        const_cast<uint8_t*>(ct + ct_len)) == 1 &&
                    EVP_DecryptFinal_ex(ctx, plain.data() + len, &fin) == 1;
    EVP_CIPHER_CTX_free(ctx);
    // RFC 4303 §2.4-2.6: payload, padding, pad length, next header (4: IPv4 in tunnel mode).
    if (!ok || plain[ct_len - 1] != kProtoIpv4 || plain[ct_len - 2] + 2 > ct_len)
        return std::nullopt;
    plain.resize(ct_len - 2 - plain[ct_len - 2]);
    return plain;
}

// The peer's ESP for the tunnel's inbound SA (SPI 4097, config()'s inbound session key, AES-128-
// GCM as above) carrying `inner`, sealed with OpenSSL: an IPv4 packet from the peer 192.0.2.2 to
// the gateway 192.0.2.1.
Bytes seal_tunnel_esp(const Bytes& inner, uint32_t seq) {
    static const uint8_t kKey[20] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
                                     0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13};
    constexpr size_t kIv = 8, kIcv = 16;
    Bytes plain = inner;  // RFC 4303 §2.4: padding 1, 2, ... to a 4-byte boundary
    for (uint8_t pad = 1; (plain.size() + 2) % 4 != 0; ++pad)
        plain.push_back(pad);
    const auto pad_len = static_cast<uint8_t>(plain.size() - inner.size());
    plain.push_back(pad_len);
    plain.push_back(kProtoIpv4);
    Bytes esp(8 + kIv + plain.size() + kIcv);
    store_be32(&esp[0], 4097);
    store_be32(&esp[4], seq);
    for (size_t i = 0; i < kIv; ++i)
        esp[8 + i] = static_cast<uint8_t>(0xa0 + i + seq);
    uint8_t nonce[12];
    std::memcpy(nonce, kKey + 16, 4);
    std::memcpy(nonce + 4, &esp[8], kIv);
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0;
    const bool ok =
        EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, kKey, nonce) == 1 &&
        EVP_EncryptUpdate(ctx, nullptr, &len, esp.data(), 8) == 1 &&
        EVP_EncryptUpdate(ctx, &esp[8 + kIv], &len, plain.data(), int(plain.size())) == 1 &&
        EVP_EncryptFinal_ex(ctx, &esp[8 + kIv] + len, &fin) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kIcv, &esp[8 + kIv + plain.size()]) == 1;
    EVP_CIPHER_CTX_free(ctx);
    EXPECT_TRUE(ok);
    Bytes ip = ipv4(0xc0000202, 0xc0000201, kProtoEsp, static_cast<uint16_t>(esp.size()));
    std::copy(esp.begin(), esp.end(), ip.begin() + 20);
    set_ipv4_checksum(ip.data());
    return ip;
}

// `ip` as the gateway forwards it: one hop less (RFC 1812 §5.3.1), header checksum updated.
Bytes forwarded(Bytes ip) {
    --ip[8];
    set_ipv4_checksum(ip.data());
    return ip;
}

// A 64-byte-payload IPv4 packet with the given fragment field (flags and offset); for ICMP,
// `icmp_type` with code 0 in the first two payload bytes.
Bytes ip_packet(uint32_t src, uint32_t dst, uint8_t proto, uint16_t frag_field,
                std::optional<uint8_t> icmp_type = std::nullopt) {
    Bytes ip = ipv4(src, dst, proto, 64);
    if (icmp_type) {
        ip[20] = *icmp_type;
        ip[21] = 0;
    }
    store_be16(&ip[6], frag_field);
    set_ipv4_checksum(ip.data());
    return ip;
}

uint32_t net_addr(int net, uint32_t host) {
    return 0xc6120000u | static_cast<uint32_t>(net) << 8 | host;
}

using Port = test_ports::RingPort;

class Reconfigure : public ::testing::Test {
  protected:
    void SetUp() override {
        name_ = "rcf" + std::to_string(getpid() % 100000) + "_" + std::to_string(counter_++);
        std::string err;
        stats_ = create_stats_segment(name_, {4, kMaxPorts, 16, 64}, &err);
        ring_ = create_ring_region(name_, &err);
        ASSERT_TRUE(stats_.valid() && ring_.valid()) << err;
        dp_.stats.base = static_cast<uint8_t*>(stats_.base());
        dp_.pool = rte_pktmbuf_pool_create((name_ + "p").c_str(), 1023, 0, 0,
                                           RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
        ASSERT_NE(dp_.pool, nullptr);
        dp_.sas = std::make_unique<SaTable>(16, dp_.stats, SOCKET_ID_ANY, nullptr);
        dp_.routes = RouteTable::create(name_ + "r", SOCKET_ID_ANY, nullptr, &err);
        dp_.neighbors = NeighborTable::create(name_ + "n", SOCKET_ID_ANY, 64, nullptr, &err);
        ASSERT_TRUE(dp_.routes && dp_.neighbors) << err;
        for (uint16_t k = 0; k < kPorts; ++k)
            make_port(k);
        add_lcore();
        ep_ = std::make_unique<ControlEndpoint>(dp_, ring_.base(), mgr_, true, svc_);
        svc_.neighbors = dp_.neighbors.get();
        svc_.sas = dp_.sas.get();
        svc_.stats = &dp_.stats;
        svc_.pool = dp_.pool;
        svc_.out = dp_.worker(0).from_main;
        svc_.drops = &dp_.worker(0).stats->drops;
    }

    void TearDown() override {
        ep_.reset();
        for (const Port& p : ports_) {
            drain(p);
            test_ports::close_ring_port(p);
        }
        for (auto& c : dp_.lcores)
            test_ports::free_lcore_rings(*c);
        rte_rcu_qsbr_thread_offline(dp_.rcu, 0);
        dp_.lcores.clear();
        dp_.sas.reset();
        dp_.routes.reset();
        dp_.neighbors.reset();
        rte_free(dp_.rcu);
        rte_mempool_free(dp_.pool);
    }

    rte_ring* region_ring(bool commands) {
        auto* hdr = static_cast<sadb::RingRegionHeader*>(ring_.base());
        return reinterpret_cast<rte_ring*>(static_cast<uint8_t*>(ring_.base()) +
                                           (commands ? hdr->cmd_off : hdr->evt_off));
    }

    // Sends control's messages over the command ring and checks the dataplane's ack.
    void apply(const std::vector<wire::Msg>& msgs, uint64_t generation) {
        const std::optional<wire::Ack> ack = send_all(msgs);
        ASSERT_TRUE(ack.has_value());
        EXPECT_EQ(ack->generation, generation);
        EXPECT_EQ(ack->status, 0u) << ack->error;
    }

    // Sends messages over the command ring; returns the dataplane's last ack, if any (events
    // and other replies are dropped).
    std::optional<wire::Ack> send_all(const std::vector<wire::Msg>& msgs) {
        for (const wire::Msg& m : msgs)
            EXPECT_TRUE(sadb::ring_put(region_ring(true), m));
        ep_->poll();
        std::optional<wire::Ack> ack;
        wire::Msg m{};
        while (sadb::ring_get(region_ring(false), &m))
            if (m.hdr.type == wire::MsgType::kAck) ack = m.body.ack;
        return ack;
    }
    const control::CompiledPolicy& current() const { return current_; }

    void load(const std::string& text, bool outbound_sas = true) {
        current_ = control::test::compile_clean(text);
        std::vector<wire::Msg> msgs = control::to_messages(current_, 1, true);
        if (!outbound_sas)
            std::erase_if(msgs, [](const wire::Msg& m) {
                return m.hdr.type == wire::MsgType::kSaAdd &&
                       m.body.sa.direction == wire::Direction::kOutbound;
            });
        apply(msgs, 1);
    }

    // `ip` sent from the inside host leaves port0 in the tunnel's SA (opened with OpenSSL), or in
    // clear by the default route; received on port0 (in clear, or `esp` around it), it leaves
    // port1 in clear; or it is dropped with `reason` and nothing leaves.
    void expect_in_sa(const Bytes& ip) {
        const auto out = exchange(1, inside_frame(ip));
        ASSERT_EQ(out[0].size(), 1u);
        const auto inner = open_tunnel_esp(out[0][0]);
        ASSERT_TRUE(inner.has_value())
            << "not in the SA: protocol " << int{ip[9]} << ", frag " << load_be16(&ip[6]);
        EXPECT_EQ(*inner, forwarded(ip));
    }
    void expect_clear_out(const Bytes& ip) {
        const auto out = exchange(1, inside_frame(ip));
        ASSERT_EQ(out[0].size(), 1u);
        EXPECT_EQ(Bytes(out[0][0].begin() + 14, out[0][0].end()), forwarded(ip));
    }
    void expect_delivered_in(const Bytes& ip, const Bytes& received) {
        const auto in = exchange(0, outside_in(received));
        ASSERT_EQ(in[1].size(), 1u);
        EXPECT_EQ(Bytes(in[1][0].begin() + 14, in[1][0].end()), forwarded(ip));
    }
    void expect_dropped_in(const Bytes& received, DropReason reason) {
        const uint64_t before = drops(reason);
        EXPECT_EQ(total(exchange(0, outside_in(received))), 0u);
        EXPECT_EQ(drops(reason), before + 1);
    }

    // config() with a default route out of port0 and access list 101 (permit ip from site 1 to
    // site 2) replaced by `acl_lines`; `{any}` in them stands for that line.
    void load_acl(std::string acl_lines) {
        std::string text = config(port_ids_, -1, 0) + "ip route 0.0.0.0 0.0.0.0 192.0.2.2\n";
        const std::string any =
            "access-list 101 permit ip 198.18.1.0 0.0.0.255 198.18.2.0 0.0.0.255\n";
        ASSERT_NE(text.find(any), std::string::npos);
        if (const size_t at = acl_lines.find("{any}"); at != std::string::npos)
            acl_lines.replace(at, 5, any);
        text.replace(text.find(any), any.size(), acl_lines);
        load(text);
    }
    void sighup(const std::string& text) {
        const control::CompiledPolicy next = control::test::compile_clean(text);
        apply(control::to_messages(control::diff(current_, next), 2), 2);
        current_ = next;
    }

    // One frame in on port k, through the lcore and the main lcore's services and back out;
    // returns what each port transmitted.
    std::vector<std::vector<Bytes>> exchange(uint16_t k, const Bytes& frame) {
        rte_mbuf* m = test_util::mbuf_from(dp_.pool, frame);
        m->port = ports_[k].id;
        EXPECT_EQ(rte_ring_enqueue(ports_[k].rx, m), 0);
        worker_poll(dp_.worker(0), dp_);
        svc_.policy = dp_.current();
        ToMain t;
        while (rte_ring_dequeue_elem(dp_.worker(0).to_main, &t, sizeof t) == 0)
            if (t.kind == ToMain::kArp || t.kind == ToMain::kLocal)
                service(svc_, t);
            else if (t.m != nullptr)
                rte_pktmbuf_free(t.m);
        worker_poll(dp_.worker(0), dp_);
        std::vector<std::vector<Bytes>> out;
        for (const Port& p : ports_)
            out.push_back(drain(p));
        return out;
    }

    // Frames in on port k in one burst, through the lcore; the ACQUIREs the main lcore then sends
    // control (as espgw-dataplane's main loop, ControlEndpoint::forward).
    std::vector<wire::Acquire> acquires_for(uint16_t k, const std::vector<Bytes>& frames) {
        for (const Bytes& f : frames) {
            rte_mbuf* m = test_util::mbuf_from(dp_.pool, f);
            m->port = ports_[k].id;
            EXPECT_EQ(rte_ring_enqueue(ports_[k].rx, m), 0);
        }
        worker_poll(dp_.worker(0), dp_);
        ToMain t;
        while (rte_ring_dequeue_elem(dp_.worker(0).to_main, &t, sizeof t) == 0) {
            if (t.m != nullptr) rte_pktmbuf_free(t.m);
            ep_->forward(t);
        }
        std::vector<wire::Acquire> out;
        wire::Msg m{};
        while (sadb::ring_get(region_ring(false), &m))
            if (m.hdr.type == wire::MsgType::kAcquire) out.push_back(m.body.acquire);
        for (const Port& p : ports_)
            drain(p);
        return out;
    }
    void set_acquire_retry(uint64_t tsc) { ep_->set_acquire_retry(tsc); }

    // RFC 1191 fragmentation needed from a router on the outside network about the tunnel's
    // ESP packet 192.0.2.1 -> 192.0.2.2, SPI 8193, next-hop MTU `mtu`.
    Bytes pmtu_message(uint16_t mtu) {
        Bytes quote(28, 0);
        quote[0] = 0x45;
        store_be16(&quote[2], 1400);
        quote[8] = 63;
        quote[9] = kProtoEsp;
        store_be32(&quote[12], 0xc0000201);
        store_be32(&quote[16], 0xc0000202);
        set_ipv4_checksum(quote.data());
        store_be32(&quote[20], 8193);
        store_be32(&quote[24], 1);
        Bytes icmp = {3, 4, 0, 0, 0, 0, 0, 0};
        store_be16(&icmp[6], mtu);
        icmp.insert(icmp.end(), quote.begin(), quote.end());
        const uint16_t c = static_cast<uint16_t>(~rte_raw_cksum(icmp.data(), icmp.size()));
        std::memcpy(&icmp[2], &c, 2);
        Bytes ip(20, 0);
        ip[0] = 0x45;
        store_be16(&ip[2], static_cast<uint16_t>(20 + icmp.size()));
        ip[8] = 64;
        ip[9] = 1;
        store_be32(&ip[12], 0xc00002fe);
        store_be32(&ip[16], 0xc0000201);
        set_ipv4_checksum(ip.data());
        return concat(concat(ethernet(dp_.macs[ports_[0].id], kAsker, kIpType), ip), icmp);
    }
    // The outbound SA's path MTU: what the stats segment shows and what the fast path uses.
    std::pair<uint16_t, uint16_t> outbound_path_mtu() {
        std::pair<uint16_t, uint16_t> out{0, 0};
        dp_.sas->for_each([&](const SaInfo& i, const sadb::SaRuntime& rt) {
            if (i.meta.direction == wire::Direction::kOutbound)
                out = {dp_.stats.sa(i.slot)->path_mtu, rt.path_mtu};
        });
        return out;
    }
    void age_path_mtus_after(uint64_t tsc) {
        svc_.pmtu_age_tsc = tsc;
        age_path_mtus(svc_, rte_get_tsc_cycles());
    }

    // Where `key` occurs in the ring region or the stats segment ("" if nowhere).
    std::string find_key(const Bytes& key) {
        for (const auto& [what, shm] :
             {std::pair{"ring region", &ring_}, {"stats segment", &stats_}}) {
            const auto* b = static_cast<const uint8_t*>(shm->base());
            const auto* hit = std::search(b, b + shm->size(), key.begin(), key.end());
            if (hit != b + shm->size())
                return std::string(what) + " offset " + std::to_string(hit - b);
        }
        return "";
    }
    // Asks for the dataplane's state as a restarted control does; returns the kStateSa bodies.
    std::vector<wire::Msg> resync() {
        wire::Msg req{};  // as control/ring_client.cc: no body
        req.hdr =
            wire::Header{wire::kMagic, wire::kVersion, wire::MsgType::kResyncRequest, 0, 0, 0};
        EXPECT_TRUE(sadb::ring_put(region_ring(true), req));
        ep_->poll();
        std::vector<wire::Msg> out;
        wire::Msg m{};
        while (sadb::ring_get(region_ring(false), &m))
            if (m.hdr.type == wire::MsgType::kStateSa) out.push_back(m);
        return out;
    }

    // Control asks the dataplane to transmit `frame` on port `port` (kSendPacket, as IKE will);
    // returns what each port then transmitted.
    std::vector<std::vector<Bytes>> send_from_control(uint16_t port, const Bytes& frame) {
        wire::Msg m{};
        wire::set_header<wire::Packet>(m, wire::MsgType::kSendPacket, 0);
        m.body.packet.port = port;
        m.body.packet.len = static_cast<uint16_t>(frame.size());
        std::copy(frame.begin(), frame.end(), m.body.packet.bytes);
        EXPECT_TRUE(sadb::ring_put(region_ring(true), m));
        ep_->poll();
        std::vector<std::vector<Bytes>> out(ports_.size());
        while (rte_ring_count(dp_.worker(0).from_main) != 0) {
            worker_poll(dp_.worker(0), dp_);
            for (size_t k = 0; k < ports_.size(); ++k)
                for (Bytes& f : drain(ports_[k]))
                    out[k].push_back(std::move(f));
        }
        return out;
    }
    // Fills the ring from the main lcore to the transmitting lcore with copies of `frame`;
    // returns how many it took.
    size_t fill_from_main(const Bytes& frame, uint16_t port) {
        for (;;) {
            ToWorker w{ToWorker::kL2Frame, 0, port, 0, test_util::mbuf_from(dp_.pool, frame)};
            if (rte_ring_enqueue_elem(dp_.worker(0).from_main, &w, sizeof w) == 0) continue;
            rte_pktmbuf_free(w.m);
            return rte_ring_count(dp_.worker(0).from_main);
        }
    }
    unsigned pool_free() const { return rte_mempool_avail_count(dp_.pool); }
    uint16_t n_ports() const { return dp_.n_ports; }
    // A UDP packet 192.0.2.1 -> 192.0.2.2 in a frame from port k to kAsker.
    Bytes outside_frame(uint16_t k) {
        return concat(ethernet(kAsker, dp_.macs[ports_[k].id], kIpType),
                      ipv4(0xc0000201, 0xc0000202, kProtoUdp));
    }

    static Bytes arp_to(int net) { return arp_request(net_addr(net, 10), net_addr(net, 1)); }
    Bytes echo_to(uint16_t k, int net) {
        return concat(ethernet(dp_.macs[ports_[k].id], kAsker, kIpType),
                      ipv4(net_addr(net, 10), net_addr(net, 1), 1));
    }
    Bytes inside_frame(const Bytes& ip) {
        return concat(ethernet(dp_.macs[ports_[1].id], kAsker, kIpType), ip);
    }
    Bytes outside_in(const Bytes& ip) {
        return concat(ethernet(dp_.macs[ports_[0].id], kAsker, kIpType), ip);
    }
    Bytes inside_to(int net) {
        return concat(ethernet(dp_.macs[ports_[1].id], kAsker, kIpType),
                      ipv4(kHost, net_addr(net, 10), kProtoUdp));
    }
    uint64_t drops(DropReason r) { return dp_.worker(0).stats->drops.count[size_t(r)]; }

    // Port k sent exactly one frame: an ARP reply (op 2) for 198.18.net.1 from its own MAC, or
    // an ICMP echo reply from 198.18.net.1.
    void expect_arp_reply(const std::vector<std::vector<Bytes>>& out, uint16_t k, int net) {
        ASSERT_EQ(out[k].size(), 1u) << "port " << k;
        const Bytes& f = out[k][0];
        ASSERT_GE(f.size(), 42u);
        EXPECT_EQ(load_be16(&f[12]), kArpType);
        EXPECT_EQ(load_be16(&f[20]), 2);
        EXPECT_EQ(std::memcmp(&f[6], dp_.macs[ports_[k].id].addr_bytes, 6), 0);
        EXPECT_EQ(load_be32(&f[28]), net_addr(net, 1));
    }
    void expect_echo_reply(const std::vector<std::vector<Bytes>>& out, uint16_t k, int net) {
        ASSERT_EQ(out[k].size(), 1u) << "port " << k;
        const Bytes& f = out[k][0];
        ASSERT_GE(f.size(), 35u);
        EXPECT_EQ(load_be16(&f[12]), kIpType);
        EXPECT_EQ(load_be32(&f[26]), net_addr(net, 1));
        EXPECT_EQ(f[34], 0);  // echo reply
    }
    static size_t total(const std::vector<std::vector<Bytes>>& out) {
        size_t n = 0;
        for (const auto& v : out)
            n += v.size();
        return n;
    }

    // Before the edit: port k answers for 198.18.net.1 and forwards to its host.
    void expect_serving(uint16_t k, int net) {
        expect_arp_reply(exchange(k, arp_to(net)), k, net);
        expect_echo_reply(exchange(k, echo_to(k, net)), k, net);
        const auto out = exchange(1, inside_to(net));
        ASSERT_EQ(out[k].size(), 1u);
        EXPECT_EQ(load_be32(&out[k][0][30]), net_addr(net, 10));
    }

    // After the edit: port k answers nothing and forwards nothing; its frames are counted as
    // not_forwarding, and a packet for the old network finds no route.
    void expect_silent(uint16_t k, int net) {
        const uint64_t nf = drops(DropReason::kNotForwarding);
        EXPECT_EQ(total(exchange(k, arp_to(net))), 0u);
        EXPECT_EQ(total(exchange(k, echo_to(k, net))), 0u);
        EXPECT_EQ(drops(DropReason::kNotForwarding), nf + 2);
        const uint64_t nr = drops(DropReason::kNoRoute);
        EXPECT_EQ(total(exchange(1, inside_to(net))), 0u);
        EXPECT_EQ(drops(DropReason::kNoRoute), nr + 1);
    }

    const sadb::PortStats& port_stats(uint16_t k) { return *dp_.stats.port(ports_[k].id); }

    uint16_t port_ids_[kPorts] = {};

  private:
    void make_port(uint16_t k) {
        const Port p =
            test_ports::open_ring_port(name_ + "e" + std::to_string(k), 256, 256, dp_.pool);
        ASSERT_FALSE(::testing::Test::HasFailure());
        rte_eth_macaddr_get(p.id, &dp_.macs[p.id]);
        dp_.txq[p.id] = 1;
        dp_.n_ports = std::max<uint16_t>(dp_.n_ports, p.id + 1);
        port_ids_[k] = p.id;
        ports_.push_back(p);
    }

    // As espgw-dataplane with one lcore: the main lcore forwards and is the RCU's one reader.
    void add_lcore() {
        auto c = std::make_unique<LcoreCtx>(crypto::BackendKind::kIpsecMb, mgr_);
        c->is_main = true;
        for (const Port& p : ports_)
            c->rx.push_back({p.id, 0});
        c->handoff_in = rte_ring_create_elem((name_ + "h").c_str(), sizeof(Handoff), 256,
                                             SOCKET_ID_ANY, RING_F_SC_DEQ);
        c->to_main = rte_ring_create_elem((name_ + "m").c_str(), sizeof(ToMain), 256, SOCKET_ID_ANY,
                                          RING_F_SP_ENQ | RING_F_SC_DEQ);
        c->from_main = rte_ring_create_elem((name_ + "w").c_str(), sizeof(ToWorker), 256,
                                            SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
        c->frag_tbl = rte_ip_frag_table_create(16, 4, 64, rte_get_tsc_hz() * 2, SOCKET_ID_ANY);
        ASSERT_TRUE(c->handoff_in && c->to_main && c->from_main && c->frag_tbl);
        c->stats = dp_.stats.lcore(0);
        c->stats->active = 1;
        c->spd_hits = dp_.stats.spd_hits(0);
        dp_.index_of_lcore[0] = 0;
        dp_.lcores.push_back(std::move(c));
        const size_t sz = rte_rcu_qsbr_get_memsize(1);
        dp_.rcu = static_cast<rte_rcu_qsbr*>(rte_zmalloc("rcf", sz, RTE_CACHE_LINE_SIZE));
        ASSERT_NE(dp_.rcu, nullptr);
        rte_rcu_qsbr_init(dp_.rcu, 1);
        rte_rcu_qsbr_thread_register(dp_.rcu, 0);
        rte_rcu_qsbr_thread_online(dp_.rcu, 0);
    }

    std::vector<Bytes> drain(const Port& p) { return test_ports::transmitted(p); }

    static inline int counter_ = 0;
    std::string name_;
    crypto::MbManager mgr_;
    ShmFile stats_, ring_;
    Dataplane dp_;
    std::vector<Port> ports_;
    std::unique_ptr<ControlEndpoint> ep_;
    ServicesCtx svc_;
    control::CompiledPolicy current_;
};

TEST_F(Reconfigure, DeletedInterfaceStopsAnsweringAndForwarding) {
    load(config(port_ids_, 2, 5));
    expect_serving(2, 5);
    EXPECT_EQ(port_stats(2).configured, 1);
    sighup(config(port_ids_, -1, 5));
    expect_silent(2, 5);
    EXPECT_EQ(port_stats(2).configured, 0);
    EXPECT_EQ(port_stats(2).ifname[0], '\0');
    expect_arp_reply(exchange(1, arp_request(kHost, net_addr(1, 1))), 1, 1);  // others stay
}

TEST_F(Reconfigure, MovedInterfaceAnswersOnlyOnItsNewPort) {
    load(config(port_ids_, 2, 5));
    expect_serving(2, 5);
    sighup(config(port_ids_, 3, 5));
    const uint64_t nf = drops(DropReason::kNotForwarding);
    EXPECT_EQ(total(exchange(2, arp_to(5))), 0u);
    EXPECT_EQ(total(exchange(2, echo_to(2, 5))), 0u);
    EXPECT_EQ(drops(DropReason::kNotForwarding), nf + 2);
    expect_serving(3, 5);
}

TEST_F(Reconfigure, ReaddressedInterfaceAnswersOnlyForItsNewAddress) {
    load(config(port_ids_, 2, 5));
    expect_serving(2, 5);
    sighup(config(port_ids_, 2, 6));
    EXPECT_EQ(total(exchange(2, arp_to(5))), 0u);  // an ARP for another address: no answer
    const uint64_t nr = drops(DropReason::kNoRoute);
    EXPECT_EQ(total(exchange(1, inside_to(5))), 0u);
    EXPECT_EQ(drops(DropReason::kNoRoute), nr + 1);
    expect_serving(2, 6);
}

// ACQUIRE (RFC 4301 §5.1, "SA not found"): two crypto map entries whose outbound SAs are
// missing. One burst hitting both rules gives one ACQUIRE per rule (the lcore's rate limit is per
// rule), each naming the packet: addresses, protocol and ports. The main lcore sends a rule's
// ACQUIRE once until its retry time passes or a commit starts over.
TEST_F(Reconfigure, AcquireNamesThePacketOncePerRule) {
    const std::string text =
        config(port_ids_, -1, 0) +
        "access-list 102 permit ip 198.18.1.0 0.0.0.255 198.18.3.0 0.0.0.255\n"
        "crypto map VPN 20 ipsec-manual\n set peer 192.0.2.3\n set transform-set GCM128\n"
        " match address 102\n"
        " set session-key inbound esp 4098 cipher 000102030405060708090a0b0c0d0e0f10111213\n"
        " set session-key outbound esp 8194 cipher 1f1e1d1c1b1a191817161514131211100f0e0d0c\n";
    load(text, false);
    const Bytes udp = inside_to(2);  // 198.18.1.10:1000 -> 198.18.2.10:2000
    const Bytes icmp = inside_frame(ipv4(kHost, net_addr(3, 10), 1));
    const auto first = acquires_for(1, {udp, udp, icmp});
    ASSERT_EQ(first.size(), 2u);
    EXPECT_NE(first[0].rule_id, first[1].rule_id);
    EXPECT_EQ(wire::addr_text(first[0].src), "198.18.1.10");
    EXPECT_EQ(wire::addr_text(first[0].dst), "198.18.2.10");
    EXPECT_EQ(first[0].proto, kProtoUdp);
    EXPECT_EQ(first[0].sport, 1000);
    EXPECT_EQ(first[0].dport, 2000);
    EXPECT_EQ(wire::addr_text(first[1].dst), "198.18.3.10");
    EXPECT_EQ(first[1].proto, 1);
    EXPECT_EQ(first[1].sport, 0);
    EXPECT_EQ(drops(DropReason::kNoSa), 3u);

    // Past the lcore's 10 ms limit: the main lcore holds them back (still outstanding).
    rte_delay_ms(20);
    EXPECT_TRUE(acquires_for(1, {udp, icmp}).empty());
    // Once the retry time passed, again one per rule.
    set_acquire_retry(rte_get_tsc_hz() / 1000);
    rte_delay_ms(20);
    EXPECT_EQ(acquires_for(1, {udp, icmp}).size(), 2u);
    // A commit starts over: the SA may have come with it.
    set_acquire_retry(rte_get_tsc_hz() * 30);
    rte_delay_ms(20);
    EXPECT_TRUE(acquires_for(1, {udp}).empty());
    sighup(text);
    rte_delay_ms(20);
    EXPECT_EQ(acquires_for(1, {udp}).size(), 1u);
}

// Keys cross shared memory once, in the command ring slot that carries the SA; the dataplane
// wipes the slot as it takes the message (sadb::ring_take_and_wipe). Nothing else it writes to
// shared memory may hold a key: not the stats segment's SaSlot.meta (show commands read it), not
// the kStateSa messages that answer a restarted control's resync.
TEST_F(Reconfigure, NoKeyLeftInSharedMemory) {
    const Bytes cipher_in = {0x5a, 0xc3, 0x91, 0x0e, 0x7f, 0x22, 0xd4, 0x68,
                             0xb1, 0x3c, 0x8e, 0x45, 0xf0, 0x19, 0xa7, 0x6d};
    const Bytes cipher_out = {0x96, 0x0b, 0xe2, 0x4f, 0x31, 0xc8, 0x7a, 0x5d,
                              0x03, 0xbe, 0x64, 0x9f, 0x28, 0xd1, 0x47, 0xea};
    const Bytes auth = {0x6e, 0x13, 0xa9, 0x52, 0xfd, 0x84, 0x0c, 0x37, 0xc6, 0x71,
                        0x2b, 0xe8, 0x95, 0x40, 0xdf, 0x1a, 0x83, 0x5c, 0xb7, 0x24};
    using test_util::hex;
    std::string text = config(port_ids_, -1, 0);
    text = text.substr(0, text.find("crypto ipsec transform-set"));
    text +=
        "crypto ipsec transform-set CBC esp-aes 128 esp-sha-hmac\n"
        "crypto map VPN 10 ipsec-manual\n set peer 192.0.2.2\n set transform-set CBC\n"
        " match address 101\n set session-key inbound esp 4097 cipher " +
        hex(cipher_in) + " authenticator " + hex(auth) +
        "\n set session-key outbound esp 8193 cipher " + hex(cipher_out) + " authenticator " +
        hex(auth) + "\n";
    load(text);
    // The keys did reach the SAs: traffic to the tunnel is encrypted.
    ASSERT_EQ(exchange(1, inside_to(2))[0].size(), 1u);
    for (const Bytes* k : {&cipher_in, &cipher_out, &auth})
        EXPECT_EQ(find_key(*k), "") << "key " << hex(*k);
    const auto state = resync();
    EXPECT_EQ(state.size(), 2u);
    for (const wire::Msg& m : state) {
        const auto* b = reinterpret_cast<const uint8_t*>(&m);
        for (const Bytes* k : {&cipher_in, &cipher_out, &auth})
            EXPECT_EQ(std::search(b, b + sizeof m, k->begin(), k->end()), b + sizeof m)
                << "kStateSa carries key " << hex(*k);
    }
    for (const Bytes* k : {&cipher_in, &cipher_out, &auth})
        EXPECT_EQ(find_key(*k), "") << "key " << hex(*k) << " after the resync";
}

// RFC 4301 §8.2.2: the PMTU a router reported for the tunnel ages. Before its time it stays;
// after it, the SA is back at the MTU it was installed with, in the stats segment and on the
// fast path; a new message lowers it again.
TEST_F(Reconfigure, LearntPathMtuAges) {
    load(config(port_ids_, -1, 0));
    using P = std::pair<uint16_t, uint16_t>;
    ASSERT_EQ(outbound_path_mtu(), P(1500, 1500));
    exchange(0, pmtu_message(1200));
    ASSERT_EQ(outbound_path_mtu(), P(1200, 1200));
    age_path_mtus_after(rte_get_tsc_hz() * 600);
    EXPECT_EQ(outbound_path_mtu(), P(1200, 1200)) << "aged before its time";
    rte_delay_ms(5);
    age_path_mtus_after(rte_get_tsc_hz() / 1000);
    EXPECT_EQ(outbound_path_mtu(), P(1500, 1500)) << "not aged";
    exchange(0, pmtu_message(1300));
    EXPECT_EQ(outbound_path_mtu(), P(1300, 1300));
}

// Frames control sends (kSendPacket: IKE's, once it exists) leave on the port control named, byte
// for byte. One the dataplane cannot send is counted on the main lcore, never lost silently, and
// its mbuf goes back to the pool: a port it does not have or a runt is malformed, a full ring to
// the transmitting lcore reply_ring_full.
TEST_F(Reconfigure, FramesControlSendsLeaveOrAreCounted) {
    load(config(port_ids_, -1, 0));
    const unsigned pool_full = pool_free();
    const Bytes frame = outside_frame(0);
    auto out = send_from_control(port_ids_[0], frame);
    ASSERT_EQ(out[0].size(), 1u);
    EXPECT_EQ(out[0][0], frame);
    EXPECT_EQ(total(out), 1u);

    const uint64_t malformed = drops(DropReason::kMalformed);
    EXPECT_EQ(total(send_from_control(n_ports(), frame)), 0u);
    EXPECT_EQ(total(send_from_control(port_ids_[0], Bytes(frame.begin(), frame.begin() + 13))), 0u);
    EXPECT_EQ(drops(DropReason::kMalformed), malformed + 2);

    const size_t queued = fill_from_main(frame, port_ids_[1]);
    const uint64_t full = drops(DropReason::kReplyRingFull);
    out = send_from_control(port_ids_[0], frame);
    EXPECT_EQ(drops(DropReason::kReplyRingFull), full + 1);
    EXPECT_EQ(out[0].size(), 0u);
    EXPECT_EQ(out[1].size(), queued);
    EXPECT_EQ(pool_free(), pool_full);
}

// Crypto ACLs select by port, and of a fragmented datagram only the first fragment shows its
// ports (RFC 4301 §7). As in IOS ("Access Control Lists and IP Fragments"), a permit line with a
// port also takes the later fragments between its addresses, so they leave in the line's SA with
// the first one: falling through to the default route, they would leave in clear. A deny line
// with a port never takes them, even when their payload reads like its port.
TEST_F(Reconfigure, LaterFragmentsOfAPortSelectedFlowLeaveInItsSa) {
    load_acl(
        "access-list 101 deny udp 198.18.1.0 0.0.0.255 198.18.2.0 0.0.0.255 eq 53\n"
        "access-list 101 permit udp 198.18.1.0 0.0.0.255 198.18.2.0 0.0.0.255 eq 2049\n");
    const auto udp_to = [&](uint16_t dport, uint16_t frag_field) {
        Bytes ip = ipv4(kHost, net_addr(2, 10), kProtoUdp, 64);
        store_be16(&ip[22], dport);
        store_be16(&ip[6], frag_field);
        set_ipv4_checksum(ip.data());
        return ip;
    };
    const Bytes first = udp_to(2049, 0x2000);  // more fragments, offset 0
    const Bytes later = udp_to(53, 8);         // offset 64 bytes: "port 53" is payload
    for (const Bytes& ip : {first, later, udp_to(2049, 0)}) {
        const auto out = exchange(1, inside_frame(ip));
        ASSERT_EQ(out[0].size(), 1u) << "nothing left on the outside";
        const auto inner = open_tunnel_esp(out[0][0]);
        ASSERT_TRUE(inner.has_value())
            << "not in the tunnel's SA: frag field " << load_be16(&ip[6]);
        EXPECT_EQ(*inner, forwarded(ip));
    }
    // The deny line and no line at all: in clear, by the default route.
    for (const Bytes& ip : {udp_to(53, 0), udp_to(2000, 0)}) {
        const auto out = exchange(1, inside_frame(ip));
        ASSERT_EQ(out[0].size(), 1u);
        EXPECT_EQ(Bytes(out[0][0].begin() + 14, out[0][0].end()), forwarded(ip));
    }
    // ICMP has no ports: no line takes it, whether a fragment or not.
    Bytes icmp_later = ipv4(kHost, net_addr(2, 10), 1, 64);
    store_be16(&icmp_later[6], 8);
    set_ipv4_checksum(icmp_later.data());
    const auto out = exchange(1, inside_frame(icmp_later));
    ASSERT_EQ(out[0].size(), 1u);
    EXPECT_EQ(out[0][0][14 + 9], 1);

    // Inbound, the lines mirrored (RFC 4301 §5.2): a later fragment from the remote site in clear
    // is one the permit line wants in ESP, refused; a whole reply from port 53 passes in clear.
    Bytes reply = ipv4(net_addr(2, 10), kHost, kProtoUdp, 64);
    store_be16(&reply[20], 53);
    set_ipv4_checksum(reply.data());
    Bytes reply_later = reply;
    store_be16(&reply_later[6], 8);
    set_ipv4_checksum(reply_later.data());
    const uint64_t refused = drops(DropReason::kNotIpsec);
    EXPECT_EQ(total(exchange(0, outside_in(reply_later))), 0u);
    EXPECT_EQ(drops(DropReason::kNotIpsec), refused + 1);
    const auto in = exchange(0, outside_in(reply));
    ASSERT_EQ(in[1].size(), 1u);
    EXPECT_EQ(Bytes(in[1][0].begin() + 14, in[1][0].end()), forwarded(reply));
}

// IOS `fragments`: the line takes non-initial fragments only. With `deny icmp A B fragments`
// ahead of `permit ip A B`, whole ICMP packets and first fragments leave in the SA, later ICMP
// fragments in clear, and later fragments of other protocols still in the SA. Inbound, the
// mirrored deny lets such a fragment arrive in clear while a whole packet in clear is refused.
TEST_F(Reconfigure, FragmentsLinesTakeOnlyLaterFragments) {
    load_acl(
        "access-list 101 deny icmp 198.18.1.0 0.0.0.255 198.18.2.0 0.0.0.255 fragments\n"
        "{any}");
    const auto packet = [](uint32_t src, uint32_t dst, uint8_t proto, uint16_t frag_field) {
        return ip_packet(src, dst, proto, frag_field);
    };
    const uint32_t remote = net_addr(2, 10);
    expect_in_sa(packet(kHost, remote, 1, 0));
    expect_in_sa(packet(kHost, remote, 1, 0x2000));
    expect_in_sa(packet(kHost, remote, kProtoUdp, 8));
    expect_clear_out(packet(kHost, remote, 1, 8));
    expect_dropped_in(packet(remote, kHost, 1, 0), DropReason::kNotIpsec);
    expect_delivered_in(packet(remote, kHost, 1, 8), packet(remote, kHost, 1, 8));
}

// ICMP messages as selectors (RFC 4301 §4.4.1.1; IOS `permit icmp A B echo`): echoes leave in
// the SA, echo replies in clear, and a later ICMP fragment (no type to read) goes with the
// permit line as for ports. Inbound, the same message type holds (§4.4.1.3): an echo in clear
// from the remote site is refused (not_ipsec) while an echo reply in clear passes; through the
// SA an echo arrives and an echo reply is outside the SA's selector (inner_policy_mismatch).
TEST_F(Reconfigure, IcmpLinesSelectByMessageTypeBothWays) {
    load_acl("access-list 101 permit icmp 198.18.1.0 0.0.0.255 198.18.2.0 0.0.0.255 echo\n");
    const auto icmp = [](uint32_t src, uint32_t dst, uint8_t type, uint16_t frag_field) {
        return ip_packet(src, dst, kProtoIcmp, frag_field, type);
    };
    const uint32_t remote = net_addr(2, 10);
    expect_in_sa(icmp(kHost, remote, 8, 0));
    expect_in_sa(icmp(kHost, remote, 0, 8));
    expect_clear_out(icmp(kHost, remote, 0, 0));
    expect_dropped_in(icmp(remote, kHost, 8, 0), DropReason::kNotIpsec);
    expect_delivered_in(icmp(remote, kHost, 0, 0), icmp(remote, kHost, 0, 0));
    expect_delivered_in(icmp(remote, kHost, 8, 0), seal_tunnel_esp(icmp(remote, kHost, 8, 0), 1));
    expect_dropped_in(seal_tunnel_esp(icmp(remote, kHost, 0, 0), 2),
                      DropReason::kInnerPolicyMismatch);
}

// The SPD reads the 4 bytes behind the IP header of TCP, UDP and ICMP (ports, type and code).
// A packet cut shorter cannot be classified: dropped as malformed (received in clear) or
// inner_malformed (out of the tunnel), not matched on whatever bytes followed it in the buffer.
// Protocols without selectors, and later fragments, need no such bytes and pass.
TEST_F(Reconfigure, HeadersTooShortForThePolicyAreMalformed) {
    load_acl("access-list 101 permit udp 198.18.1.0 0.0.0.255 198.18.2.0 0.0.0.255 eq 53\n");
    const uint32_t remote = net_addr(2, 10);
    const auto cut = [&](uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4_len) {
        Bytes ip = ipv4(src, dst, 47, l4_len);  // ipv4() writes a UDP header of 8 bytes
        ip[9] = proto;
        set_ipv4_checksum(ip.data());
        return ip;
    };
    for (uint8_t proto : {kProtoTcp, kProtoUdp, kProtoIcmp}) {
        SCOPED_TRACE(int{proto});
        const uint64_t malformed = drops(DropReason::kMalformed);
        EXPECT_EQ(total(exchange(1, inside_frame(cut(kHost, remote, proto, 3)))), 0u);
        EXPECT_EQ(drops(DropReason::kMalformed), malformed + 1);
    }
    // Enough for the selectors: a 4-byte UDP "header" to port 53 is classified (in the SA).
    Bytes four = cut(kHost, remote, kProtoUdp, 4);
    store_be16(&four[22], 53);
    set_ipv4_checksum(four.data());
    auto out = exchange(1, inside_frame(four));
    ASSERT_EQ(out[0].size(), 1u);
    EXPECT_TRUE(open_tunnel_esp(out[0][0]).has_value());
    // No selectors to read: GRE with 2 bytes, and a later UDP fragment of 2 bytes, go in clear.
    Bytes later = cut(kHost, remote, kProtoUdp, 2);
    store_be16(&later[6], 8);
    set_ipv4_checksum(later.data());
    for (const Bytes& ip : {cut(kHost, remote, 47, 2), later}) {
        out = exchange(1, inside_frame(ip));
        ASSERT_EQ(out[0].size(), 1u) << int{ip[9]};
    }
    // From the tunnel: a UDP packet of 3 bytes, authenticated but unclassifiable.
    const uint64_t inner = drops(DropReason::kInnerMalformed);
    EXPECT_EQ(total(exchange(0, outside_in(seal_tunnel_esp(cut(remote, kHost, kProtoUdp, 3), 1)))),
              0u);
    EXPECT_EQ(drops(DropReason::kInnerMalformed), inner + 1);
}

// An SA whose selector claims a prefix longer than its address (here /40 for IPv4) is refused
// with a reason, not compiled into a mask by a negative shift (which the garbling below found);
// the SAs already installed stay.
TEST_F(Reconfigure, SaSelectorPrefixOutOfRangeIsRefused) {
    load(config(port_ids_, -1, 0));
    std::vector<wire::Msg> msgs = control::to_messages(current(), 2, true);
    size_t bad = 0;
    for (wire::Msg& m : msgs) {
        m.hdr.generation = 2;
        if (m.hdr.type == wire::MsgType::kSaAdd && bad++ == 0) m.body.sa.selector.dst_prefix = 40;
    }
    ASSERT_EQ(bad, 2u);
    const auto ack = send_all(msgs);
    ASSERT_TRUE(ack.has_value());
    EXPECT_EQ(ack->status, 1u);
    EXPECT_NE(std::string(ack->error).find("/40: prefix length out of range"), std::string::npos)
        << ack->error;
    EXPECT_EQ(outbound_path_mtu().first, 1500) << "the outbound SA is gone";
}

// A control process with a bug (or a corrupted ring slot) must not crash the dataplane or leave
// it half-configured: transactions of real configuration messages with random bytes changed,
// random message types and whole random bodies (valid headers) are answered, refused or applied;
// frames keep flowing through whatever was applied, and a valid configuration applied afterwards
// serves as before. Under the sanitize suite, no invalid access or undefined behaviour either.
// ESPGW_HOSTILE_SEED picks another random sequence.
TEST_F(Reconfigure, GarbledCommandsAreRefusedOrAppliedNeverCrash) {
    const std::string good = config(port_ids_, 2, 5);
    load(good);
    const std::vector<wire::Msg> base = control::to_messages(current(), 1, true);
    static constexpr wire::MsgType kTypes[] = {
        wire::MsgType::kInterface,       wire::MsgType::kGlobals,
        wire::MsgType::kSaAdd,           wire::MsgType::kSaDelete,
        wire::MsgType::kSpdRules,        wire::MsgType::kRouteAdd,
        wire::MsgType::kRouteDelete,     wire::MsgType::kNeighborAdd,
        wire::MsgType::kNeighborDelete,  wire::MsgType::kSaExpire,
        wire::MsgType::kInterfaceDelete, wire::MsgType::kSendPacket,
        wire::MsgType::kCaptureQuery};
    const char* seed = std::getenv("ESPGW_HOSTILE_SEED");  // as hostile_frames_test.cc
    std::mt19937_64 rng(seed != nullptr ? std::strtoull(seed, nullptr, 0) : 20261124u);
    const auto pick = [&](size_t n) {
        return std::uniform_int_distribution<size_t>(0, n - 1)(rng);
    };
    uint64_t generation = 1, acked = 0, refused = 0;
    for (int round = 0; round < 400; ++round) {
        ++generation;
        std::vector<wire::Msg> txn;
        for (const wire::Msg& m : base) {
            if (m.hdr.type == wire::MsgType::kConfigBegin ||
                m.hdr.type == wire::MsgType::kConfigCommit)
                continue;
            if (pick(3) != 0) continue;  // a third of the configuration's messages
            wire::Msg g = m;
            const size_t len = std::max<size_t>(g.hdr.body_len, 1);
            for (size_t k = pick(4) + 1; k > 0; --k)
                g.body.raw[pick(len)] = static_cast<uint8_t>(pick(256));
            if (pick(8) == 0) g.hdr.type = kTypes[pick(std::size(kTypes))];
            txn.push_back(g);
        }
        for (size_t k = pick(3); k > 0; --k) {  // whole random bodies
            wire::Msg g{};
            wire::set_header<wire::Sa>(g, kTypes[pick(std::size(kTypes))], generation);
            for (size_t b = 0; b < sizeof(wire::Sa); ++b)
                g.body.raw[b] = static_cast<uint8_t>(pick(256));
            txn.insert(txn.begin() + long(pick(txn.size() + 1)), g);
        }
        wire::Msg begin{};
        wire::set_header<wire::ConfigBegin>(begin, wire::MsgType::kConfigBegin, generation);
        begin.body.begin.full = pick(2);
        wire::Msg commit{};
        wire::set_header<wire::Commit>(commit, wire::MsgType::kConfigCommit, generation);
        commit.body.commit.generation = generation;
        for (wire::Msg& m : txn)
            m.hdr.generation = generation;
        txn.insert(txn.begin(), begin);
        txn.push_back(commit);
        const auto a = send_all(txn);
        acked += a.has_value() ? 1 : 0;
        refused += a.has_value() && a->status != 0 ? 1 : 0;
        // Traffic through whatever is in force now: nothing may crash or leak.
        exchange(2, arp_to(5));
        exchange(1, inside_to(5));
        exchange(0, echo_to(0, 0));
    }
    // Every transaction is answered; the garbling reaches validation (e.g. "route 0.0.0.0/170:
    // not an IPv4 route", "replay window 4261413888 out of range") and some still apply.
    EXPECT_EQ(acked, 400u) << "transactions left unanswered";
    EXPECT_GT(refused, 50u);
    EXPECT_GT(acked - refused, 50u);
    // A valid full configuration still applies, and the gateway serves as before.
    ++generation;
    const auto ack =
        send_all(control::to_messages(control::test::compile_clean(good), generation, true));
    ASSERT_TRUE(ack.has_value());
    EXPECT_EQ(ack->generation, generation);
    EXPECT_EQ(ack->status, 0u) << ack->error;
    expect_serving(2, 5);
}

}  // namespace
}  // namespace espgw::dataplane
