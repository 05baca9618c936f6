// espgw-esp-pcap: runs the ESP engine between two pcap files through real DPDK ports
// (net_pcap vdevs). It is the engine's demonstration and the harness of the cross-implementation
// tests (scapy, tshark): each case of a JSON batch reads one capture, encapsulates or
// decapsulates every packet with the given SAs and writes the result, then reports counters.
//
//   espgw-esp-pcap [EAL args --] --batch cases.json
//
// A case: {"dir": "encap"|"decap", "in": "a.pcap", "out": "b.pcap", "backend": "ipsec-mb"|
// "openssl", "sas": [SA...], "iv": ["hex", ...]}. Encap uses the first SA for every packet.
// An SA: {"spi", "mode": "tunnel"|"transport", "cipher", "integrity", "cipher_key",
// "auth_key", "local", "peer", "udp_encap", "esn", "replay_window", "df", "copy_dscp", "ttl",
// "seq" (outbound: last sequence number used), "replay_top" (inbound: highest number already
// received), "lifetime": {...}}.
#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/mb_manager.h"
#include "dataplane/drop_collect.h"
#include "dataplane/eal_setup.h"
#include "dataplane/esp_decap.h"
#include "dataplane/esp_encap.h"
#include "dataplane/esp_parse.h"
#include "sadb/spi_index.h"

namespace espgw::dataplane {
namespace {

using nlohmann::json;

constexpr uint16_t kEthLen = 14;

std::vector<uint8_t> from_hex(const std::string& hex) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
    return out;
}

sadb::IpAddr addr(const json& j, const char* key) {
    if (!j.contains(key)) return {};
    auto a = sadb::IpAddr::parse(j.at(key).get<std::string>());
    if (!a) throw std::runtime_error(std::string("bad address in ") + key);
    return *a;
}

template <typename T>
T enum_of(const json& j, const char* key, std::initializer_list<std::pair<const char*, T>> map,
          T dflt) {
    if (!j.contains(key)) return dflt;
    const std::string v = j.at(key).get<std::string>();
    for (const auto& [name, value] : map)
        if (v == name) return value;
    throw std::runtime_error(std::string("bad value for ") + key + ": " + v);
}

sadb::Lifetime lifetime_of(const json& j) {
    sadb::Lifetime l;
    if (!j.is_object()) return l;
    l.soft_bytes = j.value("soft_bytes", uint64_t{0});
    l.hard_bytes = j.value("hard_bytes", uint64_t{0});
    l.soft_packets = j.value("soft_packets", uint64_t{0});
    l.hard_packets = j.value("hard_packets", uint64_t{0});
    return l;
}

sadb::SaConfig sa_config(const json& j, sadb::Direction dir) {
    using namespace sadb;
    SaConfig c;
    c.spi = j.at("spi").get<uint32_t>();
    c.direction = dir;
    c.mode = enum_of(j, "mode", {{"tunnel", Mode::kTunnel}, {"transport", Mode::kTransport}},
                     Mode::kTunnel);
    auto cipher = crypto::cipher_from_name(j.at("cipher").get<std::string>());
    auto integ = crypto::integrity_from_name(j.value("integrity", std::string("none")));
    if (!cipher || !integ) throw std::runtime_error("unknown cipher or integrity name");
    c.cipher = *cipher;
    c.integrity = *integ;
    c.cipher_key.assign(from_hex(j.value("cipher_key", std::string())));
    c.auth_key.assign(from_hex(j.value("auth_key", std::string())));
    c.local = addr(j, "local");
    c.peer = addr(j, "peer");
    c.udp_encap.enabled = j.value("udp_encap", false);
    c.udp_encap.local_port = j.value("udp_sport", uint16_t{4500});
    c.udp_encap.peer_port = j.value("udp_dport", uint16_t{4500});
    c.esn = j.value("esn", false);
    c.replay_window = j.value("replay_window", uint32_t{1024});
    c.df = enum_of(j, "df",
                   {{"copy", DfMode::kCopy}, {"set", DfMode::kSet}, {"clear", DfMode::kClear}},
                   DfMode::kCopy);
    c.copy_dscp = j.value("copy_dscp", true);
    c.ttl = j.value("ttl", uint8_t{64});
    c.lifetime = lifetime_of(j.value("lifetime", json()));
    c.conn_id = j.value("conn_id", uint32_t{1});
    return c;
}

class PcapPort {
  public:
    PcapPort(const std::string& name, const std::string& in, const std::string& out,
             rte_mempool* pool) {
        const std::string args = "rx_pcap=" + in + ",tx_pcap=" + out;
        if (rte_vdev_init(name.c_str(), args.c_str()) != 0 ||
            rte_eth_dev_get_port_by_name(name.c_str(), &port_) != 0)
            throw std::runtime_error("cannot create " + name + " (" + args + ")");
        name_ = name;
        rte_eth_conf conf{};
        if (rte_eth_dev_configure(port_, 1, 1, &conf) != 0 ||
            rte_eth_rx_queue_setup(port_, 0, 512, rte_socket_id(), nullptr, pool) != 0 ||
            rte_eth_tx_queue_setup(port_, 0, 512, rte_socket_id(), nullptr) != 0 ||
            rte_eth_dev_start(port_) != 0)
            throw std::runtime_error("cannot start " + name);
    }
    ~PcapPort() {
        rte_eth_dev_stop(port_);
        rte_eth_dev_close(port_);  // flushes the tx pcap
        rte_vdev_uninit(name_.c_str());
    }
    uint16_t id() const { return port_; }

  private:
    std::string name_;
    uint16_t port_ = 0;
};

struct SaSet {
    std::vector<sadb::SaRuntimePtr> sas;
    std::unique_ptr<sadb::SpiIndex> index;
};

SaSet build_sas(const json& c, sadb::Direction dir, crypto::MbManager& mgr, int case_no) {
    SaSet set;
    set.index = std::make_unique<sadb::SpiIndex>("spi" + std::to_string(case_no), 1024,
                                                 static_cast<int>(rte_socket_id()));
    for (const json& j : c.at("sas")) {
        std::string error;
        auto sa = sadb::build_sa_runtime(sa_config(j, dir), mgr.get(), &error);
        if (!sa) throw std::runtime_error("SA " + j.at("spi").dump() + ": " + error);
        sa->seq = j.value("seq", uint64_t{0});
        // Inbound: start as if this number had been received, so a test can reach the ESN
        // 2^32 boundary (RFC 4303 Appendix A) without sending four billion packets first.
        if (dir == sadb::Direction::kInbound && j.contains("replay_top"))
            sa->replay.accept(j.at("replay_top").get<uint64_t>());
        if (dir == sadb::Direction::kInbound) set.index->add(sa->spi, sa.get());
        set.sas.push_back(std::move(sa));
    }
    return set;
}

// Removes the Ethernet header (and one 802.1Q tag), keeping a copy to put back.
bool strip_l2(rte_mbuf* m, uint8_t* saved, uint16_t* saved_len) {
    const uint8_t* p = rte_pktmbuf_mtod(m, const uint8_t*);
    uint16_t len = kEthLen;
    if (m->data_len >= 18 && p[12] == 0x81 && p[13] == 0x00) len = 18;
    if (m->data_len < len) return false;
    std::memcpy(saved, p, len);
    *saved_len = len;
    rte_pktmbuf_adj(m, len);
    return true;
}

void restore_l2(rte_mbuf* m, const uint8_t* saved, uint16_t len) {
    auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_prepend(m, len));
    std::memcpy(p, saved, len);
    const uint8_t ver = p[len] >> 4;
    p[len - 2] = ver == 6 ? 0x86 : 0x08;
    p[len - 1] = ver == 6 ? 0xdd : 0x00;
}

json drops_json(const sadb::DropCounters& d) {
    json out = json::object();
    for (const auto& info : sadb::kDropReasons)
        if (d.count[static_cast<size_t>(info.reason)] != 0)
            out[std::string(info.label)] = d.count[static_cast<size_t>(info.reason)];
    return out;
}

json sa_json(const sadb::SaRuntime& s) {
    const sadb::SaCounters& c = *s.counters;
    json drops = json::object();
    for (const auto& info : sadb::kDropReasons)
        if (c.drops[static_cast<size_t>(info.reason)] != 0)
            drops[std::string(info.label)] = c.drops[static_cast<size_t>(info.reason)];
    const bool ciphered = s.crypto->cipher != crypto::Cipher::kNull;
    return {{"spi", s.spi},
            {"packets", c.packets},
            {"crypt_packets", ciphered ? c.packets : 0},
            {"auth_packets", s.icv_len != 0 ? c.packets : 0},
            {"bytes", c.bytes},
            {"errors", c.errors},
            {"seq", s.seq},
            {"replay_top", s.replay.top()},
            {"drops", drops}};
}

json events_json(const sadb::SaEventQueue& q) {
    static constexpr const char* kNames[] = {"soft_lifetime", "hard_lifetime", "seq_exhausted"};
    json out = json::array();
    for (uint32_t k = 0; k < q.size(); ++k)
        out.push_back({{"type", kNames[static_cast<int>(q[k].type)]}, {"spi", q[k].spi}});
    return out;
}

struct Totals {
    uint64_t rx = 0, tx = 0;
};

void process_burst(EspContext& ctx, EspBurst& b, bool encap, sadb::SaRuntime* out_sa) {
    if (encap) {
        for (uint16_t k = 0; k < b.n; ++k)
            b.sa[k] = out_sa;
        esp_encap(ctx, b);
    } else {
        esp_parse(ctx, b);
        esp_decap(ctx, b);
    }
}

Totals run_port(EspContext& ctx, uint16_t port, bool encap, sadb::SaRuntime* out_sa,
                std::vector<std::vector<uint8_t>>& ivs) {
    Totals t;
    EspBurst b;
    uint8_t l2[kMaxBurst][18];
    uint16_t l2_len[kMaxBurst];
    const uint8_t* iv_ptrs[kMaxBurst];
    for (int idle = 0; idle < 3;) {
        const uint16_t n = rte_eth_rx_burst(port, 0, b.pkts, kMaxBurst);
        if (n == 0) {
            ++idle;
            continue;
        }
        b.reset(n);
        for (uint16_t k = 0; k < n; ++k) {
            if (!strip_l2(b.pkts[k], l2[k], &l2_len[k]))
                mark_drop(b, k, sadb::DropReason::kMalformed);
            iv_ptrs[k] = t.rx + k < ivs.size() ? ivs[t.rx + k].data() : nullptr;
        }
        ctx.iv_override = ivs.empty() ? nullptr : iv_ptrs;
        t.rx += n;
        process_burst(ctx, b, encap, out_sa);
        // Put the L2 header back on survivors before compaction reorders them.
        for (uint16_t k = 0; k < b.n; ++k)
            if (b.drop[k] == sadb::DropReason::kNone) restore_l2(b.pkts[k], l2[k], l2_len[k]);
        collect_drops(b, ctx.drops);
        const uint16_t sent = rte_eth_tx_burst(port, 0, b.pkts, b.n);
        if (sent < b.n) rte_pktmbuf_free_bulk(b.pkts + sent, b.n - sent);
        t.tx += sent;
    }
    return t;
}

json run_case(const json& c, int case_no, rte_mempool* pool, crypto::MbManager& mgr) {
    const bool encap = c.at("dir").get<std::string>() == "encap";
    const auto dir = encap ? sadb::Direction::kOutbound : sadb::Direction::kInbound;
    const std::string backend = c.value("backend", std::string("ipsec-mb"));
    const auto kind = crypto::backend_from_name(backend);
    if (!kind) throw std::runtime_error("bad value for backend: " + backend);
    SaSet sas = build_sas(c, dir, mgr, case_no);
    auto ctx = std::make_unique<EspContext>(*kind, mgr);
    ctx->spi_index = sas.index.get();
    std::vector<std::vector<uint8_t>> ivs;
    for (const json& iv : c.value("iv", json::array()))
        ivs.push_back(from_hex(iv));
    Totals t;
    {
        PcapPort port("net_pcap_c" + std::to_string(case_no), c.at("in"), c.at("out"), pool);
        t = run_port(*ctx, port.id(), encap, sas.sas.front().get(), ivs);
    }
    json sa_list = json::array();
    for (const auto& s : sas.sas)
        sa_list.push_back(sa_json(*s));
    return {{"case", case_no},
            {"rx", t.rx},
            {"tx", t.tx},
            {"drops", drops_json(ctx->drops)},
            {"sas", sa_list},
            {"events", events_json(ctx->events)},
            {"mbufs_in_use", rte_mempool_in_use_count(pool)}};
}

int run(int argc, char** argv) {
    std::vector<std::string> eal;
    int rest = 1;
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]) == "--") rest = i + 1;
    if (rest > 1) {
        eal.assign(argv, argv + rest - 1);
    } else {
        eal = default_eal_args(argv[0], 512);
    }
    std::string batch;
    for (int i = rest; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--batch") batch = argv[i + 1];
    if (batch.empty()) {
        std::fprintf(stderr, "usage: espgw-esp-pcap [EAL args --] --batch cases.json\n");
        return 2;
    }
    std::string error;
    if (!init_eal(eal, &error)) {
        std::fprintf(stderr, "espgw-esp-pcap: %s\n", error.c_str());
        return 1;
    }
    rte_mempool* pool = rte_pktmbuf_pool_create("esp_pcap", 4095, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                                rte_socket_id());
    crypto::MbManager mgr;
    std::fprintf(stderr, "espgw-esp-pcap: intel-ipsec-mb %s manager\n", mgr.arch_name().data());
    json cases = json::parse(std::ifstream(batch));
    json results = json::array();
    int no = 0;
    for (const json& c : cases)
        results.push_back(run_case(c, no++, pool, mgr));
    std::printf("%s\n", results.dump(1).c_str());
    rte_mempool_free(pool);
    rte_eal_cleanup();
    return 0;
}

}  // namespace
}  // namespace espgw::dataplane

int main(int argc, char** argv) {
    try {
        return espgw::dataplane::run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "espgw-esp-pcap: %s\n", e.what());
        return 1;
    }
}
