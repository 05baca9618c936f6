// The engine's test bench: outbound SAs with inbound twins in an SPI index, one mbuf pool, one
// EspContext, and the stages run over byte vectors. Shared by the drop, replay-order, lifetime
// and chained-mbuf tests.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "crypto/mb_manager.h"
#include "dataplane/drop_collect.h"
#include "dataplane/esp_decap.h"
#include "dataplane/esp_encap.h"
#include "dataplane/esp_parse.h"
#include "dataplane/ip_header.h"
#include "sadb/spi_index.h"
#include "tests/unit/burst_bytes.h"

namespace espgw::dataplane::esp_test {

using test_util::Bytes;

constexpr uint32_t kSpi = 0x1001;
constexpr uint32_t kBystanderSpi = 0x2002;

inline Bytes ipv4_udp(uint16_t payload_len, uint16_t sport = 1000, uint16_t dport = 2000,
                      uint32_t src = 0xc6120a0a, uint32_t dst = 0xc6120b0a) {
    Bytes p(28 + payload_len, 0);
    p[0] = 0x45;
    store_be16(&p[2], static_cast<uint16_t>(p.size()));
    p[8] = 64;
    p[9] = kProtoUdp;
    store_be32(&p[12], src);
    store_be32(&p[16], dst);
    store_be16(&p[20], sport);
    store_be16(&p[22], dport);
    store_be16(&p[24], static_cast<uint16_t>(8 + payload_len));
    for (uint16_t i = 0; i < payload_len; ++i)
        p[28 + i] = static_cast<uint8_t>(i);
    set_ipv4_checksum(p.data());
    return p;
}

struct SaSpec {
    crypto::Cipher cipher = crypto::Cipher::kAes128Gcm;
    crypto::Integrity integrity = crypto::Integrity::kNone;
    uint32_t spi = kSpi;
    bool udp = false;
    uint32_t window = 1024;
    sadb::Lifetime lifetime{};
    bool esn = false;
};

inline Bytes key_bytes(size_t n, uint8_t seed) {
    Bytes k(n);
    for (size_t i = 0; i < n; ++i)
        k[i] = static_cast<uint8_t>(seed + i);
    return k;
}

class Env {
  public:
    explicit Env(crypto::BackendKind backend = crypto::BackendKind::kIpsecMb) {
        pool_ = rte_pktmbuf_pool_create(("drops" + std::to_string(counter_)).c_str(), 511, 0, 0,
                                        RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
        index_ = std::make_unique<sadb::SpiIndex>("drops_idx" + std::to_string(counter_++), 64,
                                                  SOCKET_ID_ANY);
        ctx_ = std::make_unique<EspContext>(backend, mgr_);
        ctx_->spi_index = index_.get();
    }
    ~Env() {
        out_sas_.clear();
        in_sas_.clear();
        rte_mempool_free(pool_);
    }

    // An outbound SA and its inbound twin (same keys and SPI), registered in the SPI index.
    sadb::SaRuntime* add_pair(const SaSpec& s, sadb::SaRuntime** in = nullptr) {
        const auto& ci = crypto::cipher_info(s.cipher);
        const auto& ii = crypto::integrity_info(s.integrity);
        sadb::SaConfig c;
        c.spi = s.spi;
        c.cipher = s.cipher;
        c.integrity = s.integrity;
        c.cipher_key.assign(key_bytes(ci.key_len + ci.salt_len, 0x10));
        c.auth_key.assign(key_bytes(ii.key_len, 0x40));
        c.local = *sadb::IpAddr::parse("192.0.2.1");
        c.peer = *sadb::IpAddr::parse("192.0.2.2");
        c.udp_encap.enabled = s.udp;
        c.replay_window = s.window;
        c.lifetime = s.lifetime;
        c.esn = s.esn;
        std::string err;
        auto out = sadb::build_sa_runtime(c, mgr_.get(), &err);
        c.direction = sadb::Direction::kInbound;
        auto inb = sadb::build_sa_runtime(c, mgr_.get(), &err);
        EXPECT_TRUE(out && inb) << err;
        index_->add(s.spi, inb.get());
        if (in != nullptr) *in = inb.get();
        out_sas_.push_back(std::move(out));
        in_sas_.push_back(std::move(inb));
        return out_sas_.back().get();
    }

    rte_mbuf* mbuf(const Bytes& b) { return test_util::mbuf_from(pool_, b); }

    // Runs a stage function over packets; returns survivors' bytes; frees everything.
    std::vector<Bytes> run(std::vector<rte_mbuf*> pkts, sadb::SaRuntime* sa,
                           const std::function<void(EspContext&, EspBurst&)>& stage) {
        EspBurst b;
        b.reset(static_cast<uint16_t>(pkts.size()));
        for (size_t k = 0; k < pkts.size(); ++k) {
            b.pkts[k] = pkts[k];
            b.sa[k] = sa;
        }
        stage(*ctx_, b);
        return test_util::drain(b, ctx_->drops);
    }

    std::vector<Bytes> encap(sadb::SaRuntime* sa, const std::vector<Bytes>& inner) {
        std::vector<rte_mbuf*> ms;
        for (const Bytes& b : inner)
            ms.push_back(mbuf(b));
        return encap_mbufs(sa, ms);
    }
    std::vector<Bytes> encap_mbufs(sadb::SaRuntime* sa, std::vector<rte_mbuf*> ms) {
        return run(std::move(ms), sa, [](EspContext& c, EspBurst& b) { esp_encap(c, b); });
    }
    std::vector<Bytes> decap(const std::vector<Bytes>& esp) {
        std::vector<rte_mbuf*> ms;
        for (const Bytes& b : esp)
            ms.push_back(mbuf(b));
        return decap_mbufs(std::move(ms));
    }
    std::vector<Bytes> decap_mbufs(std::vector<rte_mbuf*> ms) {
        return run(std::move(ms), nullptr, [](EspContext& c, EspBurst& b) {
            esp_parse(c, b);
            esp_decap(c, b);
        });
    }

    rte_mempool* pool() { return pool_; }
    EspContext& ctx() { return *ctx_; }
    crypto::MbManager& mgr() { return mgr_; }
    const std::vector<sadb::SaRuntimePtr>& all_out() const { return out_sas_; }
    const std::vector<sadb::SaRuntimePtr>& all_in() const { return in_sas_; }

  private:
    static inline int counter_ = 0;
    crypto::MbManager mgr_;
    rte_mempool* pool_;
    std::unique_ptr<sadb::SpiIndex> index_;
    std::unique_ptr<EspContext> ctx_;
    std::vector<sadb::SaRuntimePtr> out_sas_, in_sas_;
};

inline void fix_outer_checksum(Bytes& p) {
    set_ipv4_checksum(p.data());
}

// Outer IPv4 (20) + ESP header (8) + 8-byte IV: where a CTR/GCM ciphertext starts.
constexpr size_t kCtOff = 36;

// Asserts that only `reason` moved (n times), globally and on the SA that owns it (none when the
// packet was dropped before its SA was known: `sa_known` false).
inline void expect_only(Env& env, sadb::DropReason reason, uint64_t n, bool sa_known = true) {
    for (const auto& info : sadb::kDropReasons) {
        const uint64_t want = info.reason == reason ? n : 0;
        EXPECT_EQ(env.ctx().drops.count[static_cast<size_t>(info.reason)], want) << info.label;
    }
    uint64_t per_sa = 0;
    for (const auto* list : {&env.all_out(), &env.all_in()})
        for (const auto& sa : *list)
            for (const auto& info : sadb::kDropReasons) {
                const uint64_t c = sa->counters->drops[static_cast<size_t>(info.reason)];
                if (info.reason != reason) {
                    EXPECT_EQ(c, 0u) << info.label;
                }
                per_sa += c;
            }
    EXPECT_EQ(per_sa, sa_known && sadb::drop_reason_info(reason).per_sa ? n : 0);
    EXPECT_EQ(rte_mempool_in_use_count(env.pool()), 0u) << "mbuf leak";
}

}  // namespace espgw::dataplane::esp_test
