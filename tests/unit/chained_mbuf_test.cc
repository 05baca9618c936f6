// Multi-segment packets are processed, not misprocessed: a chain whose first segment has room is
// linearised in place; one whose first segment is full is copied into a fresh buffer. Either way
// the ESP bytes equal those of the same packet in one segment, and nothing leaks.
#include <gtest/gtest.h>

#include "crypto/mb_manager.h"
#include "dataplane/esp_encap.h"
#include "dataplane/ip_header.h"
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

// Splits `p` into a chain: `first` bytes in the head segment, starting `head_off` bytes before
// the end of its buffer (so its tailroom is controlled), the rest in a second segment.
rte_mbuf* chain(rte_mempool* pool, const Bytes& p, size_t first, uint16_t tailroom) {
    rte_mbuf* head = rte_pktmbuf_alloc(pool);
    head->data_off = static_cast<uint16_t>(head->buf_len - first - tailroom);
    std::memcpy(rte_pktmbuf_append(head, static_cast<uint16_t>(first)), p.data(), first);
    rte_mbuf* tail = test_util::mbuf_from(pool, Bytes(p.begin() + first, p.end()));
    EXPECT_EQ(rte_pktmbuf_chain(head, tail), 0);
    return head;
}

TEST(ChainedMbuf, EncapOfAChainEqualsEncapOfTheFlatPacket) {
    rte_mempool* pool = rte_pktmbuf_pool_create("chained", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                                SOCKET_ID_ANY);
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

}  // namespace
}  // namespace espgw::dataplane
