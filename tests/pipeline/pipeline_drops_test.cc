// Pipeline drop reasons that a black-box run cannot trigger (pipeline_drops_test.py triggers
// the others and checks that, together with the scenario table below, every kPipeline reason of
// sadb/drop_reason.def has a test):
// - a full ring: handoff_full (ring to the lcore that owns the SA), tx_full (a port's transmit
//   queue), punt_full (ring to the main lcore), reply_ring_full (ring from the main lcore);
// - spd_discard: no configuration line compiles to a DISCARD rule (IOS crypto ACLs only say
//   permit = PROTECT and deny = BYPASS);
// - no_sa again, to check the ACQUIRE the lcore queues for control.
// Also: a drops capture over the gateway, read by tshark (frames kept as they arrived, and
// packets refused with an ICMP error captured and counted once).
// The gateway is the in-process one of inprocess_gateway.h. Each scenario asserts that its
// counter, and only its counter, moved on every lcore and SA, that the bystander traffic got
// through, and that every mbuf went back to the pool.
#include <gtest/gtest.h>

#include <rte_arp.h>
#include <stdlib.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "dataplane/capture_writer.h"
#include "tests/dataplane/tshark_run.h"
#include "tests/pipeline/inprocess_gateway.h"

namespace espgw::dataplane {
namespace {

using namespace gw_test;

using R = DropReason;
using Scenario = std::function<void()>;

// An RFC 826 request from the host for the gateway's inside address, broadcast.
Bytes arp_for_gateway() {
    return arp(RTE_ARP_OP_REQUEST, test_util::kBroadcast, kHostMac, kHost, kGatewayIn);
}

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
             // tunnel (inbound's own punt path); forwarding goes on. Messages without a packet
             // of their own that the ring refuses are counted as lost (to_main_lost).
             Gateway gw({.to_main_ring = 2});
             const Bytes arp = arp_for_gateway();
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
             // The echo's drop sample found the ring full too: a lost message, not a drop.
             EXPECT_EQ(gw.lcore(0).to_main_lost.load(), 1u);
             gw.expect_only(R::kPuntFull, 2);
         }},
        {R::kReplyRingFull,
         [] {
             // The ring from the main lcore to lcore 0 holds one item: of three ARP replies the
             // main lcore makes, one leaves and two are counted on the main lcore; forwarding
             // goes on.
             Gateway gw({.from_main_ring = 2});
             for (int k = 0; k < 3; ++k)
                 gw.receive(gw.inside(), arp_for_gateway());
             gw.receive(gw.inside(), gw.from_host(ipv4(kHost, kRemote, kProtoUdp, 30)));
             gw.poll(0);
             EXPECT_EQ(gw.transmitted(gw.outside()).size(), 1u);
             sadb::DropCounters main{};
             EXPECT_EQ(gw.serve_main(0, main), 3u);
             gw.poll(0);
             const auto replies = gw.transmitted(gw.inside());
             ASSERT_EQ(replies.size(), 1u);
             EXPECT_EQ(load_be16(&replies[0][12]), RTE_ETHER_TYPE_ARP);
             EXPECT_EQ(load_be16(&replies[0][20]), RTE_ARP_OP_REPLY);
             for (const auto& info : sadb::kDropReasons)
                 EXPECT_EQ(main.count[size_t(info.reason)],
                           info.reason == R::kReplyRingFull ? 2u : 0u)
                     << "main lcore: " << info.label;
             gw.expect_only(R::kReplyRingFull, 0);
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
    EXPECT_EQ(covered.size(), 6u);
}

// A drops capture (`monitor capture NAME drops`) records every frame the pipeline drops as it
// arrived: one refused before classify stripped its Ethernet header (a runt, an unknown
// ethertype) with its own header, an IPv4 packet refused after the strip (bad header checksum,
// martian address) behind the synthetic zero-address header of capture.h. Packets refused with
// an ICMP error (TTL expired, DF and too big) are drops too: captured, counted once, and not
// also counted as punted. tshark reads the file.
TEST(PipelineCapture, DroppedFramesAreRecordedAsTheyArrivedAndCountedOnce) {
    Gateway gw({});
    CaptureWriter writer(gw.dataplane(), [] {});  // one thread: no lcore to wait for
    char dir[] = "/tmp/espgw-pipeline-capture-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    wire::CaptureStart req{};
    req.scope = wire::CaptureScope::kDrops;
    req.dir = wire::kCaptureIn | wire::kCaptureOut;
    req.snaplen = kDefaultSnaplen;
    req.limit_packets = 100;
    req.limit_bytes = kDefaultCaptureBytes;
    std::snprintf(req.name, sizeof req.name, "DROPS");
    std::snprintf(req.path, sizeof req.path, "%s/drops.pcapng", dir);
    const auto started = writer.start(req);
    ASSERT_EQ(started.size(), 1u);
    ASSERT_EQ(started[0].result, wire::CaptureResult::kOk) << started[0].error;

    const Bytes good = gw.from_host(ipv4(kHost, kRemote, kProtoUdp, 30));
    const Bytes runt(good.begin(), good.begin() + 13);
    const Bytes odd = concat(ethernet(gw.mac(gw.inside()), kHostMac, 0x88b5), Bytes(30, 7));
    Bytes bad_sum = good;
    bad_sum[14 + 10] ^= 1;
    const Bytes martian = gw.from_host(ipv4(0x7f000001, kRemote, kProtoUdp, 30));
    Bytes ttl1 = ipv4(kHost, kRemote, kProtoUdp, 30);
    ttl1[8] = 1;
    set_ipv4_checksum(ttl1.data());
    Bytes big_df = ipv4(kHost, kRemote, kProtoUdp, 1480);  // 1500 bytes: its ESP does not fit
    big_df[6] = 0x40;
    set_ipv4_checksum(big_df.data());
    for (const Bytes& f : {runt, odd, bad_sum, martian, gw.from_host(ttl1), gw.from_host(big_df)})
        gw.receive(gw.inside(), f);
    EXPECT_EQ(gw.poll(0), 6u);
    EXPECT_EQ(gw.lcore(0).stats->punted, 0u) << "a refused packet counted as punted too";
    EXPECT_EQ(gw.lcore(0).stats->drops.count[size_t(R::kMalformed)], 2u);
    EXPECT_EQ(gw.lcore(0).stats->drops.count[size_t(R::kUnknownEthertype)], 1u);
    EXPECT_EQ(gw.lcore(0).stats->drops.count[size_t(R::kMartian)], 1u);
    EXPECT_EQ(gw.lcore(0).stats->drops.count[size_t(R::kTtlExpired)], 1u);
    EXPECT_EQ(gw.lcore(0).stats->drops.count[size_t(R::kDfTooBig)], 1u);
    EXPECT_EQ(gw.sa_drops(kConnOut, R::kDfTooBig), 1u);
    // Both ICMP errors wait for the main lcore, quoting their packets.
    const auto items = gw.to_main(0);
    std::vector<ToMain::Kind> kinds;
    for (const ToMain& t : items)
        if (t.kind == ToMain::kTimeExceeded || t.kind == ToMain::kFragNeeded)
            kinds.push_back(t.kind);
    EXPECT_EQ(kinds, (std::vector<ToMain::Kind>{ToMain::kTimeExceeded, ToMain::kFragNeeded}));

    std::optional<wire::CaptureStatus> ended;
    for (int k = 0; k < 4; ++k)
        writer.poll(&ended);
    wire::CaptureRef ref{};
    std::snprintf(ref.name, sizeof ref.name, "DROPS");
    const auto stopped = writer.stop(ref);
    ASSERT_EQ(stopped.size(), 1u);
    EXPECT_EQ(stopped[0].packets, 6u);
    bool ok = false;
    const auto rows = test_util::lines(test_util::tshark(
        std::string("-r ") + req.path +
            " -T fields -E 'separator=;' -e frame.comment -e frame.len -e eth.type",
        &ok));
    ASSERT_TRUE(ok);
    const auto len = [](const Bytes& b) { return std::to_string(b.size()); };
    const auto synthetic = [](const Bytes& ip) { return std::to_string(14 + ip.size()); };
    const std::vector<std::string> want = {
        "malformed;13;",  // as it arrived: no room for an Ethernet type, no synthetic header
        "unknown_ethertype;" + len(odd) + ";0x88b5",
        "malformed;" + len(bad_sum) + ";0x0800",
        "martian_address;" + len(martian) + ";0x0800",
        "ttl_expired;" + synthetic(ttl1) + ";0x0800",
        "df_too_big;" + synthetic(big_df) + ";0x0800",
    };
    EXPECT_EQ(rows, want);
    unlink(req.path);
    rmdir(dir);
    EXPECT_EQ(gw.mbufs_in_use(), 0u) << "mbuf leak";
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

// RFC 4301 §5.2 for traffic the gateway terminates: the host-to-host transport-mode policy
// (192.0.2.1 <-> 192.0.2.3) says that peer's packets to the gateway come in ESP, and a tunnel's
// policy says the same of its remote network's packets to the inside address. Cleartext echo
// requests of both, arriving on the outside, are refused (not_ipsec), not answered. IKE from the
// transport-mode peer (UDP 500, UDP 4500 with the non-ESP marker) and its ICMP errors (here
// fragmentation needed, RFC 1191) still reach the slow path, and its echo request in
// transport-mode ESP gets the reply in ESP.
TEST(PipelineLocal, CleartextThePolicyWantsInEspIsRefusedIkePasses) {
    Gateway gw({});
    const auto from = [&](const rte_ether_addr& mac, const Bytes& ip) {
        return concat(ethernet(gw.mac(gw.outside()), mac, RTE_ETHER_TYPE_IPV4), ip);
    };
    const auto local_items = [&] {
        size_t n = 0;
        for (const ToMain& t : gw.to_main(0))
            n += t.kind == ToMain::kLocal ? 1 : 0;
        return n;
    };
    const Bytes echo = ipv4(kPeerHost, kGatewayOut, 1, 16);
    gw.receive(gw.outside(), from(kPeerHostMac, echo));
    gw.receive(gw.outside(), from(kPeerMac, ipv4(kRemote, kGatewayIn, 1, 16)));
    gw.poll(0);
    EXPECT_EQ(local_items(), 0u) << "cleartext the policy wants in ESP reached the slow path";
    EXPECT_EQ(gw.lcore(0).stats->punted, 0u);

    for (const uint16_t port : {500, 4500}) {
        Bytes ike = ipv4(kPeerHost, kGatewayOut, kProtoUdp, 40);
        store_be16(&ike[20], port);
        store_be16(&ike[22], port);
        if (port == 4500) std::memset(&ike[28], 0, 4);  // RFC 3948 §2.2 non-ESP marker
        gw.receive(gw.outside(), from(kPeerHostMac, ike));
    }
    Bytes frag_needed = ipv4(kPeerHost, kGatewayOut, 1, 36);
    frag_needed[20] = 3;  // destination unreachable, fragmentation needed; its checksum is
    frag_needed[21] = 4;  // not what this test is about
    gw.receive(gw.outside(), from(kPeerHostMac, frag_needed));
    gw.poll(0);
    EXPECT_EQ(local_items(), 3u) << "IKE or an ICMP error from the transport-mode peer refused";

    gw.receive(gw.outside(), gw.from_peer(echo, 1, kTunnels[3]));
    gw.poll(0);
    sadb::DropCounters main{};
    EXPECT_EQ(gw.serve_main(0, main), 1u);
    gw.poll(0);
    const auto out = gw.transmitted(gw.outside());
    ASSERT_EQ(out.size(), 1u);
    const auto reply = gw.peer_decap(out[0]);
    ASSERT_TRUE(reply.has_value()) << "the echo reply did not leave in the transport-mode SA";
    ASSERT_GE(reply->size(), 28u);
    EXPECT_EQ(load_be32(&(*reply)[12]), kGatewayOut);
    EXPECT_EQ(load_be32(&(*reply)[16]), kPeerHost);
    EXPECT_EQ((*reply)[9], 1);
    EXPECT_EQ((*reply)[20], 0);  // echo reply
    gw.expect_only(R::kNotIpsec, 2);
}

}  // namespace
}  // namespace espgw::dataplane
