// Multi-segment packets are processed, not misprocessed: a chain whose first segment has room is
// linearised in place; one whose first segment is full is copied into a fresh buffer. Either way
// the ESP bytes equal those of the same packet in one segment, and nothing leaks. Both stages:
// encap, and decap (esp_parse makes the packet contiguous before reading any header) for GCM,
// CBC+HMAC and ESN+HMAC, whose ICV check writes seq_hi where the received ICV was.
#include <gtest/gtest.h>

#include "crypto/mb_manager.h"
#include "dataplane/esp_encap.h"
#include "dataplane/ip_header.h"
#include "tests/drops/esp_env.h"
#include "tests/unit/burst_bytes.h"

namespace espgw::dataplane {
namespace {

using test_util::Bytes;

Bytes udp_packet(size_t payload) {
    Bytes p(28 + payload, 0x5a);
    p[0] = 0x45;
    store_be16(&p[2], static_cast<uint16_t>(p.size()));
    p[6] = 0;
    p[8] = 64;
    p[9] = kProtoUdp;
    set_ipv4_checksum(p.data());
    return p;
}

// Splits `p` into a chain: `first` bytes in the head segment, starting `tailroom` bytes before
// the end of its buffer (so its tailroom is controlled), the rest in a second segment.
rte_mbuf* chain(rte_mempool* pool, const Bytes& p, size_t first, uint16_t tailroom) {
    rte_mbuf* head = rte_pktmbuf_alloc(pool);
    EXPECT_LE(first + tailroom, head->buf_len) << "test bug: no such layout";
    head->data_off = static_cast<uint16_t>(head->buf_len - first - tailroom);
    std::memcpy(rte_pktmbuf_append(head, static_cast<uint16_t>(first)), p.data(), first);
    rte_mbuf* tail = test_util::mbuf_from(pool, Bytes(p.begin() + first, p.end()));
    EXPECT_EQ(rte_pktmbuf_chain(head, tail), 0);
    return head;
}

TEST(ChainedMbuf, EncapOfAChainEqualsEncapOfTheFlatPacket) {
    rte_mempool* pool =
        rte_pktmbuf_pool_create("chained", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    ASSERT_NE(pool, nullptr);
    crypto::MbManager mgr;
    sadb::SaConfig cfg;
    cfg.spi = 0x4242;
    cfg.cipher = crypto::Cipher::kAes128Gcm;
    cfg.cipher_key.assign(Bytes(20, 0x11));
    cfg.local = *sadb::IpAddr::parse("192.0.2.1");
    cfg.peer = *sadb::IpAddr::parse("192.0.2.2");
    std::string err;
    auto flat_sa = sadb::build_sa_runtime(cfg, mgr.get(), &err);
    auto chain_sa = sadb::build_sa_runtime(cfg, mgr.get(), &err);
    ASSERT_TRUE(flat_sa && chain_sa) << err;
    const Bytes inner = udp_packet(600);
    EspContext ctx(crypto::BackendKind::kIpsecMb, mgr);
    EspBurst b;
    b.reset(3);
    b.pkts[0] = test_util::mbuf_from(pool, inner);
    b.sa[0] = flat_sa.get();
    b.pkts[1] = chain(pool, inner, 100, 1500);  // room in the head: linearised in place
    b.pkts[2] = chain(pool, inner, 100, 0);     // head full: copied into a fresh mbuf
    b.sa[1] = b.sa[2] = chain_sa.get();
    // Same keys on both SAs, so the same sequence numbers and IVs: seq 1 for the flat one,
    // 1 and 2 for the chains; compare against a second flat run. The outer IPv4 ID differs per
    // packet, so compare from the ESP header on.
    esp_encap(ctx, b);
    auto esp = [](const Bytes& p) { return Bytes(p.begin() + 20, p.end()); };
    const auto out = test_util::drain(b, ctx.drops);
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(esp(out[0]), esp(out[1]));  // both seq 1 with identical keys (GCM IV = seq)
    EXPECT_NE(esp(out[1]), esp(out[2]));  // seq 2
    EspBurst again;
    again.reset(1);
    again.pkts[0] = test_util::mbuf_from(pool, inner);
    again.sa[0] = flat_sa.get();  // seq 2 on the flat SA
    esp_encap(ctx, again);
    EXPECT_EQ(esp(test_util::drain(again, ctx.drops).at(0)), esp(out[2]));
    EXPECT_EQ(rte_mempool_in_use_count(pool), 0u);
    flat_sa.reset();
    chain_sa.reset();
    rte_mempool_free(pool);
}

// Decap side. Splits a whole ESP frame (outer IP header included) at `first` bytes.
rte_mbuf* chain_of(esp_test::Env& env, const Bytes& p, size_t first, uint16_t tailroom) {
    return chain(env.pool(), p, first, tailroom);
}

void expect_no_drops(esp_test::Env& env) {
    for (const auto& info : sadb::kDropReasons)
        EXPECT_EQ(env.ctx().drops.count[static_cast<size_t>(info.reason)], 0u) << info.label;
    EXPECT_EQ(rte_mempool_in_use_count(env.pool()), 0u) << "mbuf leak";
}

struct DecapSuite {
    const char* name;
    esp_test::SaSpec spec;
    uint64_t first_seq;  // ESN: beyond 2^32, so seq_hi = 1 is hashed into the ICV
};

TEST(ChainedMbuf, DecapOfChainsEqualsTheInnerPacket) {
    using crypto::Cipher;
    using crypto::Integrity;
    const DecapSuite suites[] = {
        {"gcm", {.cipher = Cipher::kAes128Gcm}, 1},
        {"cbc+sha1", {.cipher = Cipher::kAes128Cbc, .integrity = Integrity::kHmacSha1_96}, 1},
        {"esn cbc+sha256",
         {.cipher = Cipher::kAes256Cbc, .integrity = Integrity::kHmacSha256_128, .esn = true},
         (uint64_t{1} << 32) + 1},
    };
    for (const DecapSuite& s : suites) {
        SCOPED_TRACE(s.name);
        esp_test::Env env;
        sadb::SaRuntime* in = nullptr;
        sadb::SaRuntime* out = env.add_pair(s.spec, &in);
        out->seq = s.first_seq - 1;
        if (s.first_seq > 1) {
            ASSERT_EQ(in->replay.accept(s.first_seq - 1), sadb::ReplayResult::kOk);
        }
        const std::vector<Bytes> inner = {udp_packet(600), udp_packet(601), udp_packet(602),
                                          udp_packet(603)};
        const auto esp = env.encap(out, inner);
        ASSERT_EQ(esp.size(), 4u);
        // Split inside the ESP header, and inside the ICV; head with room for the rest
        // (linearised in place) and full (copied into a fresh mbuf).
        auto split = [&](const Bytes& p, size_t first, bool room) {
            return chain_of(env, p, first, room ? static_cast<uint16_t>(p.size()) : 0);
        };
        const auto got = env.decap_mbufs({split(esp[0], 30, true), split(esp[1], 30, false),
                                          split(esp[2], esp[2].size() - 6, true),
                                          split(esp[3], esp[3].size() - 6, false)});
        EXPECT_EQ(got, inner);
        EXPECT_EQ(in->replay.top(), s.first_seq + 3);
        EXPECT_EQ(in->counters->packets, 4u);
        expect_no_drops(env);
    }
}

// A chain longer than one buffer cannot be made contiguous: a counted drop before any header is
// read (the SA is not known yet, so only the global counter moves).
TEST(ChainedMbuf, DecapOfAChainTooLargeForOneBuffer) {
    esp_test::Env env;
    env.add_pair({});
    Bytes frame(3000, 0x77);
    frame[0] = 0x45;
    store_be16(&frame[2], 3000);
    frame[8] = 64;
    frame[9] = kProtoEsp;
    store_be32(&frame[20], esp_test::kSpi);
    set_ipv4_checksum(frame.data());
    EXPECT_TRUE(env.decap_mbufs({chain_of(env, frame, 2000, 0)}).empty());
    esp_test::expect_only(env, sadb::DropReason::kChainedMbuf, 1, /*sa_known=*/false);
}

// A chain whose head is full needs a fresh buffer; with the pool empty it is dropped, and a
// one-segment packet of the same burst still goes through.
TEST(ChainedMbuf, DecapOfAChainWithThePoolEmpty) {
    esp_test::Env env;
    sadb::SaRuntime* out = env.add_pair({});
    const auto esp = env.encap(out, {udp_packet(300), udp_packet(301)});
    ASSERT_EQ(esp.size(), 2u);
    rte_mbuf* chained = chain_of(env, esp[0], 100, 0);
    rte_mbuf* flat = env.mbuf(esp[1]);
    std::vector<rte_mbuf*> hog;
    while (rte_mbuf* m = rte_pktmbuf_alloc(env.pool()))
        hog.push_back(m);
    const auto got = env.decap_mbufs({chained, flat});
    rte_pktmbuf_free_bulk(hog.data(), static_cast<unsigned>(hog.size()));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], udp_packet(301));
    esp_test::expect_only(env, sadb::DropReason::kNoMbuf, 1);
}

}  // namespace
}  // namespace espgw::dataplane
