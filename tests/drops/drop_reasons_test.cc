// Every engine drop reason of sadb/drop_reason.def is triggered here by a real packet (pipeline
// reasons are triggered by the gateway's black-box tests), and each trigger
// moves exactly its own counter (globally and, for per-SA reasons, on the SA), leaves a
// bystander packet of another tunnel in the same burst untouched, and returns every mbuf to the
// pool.
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <vector>

#include "tests/drops/esp_env.h"

namespace espgw::dataplane {
namespace {

using namespace esp_test;
using sadb::DropReason;

// A valid ESP packet of the bystander tunnel, to ride along in every decap burst.
Bytes bystander(Env& env) {
    sadb::SaRuntime* out = env.add_pair({.spi = kBystanderSpi});
    return env.encap(out, {ipv4_udp(100)}).at(0);
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
             sadb::SaRuntime* out =
                 env.add_pair({.cipher = C::kAes128Cbc, .integrity = I::kHmacSha1_96});
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
             while (rte_mbuf* m = rte_pktmbuf_alloc(env.pool()))
                 hog.push_back(m);
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
             sadb::SaRuntime* out =
                 env.add_pair({.cipher = C::kAes128Cbc, .integrity = I::kHmacSha1_96});
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
        {R::kEcnNotEct,
         [](Env& env) {
             // RFC 6040 §4.2: CE on the outer header, Not-ECT inside (ipv4_udp's TOS is 0).
             Bytes esp = env.encap(env.add_pair({}), {ipv4_udp(10)}).at(0);
             esp[1] |= 3;
             fix_outer_checksum(esp);
             decap_with_bystander(env, {esp});
             expect_only(env, R::kEcnNotEct, 1);
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
