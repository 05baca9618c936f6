// The intel-ipsec-mb and OpenSSL backends are independent implementations of the same suite
// table: given the same SA and the same IVs they must emit the same ESP packets byte for byte,
// and each must decapsulate what the other produced.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "crypto/mb_manager.h"
#include "dataplane/drop_collect.h"
#include "dataplane/esp_decap.h"
#include "dataplane/esp_encap.h"
#include "dataplane/esp_parse.h"
#include "dataplane/ip_header.h"
#include "sadb/spi_index.h"
#include "tests/unit/burst_bytes.h"

namespace espgw::dataplane {
namespace {

using crypto::BackendKind;
using test_util::Bytes;

struct Variant {
    const char* name;
    sadb::Mode mode;
    bool udp;
    bool esn;
    const char* local;
    const char* peer;
};

constexpr Variant kVariants[] = {
    {"tunnel4", sadb::Mode::kTunnel, false, false, "192.0.2.1", "192.0.2.2"},
    {"tunnel6-natt-esn", sadb::Mode::kTunnel, true, true, "2001:db8::1", "2001:db8::2"},
    {"transport4-natt", sadb::Mode::kTransport, true, false, "198.18.0.1", "198.18.0.2"},
    {"transport4-esn", sadb::Mode::kTransport, false, true, "198.18.0.1", "198.18.0.2"},
};

Bytes random_bytes(std::mt19937& rng, size_t n) {
    Bytes b(n);
    for (auto& x : b)
        x = static_cast<uint8_t>(rng());
    return b;
}

// IPv4 or IPv6 packet with a random payload of `len` bytes.
Bytes random_packet(std::mt19937& rng, size_t len, bool v6) {
    Bytes p = random_bytes(rng, (v6 ? 40 : 20) + len);
    if (v6) {
        p[0] = 0x60;
        store_be16(&p[4], static_cast<uint16_t>(len));
        p[6] = 17;
    } else {
        p[0] = 0x45;
        store_be16(&p[2], static_cast<uint16_t>(p.size()));
        store_be16(&p[6], 0);
        p[9] = 17;
        set_ipv4_checksum(p.data());
    }
    return p;
}

class Equivalence : public ::testing::Test {
  protected:
    void SetUp() override {
        pool_ =
            rte_pktmbuf_pool_create("equiv", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
        ASSERT_NE(pool_, nullptr);
    }
    void TearDown() override {
        EXPECT_EQ(rte_mempool_in_use_count(pool_), 0u);
        rte_mempool_free(pool_);
    }

    sadb::SaRuntimePtr make_sa(const sadb::SaConfig& c) {
        std::string err;
        auto sa = sadb::build_sa_runtime(c, mgr_.get(), &err);
        EXPECT_TRUE(sa) << err;
        return sa;
    }

    std::vector<Bytes> run(BackendKind kind, sadb::SaRuntime* out_sa, sadb::SpiIndex* index,
                           const std::vector<Bytes>& in, const std::vector<Bytes>* ivs) {
        EspContext ctx(kind, mgr_);
        ctx.spi_index = index;
        EspBurst b;
        b.reset(static_cast<uint16_t>(in.size()));
        const uint8_t* iv_ptrs[kMaxBurst];
        for (size_t k = 0; k < in.size(); ++k) {
            b.pkts[k] = test_util::mbuf_from(pool_, in[k]);
            b.sa[k] = out_sa;
            if (ivs != nullptr) iv_ptrs[k] = (*ivs)[k].data();
        }
        ctx.iv_override = ivs != nullptr ? iv_ptrs : nullptr;
        if (out_sa != nullptr) {
            esp_encap(ctx, b);
        } else {
            esp_parse(ctx, b);
            esp_decap(ctx, b);
        }
        std::vector<Bytes> out = test_util::drain(b, ctx.drops);
        for (const auto& info : sadb::kDropReasons)
            if (ctx.drops.count[static_cast<size_t>(info.reason)] != 0)
                ADD_FAILURE() << "dropped " << ctx.drops.count[static_cast<size_t>(info.reason)]
                              << " as " << info.label;
        return out;
    }

    crypto::MbManager mgr_;
    rte_mempool* pool_ = nullptr;
};

sadb::SaConfig config(crypto::Cipher c, crypto::Integrity i, const Variant& v, std::mt19937& rng) {
    sadb::SaConfig cfg;
    cfg.spi = 0x100 + static_cast<uint32_t>(rng() % 100000);
    cfg.cipher = c;
    cfg.integrity = i;
    const auto& ci = crypto::cipher_info(c);
    cfg.cipher_key.assign(random_bytes(rng, ci.key_len + ci.salt_len));
    cfg.auth_key.assign(random_bytes(rng, crypto::integrity_info(i).key_len));
    cfg.mode = v.mode;
    cfg.udp_encap.enabled = v.udp;
    cfg.esn = v.esn;
    cfg.local = *sadb::IpAddr::parse(v.local);
    cfg.peer = *sadb::IpAddr::parse(v.peer);
    return cfg;
}

TEST_F(Equivalence, BackendsAgreeOnEveryByteForEverySuite) {
    std::mt19937 rng(7);
    int checked = 0;
    for (int ci = 0; ci < crypto::kNumCiphers; ++ci) {
        for (int ii = 0; ii < crypto::kNumIntegrity; ++ii) {
            const auto c = static_cast<crypto::Cipher>(ci);
            const auto i = static_cast<crypto::Integrity>(ii);
            if (!crypto::is_valid_suite(c, i)) continue;
            for (const Variant& v : kVariants) {
                SCOPED_TRACE(std::string(crypto::short_name(c)) + "+" +
                             std::string(crypto::short_name(i)) + " " + v.name);
                sadb::SaConfig cfg = config(c, i, v, rng);
                // Transport packets use the SA's IP version; tunnels carry both versions.
                std::vector<Bytes> in, ivs;
                for (size_t len : {1, 2, 3, 17, 64, 333, 1400}) {
                    const bool v6 = v.mode == sadb::Mode::kTransport ? false : len % 2 == 1;
                    in.push_back(random_packet(rng, len, v6));
                    ivs.push_back(random_bytes(rng, 16));
                }
                auto out_mb = make_sa(cfg);
                auto out_ossl = make_sa(cfg);
                // Start near the 2^32 boundary so ESN high bits are non-zero mid-burst.
                out_mb->seq = out_ossl->seq = v.esn ? 0xfffffffcull : 0;
                const auto esp_mb = run(BackendKind::kIpsecMb, out_mb.get(), nullptr, in, &ivs);
                const auto esp_ossl = run(BackendKind::kOpenSsl, out_ossl.get(), nullptr, in, &ivs);
                ASSERT_EQ(esp_mb.size(), in.size());
                EXPECT_TRUE(esp_mb == esp_ossl) << "backends emitted different ESP bytes";

                cfg.direction = sadb::Direction::kInbound;
                for (BackendKind kind : {BackendKind::kIpsecMb, BackendKind::kOpenSsl}) {
                    auto in_sa = make_sa(cfg);
                    // A receiver in step with the sender has seen earlier traffic: all packets
                    // of one burst are inferred against the window as it was before the burst.
                    if (v.esn) in_sa->replay.accept(0xfffffff0ull);
                    sadb::SpiIndex index("equiv_idx", 16, SOCKET_ID_ANY);
                    index.add(in_sa->spi, in_sa.get());
                    // Each backend decapsulates the other's output.
                    const auto& esp = kind == BackendKind::kIpsecMb ? esp_ossl : esp_mb;
                    const auto plain = run(kind, nullptr, &index, esp, nullptr);
                    EXPECT_TRUE(plain == in) << "decap by backend " << static_cast<int>(kind)
                                             << " returned " << plain.size() << " packets";
                }
                ++checked;
            }
        }
    }
    EXPECT_EQ(checked, 56 * 4);  // 56 valid suites x 4 variants
}

// Without pinned IVs, CBC IVs come from E_K(nonce): unpredictable and different per packet,
// and the peer still decrypts them.
TEST_F(Equivalence, GeneratedCbcIvsDifferPerPacketAndDecrypt) {
    std::mt19937 rng(9);
    sadb::SaConfig cfg =
        config(crypto::Cipher::kAes128Cbc, crypto::Integrity::kHmacSha1_96, kVariants[0], rng);
    auto out = make_sa(cfg);
    std::vector<Bytes> in(8, random_packet(rng, 100, false));
    const auto esp = run(BackendKind::kIpsecMb, out.get(), nullptr, in, nullptr);
    ASSERT_EQ(esp.size(), in.size());
    for (size_t a = 0; a < esp.size(); ++a)
        for (size_t b = a + 1; b < esp.size(); ++b)
            EXPECT_FALSE(std::equal(esp[a].begin() + 28, esp[a].begin() + 44, esp[b].begin() + 28));
    cfg.direction = sadb::Direction::kInbound;
    auto in_sa = make_sa(cfg);
    sadb::SpiIndex index("equiv_cbc", 16, SOCKET_ID_ANY);
    index.add(in_sa->spi, in_sa.get());
    EXPECT_TRUE(run(BackendKind::kOpenSsl, nullptr, &index, esp, nullptr) == in);
}

// The names of --backend (espgw-dataplane) and "backend" (espgw-esp-pcap): exact, nothing else.
TEST(BackendName, OnlyTheTwoNamesAreAccepted) {
    EXPECT_EQ(crypto::backend_from_name("ipsec-mb"), crypto::BackendKind::kIpsecMb);
    EXPECT_EQ(crypto::backend_from_name("openssl"), crypto::BackendKind::kOpenSsl);
    for (const char* bad : {"", "OpenSSL", "ipsecmb", "ipsec-mb ", "opensll", "aesni"})
        EXPECT_FALSE(crypto::backend_from_name(bad).has_value()) << '"' << bad << '"';
}

}  // namespace
}  // namespace espgw::dataplane
