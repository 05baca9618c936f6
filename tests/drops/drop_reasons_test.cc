// Every engine drop reason of sadb/drop_reason.def is triggered here by a real packet (pipeline
// reasons are triggered by the gateway's black-box tests), and each trigger
// moves exactly its own counter (globally and, for per-SA reasons, on the SA), leaves a
// bystander packet of another tunnel in the same burst untouched, and returns every mbuf to the
// pool.
#include <gtest/gtest.h>

#include <functional>
#include <set>
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

using test_util::Bytes;
using sadb::DropReason;

constexpr uint32_t kSpi = 0x1001;
constexpr uint32_t kBystanderSpi = 0x2002;

Bytes ipv4_udp(uint16_t payload_len, uint16_t sport = 1000, uint16_t dport = 2000,
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
    for (uint16_t i = 0; i < payload_len; ++i) p[28 + i] = static_cast<uint8_t>(i);
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
};

Bytes key_bytes(size_t n, uint8_t seed) {
    Bytes k(n);
    for (size_t i = 0; i < n; ++i) k[i] = static_cast<uint8_t>(seed + i);
    return k;
}

class Env {
public:
    Env() {
        pool_ = rte_pktmbuf_pool_create(("drops" + std::to_string(counter_)).c_str(), 511, 0, 0,
                                        RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
        index_ = std::make_unique<sadb::SpiIndex>("drops_idx" + std::to_string(counter_++), 64,
                                                  SOCKET_ID_ANY);
        ctx_ = std::make_unique<EspContext>(crypto::BackendKind::kIpsecMb, mgr_);
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
        for (const Bytes& b : inner) ms.push_back(mbuf(b));
        return encap_mbufs(sa, ms);
    }
    std::vector<Bytes> encap_mbufs(sadb::SaRuntime* sa, std::vector<rte_mbuf*> ms) {
        return run(std::move(ms), sa, [](EspContext& c, EspBurst& b) { esp_encap(c, b); });
    }
    std::vector<Bytes> decap(const std::vector<Bytes>& esp) {
        std::vector<rte_mbuf*> ms;
        for (const Bytes& b : esp) ms.push_back(mbuf(b));
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

void fix_outer_checksum(Bytes& p) { set_ipv4_checksum(p.data()); }

// Outer IPv4 (20) + ESP header (8) + 8-byte IV: where a CTR/GCM ciphertext starts.
constexpr size_t kCtOff = 36;

// A valid ESP packet of the bystander tunnel, to ride along in every decap burst.
Bytes bystander(Env& env) {
    sadb::SaRuntime* out = env.add_pair({.spi = kBystanderSpi});
    return env.encap(out, {ipv4_udp(100)}).at(0);
}

// Asserts that only `reason` moved (n times), globally and on the SA that owns it.
void expect_only(Env& env, DropReason reason, uint64_t n) {
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
    EXPECT_EQ(per_sa, sadb::drop_reason_info(reason).per_sa ? n : 0);
    EXPECT_EQ(rte_mempool_in_use_count(env.pool()), 0u) << "mbuf leak";
}

// Decapsulates `bad` together with a bystander packet; the bystander must come out intact.
void decap_with_bystander(Env& env, const std::vector<Bytes>& bad) {
    const Bytes ok = bystander(env);
    std::vector<Bytes> burst = bad;
    burst.insert(burst.begin() + static_cast<long>(burst.size() / 2), ok);
    const auto out = env.decap(burst);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], ipv4_udp(100));
}

// CTR without integrity: a ciphertext bit flip flips the same plaintext bit, so the trailer
// and the inner packet can be corrupted precisely. Inner length 29 gives one padding byte.
Bytes ctr_packet_with_flip(Env& env, size_t from_end, uint8_t mask, size_t from_start = 0) {
    sadb::SaRuntime* out = env.add_pair({.cipher = crypto::Cipher::kAes128Ctr});
    Bytes esp = env.encap(out, {ipv4_udp(1)}).at(0);
    if (from_end != 0) esp[esp.size() - from_end] ^= mask;
    if (from_start != 0) esp[from_start] ^= mask;
    return esp;
}

using Scenario = std::function<void(Env&)>;

std::vector<std::pair<DropReason, Scenario>> scenarios() {
    using R = DropReason;
    using C = crypto::Cipher;
    using I = crypto::Integrity;
    return {
        {R::kMalformed,
         [](Env& env) {
             Bytes esp = env.encap(env.add_pair({}), {ipv4_udp(10)}).at(0);
             store_be16(&esp[2], static_cast<uint16_t>(esp.size() + 8));  // longer than frame
             fix_outer_checksum(esp);
             Bytes runt(12, 0x45);
             decap_with_bystander(env, {esp, runt});
             expect_only(env, R::kMalformed, 2);
         }},
        {R::kInvalidSpi,
         [](Env& env) {
             Bytes esp = env.encap(env.add_pair({}), {ipv4_udp(10)}).at(0);
             store_be32(&esp[20], 0xdead);
             decap_with_bystander(env, {esp});
             expect_only(env, R::kInvalidSpi, 1);
         }},
        {R::kReplayDuplicate,
         [](Env& env) {
             Bytes esp = env.encap(env.add_pair({}), {ipv4_udp(10)}).at(0);
             ASSERT_EQ(env.decap({esp}).size(), 1u);
             decap_with_bystander(env, {esp});
             expect_only(env, R::kReplayDuplicate, 1);
         }},
        {R::kReplayOld,
         [](Env& env) {
             sadb::SaRuntime* out = env.add_pair({.window = 32});
             std::vector<Bytes> inner(40, ipv4_udp(10));
             const auto esp = env.encap(out, inner);
             ASSERT_EQ(env.decap({esp[39]}).size(), 1u);
             decap_with_bystander(env, {esp[0]});  // seq 1 + 32 <= 40
             expect_only(env, R::kReplayOld, 1);
         }},
        {R::kIcvMismatch,
         [](Env& env) {
             Bytes esp = env.encap(env.add_pair({}), {ipv4_udp(10)}).at(0);
             esp[kCtOff + 3] ^= 1;
             decap_with_bystander(env, {esp});
             expect_only(env, R::kIcvMismatch, 1);
         }},
        {R::kBadPadding,
         [](Env& env) {
             decap_with_bystander(env, {ctr_packet_with_flip(env, 3, 0x02)});  // pad byte 1 -> 3
             expect_only(env, R::kBadPadding, 1);
         }},
        {R::kBadNextHeader,
         [](Env& env) {
             decap_with_bystander(env, {ctr_packet_with_flip(env, 1, 0x02)});  // 4 -> 6 (TCP)
             expect_only(env, R::kBadNextHeader, 1);
         }},
        {R::kDummyPacket,
         [](Env& env) {
             decap_with_bystander(env, {ctr_packet_with_flip(env, 1, 4 ^ 59)});  // 4 -> 59
             expect_only(env, R::kDummyPacket, 1);
         }},
        {R::kInnerMalformed,
         [](Env& env) {
             // Decap side: the inner header claims to be IP version 5.
             decap_with_bystander(env, {ctr_packet_with_flip(env, 0, 0x10, kCtOff)});
             // Encap side: not an IP packet at all.
             Bytes junk = ipv4_udp(10);
             junk[0] = 0x55;
             EXPECT_TRUE(env.encap(env.all_out().front().get(), {junk}).empty());
             expect_only(env, R::kInnerMalformed, 2);
         }},
        {R::kSeqExhausted,
         [](Env& env) {
             sadb::SaRuntime* out = env.add_pair({});
             out->seq = UINT32_MAX - 1;  // no ESN: UINT32_MAX is the last number
             EXPECT_EQ(env.encap(out, {ipv4_udp(10), ipv4_udp(10), ipv4_udp(10)}).size(), 1u);
             ASSERT_EQ(env.ctx().events.size(), 1u);  // raised once
             EXPECT_EQ(env.ctx().events[0].type, sadb::SaEventType::kSeqExhausted);
             expect_only(env, R::kSeqExhausted, 2);
         }},
        {R::kSaHardExpired,
         [](Env& env) {
             sadb::SaRuntime* out =
                 env.add_pair({.lifetime = {.soft_packets = 1, .hard_packets = 2}});
             EXPECT_EQ(env.encap(out, std::vector<Bytes>(4, ipv4_udp(10))).size(), 2u);
             ASSERT_EQ(env.ctx().events.size(), 2u);
             EXPECT_EQ(env.ctx().events[0].type, sadb::SaEventType::kSoftLifetime);
             EXPECT_EQ(env.ctx().events[1].type, sadb::SaEventType::kHardLifetime);
             expect_only(env, R::kSaHardExpired, 2);
         }},
        {R::kCryptoError,
         [](Env& env) {
             // intel-ipsec-mb rejects a job without cipher keys (IMB_STATUS_INVALID_ARGS): the
             // engine must turn the library's refusal into a drop, not emit the packet.
             sadb::SaRuntime* out = env.add_pair({.cipher = C::kAes128Cbc, .integrity = I::kHmacSha1_96});
             const_cast<crypto::SaCrypto*>(out->crypto)->enc_keys = nullptr;
             env.ctx().backend.set_job_checks(true);  // the fast path trusts validated SAs
             EXPECT_TRUE(env.encap(out, {ipv4_udp(10)}).empty());
             expect_only(env, R::kCryptoError, 1);
         }},
        {R::kNoMbuf,
         [](Env& env) {
             // A chained packet whose first segment is full needs a fresh buffer to be made
             // contiguous; with the pool empty it is dropped, not misprocessed.
             rte_mbuf* head = rte_pktmbuf_alloc(env.pool());
             const Bytes in = ipv4_udp(10);
             head->data_off = static_cast<uint16_t>(head->buf_len - in.size() - 2);
             std::memcpy(rte_pktmbuf_append(head, static_cast<uint16_t>(in.size())), in.data(),
                         in.size());
             ASSERT_EQ(rte_pktmbuf_chain(head, env.mbuf(Bytes(10, 0))), 0);
             std::vector<rte_mbuf*> hog;
             while (rte_mbuf* m = rte_pktmbuf_alloc(env.pool())) hog.push_back(m);
             EXPECT_TRUE(env.encap_mbufs(env.add_pair({}), {head}).empty());
             rte_pktmbuf_free_bulk(hog.data(), static_cast<unsigned>(hog.size()));
             expect_only(env, R::kNoMbuf, 1);
         }},
        {R::kChainedMbuf,
         [](Env& env) {
             rte_mbuf* head = env.mbuf(ipv4_udp(1500));
             ASSERT_EQ(rte_pktmbuf_chain(head, env.mbuf(Bytes(1500, 0))), 0);
             EXPECT_TRUE(env.encap_mbufs(env.add_pair({}), {head}).empty());
             expect_only(env, R::kChainedMbuf, 1);
         }},
        {R::kNoRoom,
         [](Env& env) {
             rte_mbuf* m = rte_pktmbuf_alloc(env.pool());
             m->data_off = 0;  // no headroom for the outer headers
             const Bytes in = ipv4_udp(10);
             std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(in.size())), in.data(),
                         in.size());
             EXPECT_TRUE(env.encap_mbufs(env.add_pair({}), {m}).empty());
             expect_only(env, R::kNoRoom, 1);
         }},
        {R::kEspLength,
         [](Env& env) {
             sadb::SaRuntime* out = env.add_pair({.cipher = C::kAes128Cbc, .integrity = I::kHmacSha1_96});
             Bytes esp = env.encap(out, {ipv4_udp(10)}).at(0);
             esp.pop_back();  // no longer a whole number of blocks
             store_be16(&esp[2], static_cast<uint16_t>(esp.size()));
             fix_outer_checksum(esp);
             decap_with_bystander(env, {esp});
             expect_only(env, R::kEspLength, 1);
         }},
        {R::kNattKeepalive,
         [](Env& env) {
             Bytes ka = ipv4_udp(1, kNattPort, kNattPort);
             ka[28] = 0xff;
             ka[26] = ka[27] = 0;  // zero UDP checksum, as RFC 3948 senders do
             decap_with_bystander(env, {ka});
             expect_only(env, R::kNattKeepalive, 1);
         }},
        {R::kNotEsp,
         [](Env& env) {
             Bytes ike = ipv4_udp(40, kNattPort, kNattPort);  // payload starts 00 01 02 03
             ike[28] = ike[29] = ike[30] = ike[31] = 0;       // non-ESP marker
             Bytes tcp = ipv4_udp(10);
             tcp[9] = 6;
             fix_outer_checksum(tcp);
             decap_with_bystander(env, {ike, tcp});
             expect_only(env, R::kNotEsp, 2);
         }},
        {R::kEncapMismatch,
         [](Env& env) {
             sadb::SaRuntime* raw = env.add_pair({});
             Bytes esp = env.encap(raw, {ipv4_udp(10)}).at(0);
             env.add_pair({.spi = 0x3003, .udp = true});
             store_be32(&esp[20], 0x3003);  // raw ESP for a UDP-encapsulated SA
             decap_with_bystander(env, {esp});
             expect_only(env, R::kEncapMismatch, 1);
         }},
        {R::kOuterFragment,
         [](Env& env) {
             Bytes esp = env.encap(env.add_pair({}), {ipv4_udp(10)}).at(0);
             esp[6] |= 0x20;  // more fragments
             fix_outer_checksum(esp);
             decap_with_bystander(env, {esp});
             expect_only(env, R::kOuterFragment, 1);
         }},
    };
}

TEST(DropReasons, EveryReasonIsTriggeredAndMovesOnlyItsCounter) {
    std::set<DropReason> covered;
    for (const auto& [reason, run] : scenarios()) {
        SCOPED_TRACE(std::string(sadb::drop_reason_info(reason).label));
        Env env;
        run(env);
        covered.insert(reason);
    }
    for (const auto& info : sadb::kDropReasons)
        if (info.layer == sadb::DropLayer::kEngine) {
            EXPECT_TRUE(covered.count(info.reason)) << "no test triggers " << info.label;
        }
}

}  // namespace
}  // namespace espgw::dataplane
