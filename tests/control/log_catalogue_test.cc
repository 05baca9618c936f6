// The log catalogue: every drop reason and event has a well-formed mnemonic, the Cisco ones of
// requirements.md §3 are used, and every per-SA line carries SPI, sequence number, source,
// destination and connection id.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "control/event_facts.h"
#include "control/log_catalogue.h"
#include "control/syslog_format.h"

namespace espgw::control {
namespace {

using sadb::DropReason;

wire::Addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    wire::Addr x{};
    x.version = 4;
    x.bytes[0] = a, x.bytes[1] = b, x.bytes[2] = c, x.bytes[3] = d;
    return x;
}

CompiledSa inbound_sa() {
    CompiledSa s;
    s.sa.spi = 0x1001;
    s.sa.conn_id = 4242;
    s.sa.direction = wire::Direction::kInbound;
    s.sa.local = v4(192, 0, 2, 1);
    s.sa.peer = v4(192, 0, 2, 2);
    s.sa.selector.src = v4(198, 18, 1, 0);
    s.sa.selector.src_prefix = 24;
    s.sa.selector.dst = v4(198, 18, 2, 0);
    s.sa.selector.dst_prefix = 24;
    std::strcpy(s.sa.map_name, "VPN");
    s.sa.map_seq = 10;
    return s;
}

wire::DropSample sample(DropReason r, const CompiledSa* sa) {
    wire::DropSample d{};
    d.reason = static_cast<uint8_t>(r);
    d.direction = wire::Direction::kInbound;
    d.spi = sa ? sa->sa.spi : 0xDEAD;
    d.conn_id = sa ? sa->sa.conn_id : 0;
    d.seq = 0x9E;
    d.src = v4(192, 0, 2, 2);
    d.dst = v4(192, 0, 2, 1);
    d.inner_proto = 50;
    return d;
}

bool has(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

TEST(LogCatalogue, EveryDropReasonHasAWellFormedMnemonic) {
    for (int i = 1; i < sadb::kNumDropReasons; ++i) {
        const auto& info = sadb::drop_reason_info(static_cast<DropReason>(i));
        EXPECT_GE(mnemonic_severity(info.mnemonic), 0) << info.label << ": " << info.mnemonic;
    }
}

TEST(LogCatalogue, CiscoMnemonicsOfRequirements) {
    auto m = [](DropReason r) { return std::string(sadb::drop_reason_info(r).mnemonic); };
    EXPECT_EQ(m(DropReason::kInvalidSpi), "CRYPTO-4-RECVD_PKT_INV_SPI");    // E10
    EXPECT_EQ(m(DropReason::kReplayDuplicate), "CRYPTO-4-PKT_REPLAY_ERR");  // E01
    EXPECT_EQ(m(DropReason::kReplayOld), "CRYPTO-4-PKT_REPLAY_ERR");
    EXPECT_EQ(m(DropReason::kIcvMismatch), "CRYPTO-4-RECVD_PKT_MAC_ERR");  // E14
    EXPECT_EQ(m(DropReason::kBadPadding), "ASA-3-402130");                 // E76
    EXPECT_EQ(m(DropReason::kInnerPolicyMismatch), "ASA-4-402116");        // E73
    EXPECT_EQ(m(DropReason::kNotIpsec), "CRYPTO-4-RECVD_PKT_NOT_IPSEC");
    EXPECT_EQ(event_info(LogEvent::kConfigApplied).mnemonic, "SYS-5-CONFIG_I");
}

TEST(LogCatalogue, EveryEventHasAWellFormedMnemonicAndKnownOrder) {
    for (size_t i = 0; i < event_catalogue().size(); ++i) {
        const EventInfo& e = event_catalogue()[i];
        EXPECT_EQ(static_cast<size_t>(e.event), i);
        EXPECT_GE(mnemonic_severity(e.mnemonic), 0) << e.mnemonic;
        EXPECT_FALSE(e.text.empty());
    }
}

TEST(LogCatalogue, DropTemplatesUseOnlyNamesTheFactsProvide) {
    const auto names = drop_template_names();
    const EventFacts f = drop_facts(sample(DropReason::kReplayOld, nullptr), nullptr);
    for (int i = 1; i < sadb::kNumDropReasons; ++i) {
        for (std::string_view n : template_names(drop_template(static_cast<DropReason>(i)))) {
            EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
            EXPECT_TRUE(std::any_of(f.vars.begin(), f.vars.end(), [&](const auto& kv) {
                return kv.first == n;
            })) << n;
        }
    }
}

TEST(LogCatalogue, EveryPerSaLineCarriesSpiSeqAddressesAndConnId) {
    const CompiledSa sa = inbound_sa();
    for (int i = 1; i < sadb::kNumDropReasons; ++i) {
        const auto r = static_cast<DropReason>(i);
        if (!sadb::drop_reason_info(r).per_sa) continue;
        const std::string text = expand(drop_template(r), drop_facts(sample(r, &sa), &sa).vars);
        const std::string label(sadb::drop_reason_info(r).label);
        EXPECT_TRUE(has(text, "0x1001")) << label << ": " << text;
        EXPECT_TRUE(has(text, "0x9E")) << label << ": " << text;
        EXPECT_TRUE(has(text, "192.0.2.2") && has(text, "192.0.2.1")) << label << ": " << text;
        EXPECT_TRUE(has(text, "4242")) << label << ": " << text;
        EXPECT_FALSE(has(text, "{")) << label << ": " << text;
    }
}

TEST(LogCatalogue, InvalidSpiLineAsIos) {
    const std::string text =
        expand(drop_template(DropReason::kInvalidSpi),
               drop_facts(sample(DropReason::kInvalidSpi, nullptr), nullptr).vars);
    EXPECT_EQ(text,
              "decaps: rec'd IPSEC packet has invalid spi for destaddr=192.0.2.1, prot=50, "
              "spi=0xDEAD(57005), srcaddr=192.0.2.2, sequence number=0x9E, input interface port0");
}

TEST(LogCatalogue, NotIpsecLineAsIos) {
    wire::DropSample d = sample(DropReason::kNotIpsec, nullptr);
    d.src = v4(198, 18, 2, 10);  // cleartext from behind the peer, to an inside host
    d.dst = v4(198, 18, 1, 10);
    d.inner_proto = 1;  // the packet's protocol (the dataplane fills it for every sample)
    d.spi = 0;
    d.seq = 0;
    const std::string text =
        expand(drop_template(DropReason::kNotIpsec), drop_facts(d, nullptr).vars);
    EXPECT_EQ(text,
              "Rec'd packet not an IPSEC packet. (ip) vrf/dest_addr= /198.18.1.10, "
              "src_addr= 198.18.2.10, prot= 1");
}

TEST(LogCatalogue, InnerPolicyMismatchNamesTheProxies) {
    const CompiledSa sa = inbound_sa();
    wire::DropSample d = sample(DropReason::kInnerPolicyMismatch, &sa);
    d.src = d.inner_src = v4(203, 0, 113, 5);  // after decapsulation: the inner packet's
    d.dst = d.inner_dst = v4(198, 18, 1, 200);
    d.inner_proto = 1;
    const EventFacts f = drop_facts(d, &sa);
    const std::string text = expand(drop_template(DropReason::kInnerPolicyMismatch), f.vars);
    EXPECT_TRUE(has(text, "from 192.0.2.2 (user= 192.0.2.2) to 192.0.2.1")) << text;
    EXPECT_TRUE(has(text,
                    "destination as 198.18.1.200, its source as 203.0.113.5, and its "
                    "protocol as icmp"))
        << text;
    EXPECT_TRUE(has(text,
                    "local proxy as 198.18.1.0/255.255.255.0/ip/0 and its remote_proxy as "
                    "198.18.2.0/255.255.255.0/ip/0"))
        << text;
    EXPECT_EQ(f.peer, "192.0.2.2");
}

TEST(LogCatalogue, GenericLineOmitsWhatDoesNotExist) {
    wire::DropSample d = sample(DropReason::kNoRoute, nullptr);
    d.spi = 0;
    d.seq = 0;
    const std::string text =
        expand(drop_template(DropReason::kNoRoute), drop_facts(d, nullptr).vars);
    EXPECT_EQ(text, "no route to the destination: src 192.0.2.2, dst 192.0.2.1");
}

TEST(LogCatalogue, ExpandLeavesUnknownNames) {
    EXPECT_EQ(expand("a {x} b {y} {", {{"x", "1"}}), "a 1 b {y} {");
    EXPECT_EQ(template_names("{a} and {b}"), (std::vector<std::string_view>{"a", "b"}));
}

TEST(LogCatalogue, SaFactsForCreatedLines) {
    const CompiledSa sa = inbound_sa();
    const EventFacts f = sa_facts(sa.sa);
    Vars v = f.vars;
    v.emplace_back("cause", "configuration");
    const EventInfo& e = event_info(LogEvent::kSaCreated);
    EXPECT_EQ(e.mnemonic, "ASA-6-602303");
    const std::string text = expand(e.text, v);
    EXPECT_TRUE(has(text,
                    "An inbound LAN-to-LAN SA (SPI= 0x1001) between 192.0.2.1 and "
                    "192.0.2.2 (user= 192.0.2.2) has been created. Connection id 4242, "
                    "crypto map VPN 10"))
        << text;
    EXPECT_FALSE(has(text, "{")) << text;
}

}  // namespace
}  // namespace espgw::control
