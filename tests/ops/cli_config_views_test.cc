// The configuration views end to end without processes: a configuration file parsed and compiled
// by control's code, control's data builders (control/mgmt_views_config.h), the CLI's joins with
// fixed dataplane counters and its renderers (mgmt/show_config.h), compared with the IOS layout.
// Keys never appear in any view's data or text.
#include <gtest/gtest.h>

#include <cstring>

#include "control/config_parser.h"
#include "control/key_export.h"
#include "control/mgmt_views_config.h"
#include "control/trace.h"
#include "mgmt/show_config.h"
#include "tests/control/control_test_util.h"

namespace espgw {
namespace {

using Json = nlohmann::json;

struct Views {
    control::Config cfg;
    control::CompiledPolicy policy;
};

Views load(const std::string& text) {
    Views v;
    v.cfg = control::test::parse_clean(text);
    std::vector<control::Diagnostic> diags;
    v.policy = control::compile(v.cfg, &diags);
    return v;
}

std::string lab_site_a() {
    return control::test::read_config("../../lab/configs/site-a.cfg");
}

sadb::PortStats port(uint16_t id, const char* device, uint8_t mac_last, const char* map) {
    sadb::PortStats p{};
    p.port = id;
    p.active = 1;
    std::strncpy(p.name, device, sizeof p.name - 1);
    const uint8_t mac[6] = {2, 0, 0, 0, 0, mac_last};
    std::memcpy(p.mac, mac, 6);
    std::strncpy(p.crypto_map, map, sizeof p.crypto_map - 1);
    return p;
}

TEST(ShowCryptoMap, ManualEntriesInTheIosLayout) {
    const Views v = load(lab_site_a());
    EXPECT_EQ(mgmt::render_crypto_maps(control::crypto_maps_view(v.cfg, v.policy)),
              R"(Crypto Map "VPN" 10 ipsec-manual
        Peer = 192.0.2.2
        Extended IP access list 101
            access-list 101 permit ip 198.18.1.0 0.0.0.127 198.18.2.0 0.0.0.255
        Current peer: 192.0.2.2
        Transform sets={ 
                GCM128:  { esp-gcm 128  } , 
        }
        Inbound esp spi: 4097,
        Outbound esp spi: 8193,
        SAs installed in the dataplane: yes

Crypto Map "VPN" 20 ipsec-manual
        Peer = 192.0.2.2
        Extended IP access list 102
            access-list 102 permit ip 198.18.1.128 0.0.0.127 198.18.2.0 0.0.0.255
        Current peer: 192.0.2.2
        Transform sets={ 
                AESSHA:  { esp-aes 128 esp-sha-hmac  } , 
        }
        Inbound esp spi: 12289,
        Outbound esp spi: 16385,
        SAs installed in the dataplane: yes
        Interfaces using crypto map VPN:
                port0

)");
}

TEST(ShowCryptoMap, DynamicEntryTemplatesLifetimeAndPfs) {
    std::string hub = control::test::read_config("hub.cfg");
    hub.erase(hub.rfind("end"));  // the parser stops at `end`
    const Views v =
        load(hub + "crypto dynamic-map dynmap 20\n set transform-set myset\n set pfs group14\n");
    const std::string text = mgmt::render_crypto_maps(control::crypto_maps_view(v.cfg, v.policy));
    EXPECT_NE(text.find("Crypto Map \"mymap\" 10 ipsec-isakmp\n"
                        "        Dynamic map template tag: dynmap\n"
                        "        Interfaces using crypto map mymap:\n"
                        "                FastEthernet0/0\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("Crypto Map Template \"dynmap\" 5\n"
                        "        ISAKMP Profile: VPNclient\n"
                        "        No matching address list set.\n"
                        "        Current peer: 0.0.0.0\n"
                        "        Security association lifetime: 4608000 kilobytes/3600 seconds\n"
                        "        PFS (Y/N): N\n"
                        "        Transform sets={ \n"
                        "                myset:  { esp-3des esp-sha-hmac  } , \n"
                        "        }\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("        PFS (Y/N): Y\n        DH group:  group14\n"), std::string::npos)
        << text;
}

// ---- show access-lists ---------------------------------------------------------------------

sadb::SpdRuleInfo rule(uint16_t port, uint32_t seq, uint32_t line) {
    sadb::SpdRuleInfo r{};
    r.port = port;
    r.map_seq = seq;
    r.acl_line = line;
    return r;
}

TEST(ShowAccessLists, HitCountsPerLineFromTheSpdRules) {
    const Views v = load(lab_site_a() + "access-list 150 permit tcp any host 198.18.9.9 eq www\n");
    Json acls = control::access_lists_view(v.cfg)["access_lists"];
    // Two lcores' sums already made: VPN 10 line 1 hit 42 times, VPN 20 line 1 once.
    const std::vector<sadb::SpdRuleInfo> rules = {rule(0, 10, 1), rule(0, 20, 1)};
    const Json joined = {{"access_lists", mgmt::join_acl_hits(acls, rules, {42, 1}, {{0, "VPN"}})}};
    EXPECT_EQ(mgmt::render_access_lists(joined),
              "Extended IP access list 101\n"
              "    10 permit ip 198.18.1.0 0.0.0.127 198.18.2.0 0.0.0.255 (42 matches)\n"
              "Extended IP access list 102\n"
              "    10 permit ip 198.18.1.128 0.0.0.127 198.18.2.0 0.0.0.255 (1 match)\n"
              "Extended IP access list 150\n"
              "    10 permit tcp any host 198.18.9.9 eq www\n");
    EXPECT_EQ(joined["access_lists"][0]["entries"][0]["matches"], 42);
    EXPECT_TRUE(joined["access_lists"][2]["entries"][0]["matches"].is_null());  // not in a map
}

TEST(ShowAccessLists, SeveralRulesOfOneLineAddUpAndZeroIsNotPrinted) {
    const Views v = load(lab_site_a());
    Json acls = control::access_lists_view(v.cfg)["access_lists"];
    // `neq` compiles to two rules of one line; a rule of a port without a map is ignored.
    const std::vector<sadb::SpdRuleInfo> rules = {rule(0, 10, 1), rule(0, 10, 1), rule(1, 20, 1)};
    const Json j = mgmt::join_acl_hits(acls, rules, {5, 7, 9}, {{0, "VPN"}, {1, ""}});
    EXPECT_EQ(j[0]["entries"][0]["matches"], 12);
    EXPECT_EQ(j[1]["entries"][0]["matches"], 0);
    EXPECT_EQ(mgmt::render_access_lists({{"access_lists", j}}).find("(0"), std::string::npos);
}

TEST(ShowAccessLists, EveryKindOfLine) {
    const Views v = load(R"(ip access-list extended WEB
 remark the web servers
 permit tcp 198.18.1.0 0.0.0.255 host 198.18.2.80 range 8000 8080 established
 deny udp any eq domain any neq 53 log
 permit icmp any any echo
 permit icmp any any 3 4
 permit 47 host 198.18.1.1 any
 deny ip any host 198.18.2.9 fragments log
access-list 10 permit 198.18.1.0 0.0.0.255
access-list 10 deny 198.18.1.7
access-list 10 permit any
)");
    EXPECT_EQ(
        mgmt::render_access_lists(control::access_lists_view(v.cfg)),
        "Extended IP access list WEB\n"
        "    10 permit tcp 198.18.1.0 0.0.0.255 host 198.18.2.80 range 8000 8080 established\n"
        "    20 deny udp any eq domain any neq domain log\n"
        "    30 permit icmp any any echo\n"
        "    40 permit icmp any any packet-too-big\n"
        "    50 permit gre host 198.18.1.1 any\n"
        "    60 deny ip any host 198.18.2.9 fragments log\n"
        "Standard IP access list 10\n"
        "    10 permit 198.18.1.0, wildcard bits 0.0.0.255\n"
        "    20 deny 198.18.1.7\n"
        "    30 permit any\n");
}

// ---- show interfaces, show ip route, show arp ----------------------------------------------

TEST(ShowInterfaces, ConfigurationJoinedWithPortCounters) {
    const Views v = load(lab_site_a() + "interface port2\n description spare\n shutdown\n");
    sadb::PortStats p0 = port(0, "net_af_packet0", 1, "VPN");
    p0.rx_packets = 1234;
    p0.rx_bytes = 123456;
    p0.rx_nombuf = 2;
    p0.rx_errors = 3;
    p0.rx_missed = 4;
    p0.tx_packets = 5678;
    p0.tx_bytes = 567890;
    p0.tx_errors = 5;
    const Json doc = mgmt::join_interface_stats(control::interfaces_view(v.cfg), {p0});
    EXPECT_EQ(mgmt::render_interfaces(doc),
              "port0 is up, line protocol is up\n"
              "  Hardware is DPDK port 0 (net_af_packet0), address is 0200.0000.0001 (bia "
              "0200.0000.0001)\n"
              "  Description: outside\n"
              "  Internet address is 192.0.2.1/24\n"
              "  MTU 1500 bytes, encapsulation ARPA\n"
              "  Crypto map VPN\n"
              "     1234 packets input, 123456 bytes, 2 no buffer\n"
              "     3 input errors, 4 overrun\n"
              "     5678 packets output, 567890 bytes\n"
              "     5 output errors\n"
              "port1 is down, line protocol is down\n"
              "  Hardware is DPDK port 1 (not found in the dataplane)\n"
              "  Description: inside\n"
              "  Internet address is 198.18.1.1/24\n"
              "  MTU 1500 bytes, encapsulation ARPA\n"
              "  TCP MSS adjust 1360\n"
              "port2 is administratively down, line protocol is down\n"
              "  Hardware is not bound to a DPDK port (dpdk-port N)\n"
              "  Description: spare\n"
              "  MTU 1500 bytes, encapsulation ARPA\n");
    EXPECT_EQ(doc["interfaces"][0]["stats"]["tx_errors"], 5);
}

TEST(ShowIpRoute, ConnectedStaticAndTheGatewayOfLastResort) {
    const Views v = load(lab_site_a() +
                         "ip route 198.18.8.0 255.255.255.0 port1\n"
                         "ip route 198.18.9.0 255.255.255.0 198.18.1.254 5\n");
    const std::string text = mgmt::render_ip_route(control::routes_view(v.cfg, v.policy));
    EXPECT_EQ(text.substr(text.find("Gateway")),
              "Gateway of last resort is 192.0.2.2 to network 0.0.0.0\n\n"
              "C    192.0.2.0/24 is directly connected, port0\n"
              "C    198.18.1.0/24 is directly connected, port1\n"
              "S    198.18.8.0/24 is directly connected, port1\n"
              "S    198.18.9.0/24 [5/0] via 198.18.1.254\n"
              "S*   0.0.0.0/0 [1/0] via 192.0.2.2\n");
    EXPECT_EQ(text.rfind("Codes: C - connected, S - static", 0), 0u);
}

sadb::NeighborSlot slot(uint32_t addr, uint16_t port, sadb::NeighborSlotState state,
                        uint8_t mac_last, uint64_t updated_ns) {
    sadb::NeighborSlot s{};
    s.addr = addr;
    s.port = port;
    s.state = state;
    const uint8_t mac[6] = {2, 0, 0, 0, 0, mac_last};
    std::memcpy(s.mac, mac, 6);
    s.updated_unix_ns = updated_ns;
    return s;
}

TEST(ShowArp, OwnStaticLearntAndIncompleteByAddress) {
    const Views v = load(lab_site_a());
    constexpr uint64_t kNow = 1'700'000'000'000'000'000;
    constexpr uint64_t kMinute = 60'000'000'000;
    const std::vector<sadb::NeighborSlot> learnt = {
        slot(0xC612010A, 1, sadb::NeighborSlotState::kReachable, 0x0a, kNow - 3 * kMinute - 5),
        slot(0xC6120114, 1, sadb::NeighborSlotState::kIncomplete, 0, kNow - 10),
        slot(0xC0000202, 0, sadb::NeighborSlotState::kStatic, 2, kNow - 99 * kMinute),
    };
    const Json doc = mgmt::join_arp(control::arp_view(v.policy),
                                    {port(0, "a", 1, "VPN"), port(1, "b", 0x11, "")}, learnt, kNow);
    EXPECT_EQ(mgmt::render_arp(doc),
              "Protocol  Address          Age (min)  Hardware Addr   Type   Interface\n"
              "Internet  192.0.2.1               -   0200.0000.0001  ARPA   port0\n"
              "Internet  192.0.2.2               -   0200.0000.0002  ARPA   port0\n"
              "Internet  198.18.1.1              -   0200.0000.0011  ARPA   port1\n"
              "Internet  198.18.1.10             3   0200.0000.000a  ARPA   port1\n"
              "Internet  198.18.1.20             0   Incomplete      ARPA\n");
    EXPECT_EQ(doc["entries"][3]["kind"], "dynamic");
    EXPECT_EQ(doc["entries"][1]["kind"], "static");
}

// ---- show running-config -------------------------------------------------------------------

// Every key of the configuration as hex (session keys) or text (pre-shared and group keys).
std::vector<std::string> secrets(const control::Config& cfg) {
    std::vector<std::string> out;
    for (const control::CryptoMapEntry& e : cfg.crypto_maps)
        for (const auto* k : {&e.inbound, &e.outbound})
            if (*k) {
                if ((*k)->has_cipher) out.push_back(control::export_key_hex((*k)->cipher_key));
                if ((*k)->has_auth) out.push_back(control::export_key_hex((*k)->auth_key));
            }
    for (const control::Keyring& r : cfg.keyrings)
        for (const control::PresharedKey& k : r.keys)
            out.push_back(control::export_key_text(k.key));
    for (const control::ClientGroup& g : cfg.client_groups)
        out.push_back(control::export_key_text(g.key));
    return out;
}

TEST(ShowRunningConfig, SiteAInIosSyntaxWithKeysRemoved) {
    const Views v = load(lab_site_a());
    const std::string text = mgmt::render_running_config(control::running_config_view(v.cfg));
    EXPECT_EQ(text.rfind("Building configuration...\n\nCurrent configuration : ", 0), 0u);
    EXPECT_EQ(text.substr(text.find("!\nhostname")), R"(!
hostname site-a
!
crypto ipsec transform-set GCM128 esp-gcm 128
 mode tunnel
crypto ipsec transform-set AESSHA esp-aes 128 esp-sha-hmac
 mode tunnel
crypto ipsec security-association replay window-size 1024
!
crypto map VPN 10 ipsec-manual
 set peer 192.0.2.2
 set session-key inbound esp 4097 cipher <removed>
 set session-key outbound esp 8193 cipher <removed>
 set transform-set GCM128
 match address 101
!
crypto map VPN 20 ipsec-manual
 set peer 192.0.2.2
 set session-key inbound esp 12289 cipher <removed> authenticator <removed>
 set session-key outbound esp 16385 cipher <removed> authenticator <removed>
 set transform-set AESSHA
 match address 102
!
interface port0
 description outside
 dpdk-port 0
 ip address 192.0.2.1 255.255.255.0
 crypto map VPN
!
interface port1
 description inside
 dpdk-port 1
 ip address 198.18.1.1 255.255.255.0
 ip tcp adjust-mss 1360
!
ip route 0.0.0.0 0.0.0.0 192.0.2.2
!
access-list 101 permit ip 198.18.1.0 0.0.0.127 198.18.2.0 0.0.0.255
access-list 102 permit ip 198.18.1.128 0.0.0.127 198.18.2.0 0.0.0.255
arp 192.0.2.2 0200.0000.0002 ARPA
!
end
)");
}

// idle-time, global and per crypto map entry, is shown in IOS syntax.
TEST(ShowRunningConfig, IdleTimeGlobalAndPerEntry) {
    std::string cfg = lab_site_a() + "crypto ipsec security-association idle-time 900\n";
    const std::string entry = "crypto map VPN 10 ipsec-manual\n";
    ASSERT_NE(cfg.find(entry), std::string::npos);
    cfg.insert(cfg.find(entry) + entry.size(), " set security-association idle-time 600\n");
    const Views v = load(cfg);
    const std::string text = mgmt::render_running_config(control::running_config_view(v.cfg));
    EXPECT_NE(text.find("crypto ipsec security-association idle-time 900\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find(" set security-association idle-time 600\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("idle-time 600"), text.rfind("idle-time 600"));  // only on VPN 10
}

// The hub's output parses back into the same configuration (a fixpoint), and its pre-shared and
// group keys are absent.
TEST(ShowRunningConfig, HubRoundTripsAndHidesItsKeys) {
    std::string hub = control::test::read_config("hub.cfg");
    hub.erase(hub.rfind("end"));
    const Views v = load(hub +
                         "logging host 198.51.100.7 transport udp port 5514\n"
                         "logging host 198.51.100.8\nlogging facility local3\n"
                         "logging trap 7\n");
    const std::string text = mgmt::render_running_config(control::running_config_view(v.cfg));
    for (const std::string& s : secrets(v.cfg))
        EXPECT_EQ(text.find(s), std::string::npos) << s;
    const std::string body = text.substr(text.find("!\n"));
    const Views again = load(body);
    EXPECT_EQ(mgmt::render_running_config(control::running_config_view(again.cfg)), text);
    EXPECT_NE(text.find("crypto isakmp client configuration group testgroup\n key <removed>\n"),
              std::string::npos);
    EXPECT_NE(text.find("  pre-shared-key address 0.0.0.0 0.0.0.0 key <removed>\n"),
              std::string::npos);
    EXPECT_NE(text.find("!\nlogging facility local3\nlogging trap 7\n"
                        "logging host 198.51.100.7 transport udp port 5514\n"
                        "logging host 198.51.100.8\n"),
              std::string::npos)
        << text;
}

TEST(ConfigViews, NoKeyInAnyViewData) {
    for (const std::string& text : {lab_site_a(), control::test::read_config("hub.cfg")}) {
        const Views v = load(text);
        const std::string all = control::crypto_maps_view(v.cfg, v.policy).dump() +
                                control::running_config_view(v.cfg).dump() +
                                control::access_lists_view(v.cfg).dump() +
                                control::arp_view(v.policy).dump();
        const auto keys = secrets(v.cfg);
        ASSERT_FALSE(keys.empty());
        for (const std::string& s : keys)
            EXPECT_EQ(all.find(s), std::string::npos) << s;
    }
}

// ---- test crypto trace ----------------------------------------------------------------------

TEST(TestCryptoTrace, PhasesOfAProtectedPacket) {
    const Views v = load(lab_site_a());
    std::string error;
    const auto q = control::parse_trace_query("198.18.1.10", "198.18.2.10", "tcp", "1234", "www",
                                              false, &error);
    ASSERT_TRUE(q) << error;
    const Json doc = control::trace_view(control::trace_packet(v.cfg, v.policy, *q));
    const std::string text = mgmt::render_trace(doc);
    EXPECT_EQ(text.rfind("Packet: tcp 198.18.1.10:1234 -> 198.18.2.10:80\n\nPhase: 1\n"
                         "Type: ROUTE-LOOKUP\nSubtype: input\nResult: ALLOW\nConfig:\n"
                         " C 198.18.1.0/24 is directly connected, port1\n",
                         0),
              0u)
        << text;
    EXPECT_NE(text.find("Phase: 2\nType: IPSEC-POLICY\nSubtype: SPD lookup\nResult: PROTECT\n"
                        "Config:\n crypto map VPN 10\n access-list 101 line 1 permit ip "
                        "198.18.1.0 0.0.0.127 198.18.2.0 0.0.0.255\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(" outbound esp sa: spi 0x2001(8193)\n transform: esp-gcm 128, tunnel\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("Phase: 4\nType: ROUTE-LOOKUP\nSubtype: output\nResult: ALLOW\n"),
              std::string::npos);
    EXPECT_EQ(text.substr(text.find("Result:\ninput")),
              "Result:\ninput-interface: port1\noutput-interface: port0\nAction: encrypted\n"
              "encrypted (SPI 8193) to 192.0.2.2 out of port0\n");
    EXPECT_EQ(doc["sa"]["spi"], 8193);
    EXPECT_EQ(doc["spd"]["acl_entry"]["index"], 1);
}

// `test crypto trace SRC DST PROTO fragment`: the packet line says what was asked about.
TEST(TestCryptoTrace, NonInitialFragmentIsNamed) {
    const Views v = load(lab_site_a());
    std::string error;
    const auto q =
        control::parse_trace_query("198.18.1.10", "198.18.2.10", "udp", "", "", true, &error);
    ASSERT_TRUE(q) << error;
    const Json doc = control::trace_view(control::trace_packet(v.cfg, v.policy, *q));
    EXPECT_TRUE(doc["packet"]["fragment"].get<bool>()) << doc.dump();
    const std::string text = mgmt::render_trace(doc);
    EXPECT_EQ(text.rfind("Packet: udp 198.18.1.10 -> 198.18.2.10, non-initial fragment\n", 0), 0u)
        << text;
}

// `test crypto trace SRC DST icmp TYPE [CODE]`: the message is named as IOS names it, with
// its numbers (the code defaults to 0, or to the name's own).
TEST(TestCryptoTrace, IcmpMessageIsNamed) {
    const Views v = load(lab_site_a());
    const auto line = [&](const char* type, const char* code) {
        std::string error;
        const auto q = control::parse_trace_query("198.18.1.10", "198.18.2.10", "icmp", type, code,
                                                  false, &error);
        EXPECT_TRUE(q) << error;
        if (!q) return std::string();
        const std::string text =
            mgmt::render_trace(control::trace_view(control::trace_packet(v.cfg, v.policy, *q)));
        return text.substr(0, text.find('\n'));
    };
    EXPECT_EQ(line("echo", ""), "Packet: icmp 198.18.1.10 -> 198.18.2.10, echo (type 8, code 0)");
    EXPECT_EQ(line("3", "4"),
              "Packet: icmp 198.18.1.10 -> 198.18.2.10, packet-too-big (type 3, code 4)");
    EXPECT_EQ(line("3", "9"),
              "Packet: icmp 198.18.1.10 -> 198.18.2.10, unreachable (type 3, code 9)");
    EXPECT_EQ(line("200", ""), "Packet: icmp 198.18.1.10 -> 198.18.2.10, type 200, code 0");
}

TEST(TestCryptoTrace, ClearAndLocalPackets) {
    const Views v = load(lab_site_a());
    std::string error;
    auto q =
        control::parse_trace_query("198.18.1.10", "203.0.113.9", "icmp", "", "", false, &error);
    std::string text =
        mgmt::render_trace(control::trace_view(control::trace_packet(v.cfg, v.policy, *q)));
    EXPECT_NE(text.find("Result: none\nConfig:\nAdditional Information:\n no ACL line of any "
                        "installed crypto map entry matches: sent in the clear\n"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("Type: VPN"), std::string::npos);
    EXPECT_NE(text.find("Action: clear\nforwarded in the clear out of port0\n"), std::string::npos);
    q = control::parse_trace_query("198.18.1.10", "192.0.2.1", "icmp", "", "", false, &error);
    text = mgmt::render_trace(control::trace_view(control::trace_packet(v.cfg, v.policy, *q)));
    EXPECT_NE(text.find("output-interface: the gateway (port0)\nAction: local\n"),
              std::string::npos)
        << text;
}

}  // namespace
}  // namespace espgw
