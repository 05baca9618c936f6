// Each configuration construct parses into the model it states.
#include <gtest/gtest.h>

#include "control/key_export.h"
#include "control/port_map.h"
#include "tests/control/control_test_util.h"

namespace espgw::control {
namespace {

using test::parse_clean;

Ipv4 ip(const char* s) {
    return *Ipv4::parse(s);
}

TEST(ConfigParser, HostnameAndInterface) {
    const Config c = parse_clean(
        "hostname gw-1\n"
        "interface GigabitEthernet 0/1\n"
        " description outside link to ISP\n"
        " dpdk-port 3\n"
        " ip address 192.0.2.1 255.255.255.0\n"
        " ip mtu 1400\n"
        " ip tcp adjust-mss 1360\n"
        " crypto map VPN\n"
        " crypto ipsec df-bit clear\n"
        " shutdown\n"
        " no shutdown\n");
    EXPECT_EQ(c.hostname, "gw-1");
    ASSERT_EQ(c.interfaces.size(), 1u);
    const InterfaceConfig& i = c.interfaces[0];
    EXPECT_EQ(i.name, "GigabitEthernet0/1");
    EXPECT_EQ(i.description, "outside link to ISP");
    EXPECT_EQ(i.dpdk_port, 3);
    EXPECT_EQ(i.address_kind, AddressKind::kStatic);
    EXPECT_EQ(i.address, ip("192.0.2.1"));
    EXPECT_EQ(i.prefix_len, 24);
    EXPECT_EQ(i.mtu, 1400);
    EXPECT_EQ(i.tcp_adjust_mss, 1360);
    EXPECT_EQ(i.crypto_map, "VPN");
    EXPECT_EQ(i.df_bit, DfBit::kClear);
    EXPECT_FALSE(i.shutdown);
}

TEST(ConfigParser, DhcpAddressIsStoredWithAWarning) {
    const ParseResult r = parse_config("interface Fa0/0\n ip address dhcp\n");
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.config.interfaces[0].address_kind, AddressKind::kDhcp);
    ASSERT_EQ(test::lines_of(r.diagnostics, Severity::kWarning), std::vector<int>{2});
}

TEST(ConfigParser, RoutesAndArp) {
    const Config c = parse_clean(
        "ip route 0.0.0.0 0.0.0.0 192.0.2.2\n"
        "ip route 10.0.0.0 255.0.0.0 port1\n"
        "ip route 10.1.0.0 255.255.0.0 port1 198.18.1.254 250 name backup permanent\n"
        "arp 192.0.2.2 0200.0000.0002 ARPA\n"
        "arp 192.0.2.3 02:00:00:00:00:03 arpa\n");
    ASSERT_EQ(c.routes.size(), 3u);
    EXPECT_EQ(c.routes[0].prefix, Prefix::of(ip("0.0.0.0"), 0));
    EXPECT_EQ(c.routes[0].next_hop, ip("192.0.2.2"));
    EXPECT_EQ(c.routes[1].interface, "port1");
    EXPECT_FALSE(c.routes[1].next_hop);
    EXPECT_EQ(c.routes[2].next_hop, ip("198.18.1.254"));
    EXPECT_EQ(c.routes[2].distance, 250);
    ASSERT_EQ(c.arps.size(), 2u);
    EXPECT_EQ(c.arps[0].mac, (std::array<uint8_t, 6>{2, 0, 0, 0, 0, 2}));
    EXPECT_EQ(c.arps[1].mac, (std::array<uint8_t, 6>{2, 0, 0, 0, 0, 3}));
}

TEST(ConfigParser, NumberedStandardAndExtendedLists) {
    const Config c = parse_clean(
        "access-list 10 remark inside networks\n"
        "access-list 10 permit 10.1.0.0 0.0.255.255\n"
        "access-list 10 deny 10.2.2.2\n"
        "access-list 10 permit any log\n"
        "access-list 101 permit ip 198.18.1.0 0.0.0.255 198.18.2.0 0.0.0.255\n"
        "access-list 101 deny tcp host 198.18.1.5 eq www any range 1000 2000\n"
        "access-list 2000 permit udp any gt 1023 any eq isakmp\n");
    ASSERT_EQ(c.access_lists.size(), 3u);
    const AccessList& std10 = c.access_lists[0];
    EXPECT_EQ(std10.kind, AclKind::kStandard);
    ASSERT_EQ(std10.entries.size(), 3u);
    EXPECT_EQ(std10.remarks[0].text, "inside networks");
    EXPECT_EQ(std10.entries[0].src, (AddrMatch{ip("10.1.0.0"), ip("0.0.255.255")}));
    EXPECT_EQ(std10.entries[1].action, AclAction::kDeny);
    EXPECT_EQ(std10.entries[1].src, (AddrMatch{ip("10.2.2.2"), ip("0.0.0.0")}));
    EXPECT_EQ(std10.entries[2].src, AddrMatch{});
    EXPECT_TRUE(std10.entries[2].log);
    const AccessList& ext = c.access_lists[1];
    ASSERT_EQ(ext.entries.size(), 2u);
    EXPECT_EQ(ext.entries[1].protocol, 6);
    EXPECT_EQ(ext.entries[1].sport, (PortMatch{PortOp::kEq, 80, 0}));
    EXPECT_EQ(ext.entries[1].dport, (PortMatch{PortOp::kRange, 1000, 2000}));
    EXPECT_EQ(ext.entries[1].seq, 20u);
    const AclEntry& udp = c.access_lists[2].entries[0];
    EXPECT_EQ(udp.protocol, 17);
    EXPECT_EQ(udp.sport, (PortMatch{PortOp::kGt, 1023, 0}));
    EXPECT_EQ(udp.dport, (PortMatch{PortOp::kEq, 500, 0}));
}

TEST(ConfigParser, NamedListsWithSequenceNumbersAndPortNames) {
    const Config c = parse_clean(
        "ip access-list extended CRYPTO\n"
        " remark tunnel traffic\n"
        " 20 permit esp any any\n"
        " 10 permit tcp any any eq https\n"
        " permit udp any eq non500-isakmp any neq ntp\n"
        " deny icmp any any echo-reply\n"
        " permit gre host 192.0.2.1 host 192.0.2.2 log\n"
        " permit 89 any any\n"
        " permit tcp any any eq ssh established\n"
        " deny ip any host 198.18.2.1 fragments log\n"
        "ip access-list standard MGMT\n"
        " permit host 198.18.1.10\n");
    const AccessList& a = *c.find_acl("CRYPTO");
    ASSERT_EQ(a.entries.size(), 8u);
    EXPECT_EQ(a.entries[0].seq, 10u);  // kept in sequence order
    EXPECT_EQ(a.entries[0].dport, (PortMatch{PortOp::kEq, 443, 0}));
    EXPECT_EQ(a.entries[1].protocol, 50);
    EXPECT_EQ(a.entries[2].seq, 30u);
    EXPECT_EQ(a.entries[2].sport, (PortMatch{PortOp::kEq, 4500, 0}));
    EXPECT_EQ(a.entries[2].dport, (PortMatch{PortOp::kNeq, 123, 0}));
    EXPECT_EQ(a.entries[3].icmp_type, 0);
    EXPECT_EQ(a.entries[4].protocol, 47);
    EXPECT_TRUE(a.entries[4].log);
    EXPECT_EQ(a.entries[5].protocol, 89);
    EXPECT_EQ(a.entries[6].dport, (PortMatch{PortOp::kEq, 22, 0}));
    EXPECT_TRUE(a.entries[6].established);
    EXPECT_FALSE(a.entries[6].fragments);
    EXPECT_TRUE(a.entries[7].fragments);
    EXPECT_TRUE(a.entries[7].log);
    EXPECT_EQ(c.find_acl("MGMT")->kind, AclKind::kStandard);
}

// Every suite of the engine has one spelling.
TEST(ConfigParser, TransformSetsCoverEverySuite) {
    struct Case {
        const char* transforms;
        crypto::Cipher cipher;
        crypto::Integrity integrity;
    };
    using C = crypto::Cipher;
    using I = crypto::Integrity;
    const Case cases[] = {
        {"esp-null esp-sha-hmac", C::kNull, I::kHmacSha1_96},
        {"esp-des esp-md5-hmac", C::kDesCbc, I::kHmacMd5_96},
        {"esp-3des esp-sha-hmac", C::k3desCbc, I::kHmacSha1_96},
        {"esp-aes esp-sha256-hmac", C::kAes128Cbc, I::kHmacSha256_128},
        {"esp-aes 192 esp-sha384-hmac", C::kAes192Cbc, I::kHmacSha384_192},
        {"esp-aes 256 esp-sha512-hmac", C::kAes256Cbc, I::kHmacSha512_256},
        {"esp-aes-ctr esp-sha-hmac", C::kAes128Ctr, I::kHmacSha1_96},
        {"esp-aes-ctr 192 esp-sha-hmac", C::kAes192Ctr, I::kHmacSha1_96},
        {"esp-aes-ctr 256 esp-sha-hmac", C::kAes256Ctr, I::kHmacSha1_96},
        {"esp-gcm", C::kAes128Gcm, I::kNone},
        {"esp-gcm 192", C::kAes192Gcm, I::kNone},
        {"esp-gcm 256", C::kAes256Gcm, I::kNone},
        {"esp-aes 256", C::kAes256Cbc, I::kNone},
        {"esp-sha-hmac", C::kNull, I::kHmacSha1_96},  // IOS: authentication-only ESP
    };
    for (const Case& c : cases) {
        const ParseResult r =
            parse_config(std::string("crypto ipsec transform-set T ") + c.transforms);
        EXPECT_TRUE(r.ok()) << c.transforms << "\n" << test::dump(r.diagnostics);
        ASSERT_EQ(r.config.transform_sets.size(), 1u);
        EXPECT_EQ(r.config.transform_sets[0].cipher, c.cipher) << c.transforms;
        EXPECT_EQ(r.config.transform_sets[0].integrity, c.integrity) << c.transforms;
    }
}

TEST(ConfigParser, TransformSetModeAndRedefinition) {
    const Config c = parse_clean(
        "crypto ipsec transform-set T esp-aes esp-sha-hmac\n"
        " mode transport\n"
        "crypto ipsec transform-set T esp-gcm 256\n");
    ASSERT_EQ(c.transform_sets.size(), 1u);
    EXPECT_EQ(c.transform_sets[0].mode, IpsecMode::kTransport);
    EXPECT_EQ(c.transform_sets[0].cipher, crypto::Cipher::kAes256Gcm);
    EXPECT_EQ(c.transform_sets[0].transforms, std::vector<std::string>{"esp-gcm 256"});
}

TEST(ConfigParser, ManualCryptoMap) {
    const Config c = parse_clean(
        "access-list 101 permit ip any any\n"
        "crypto ipsec transform-set CBC esp-aes 256 esp-sha256-hmac\n"
        "crypto map VPN 20 ipsec-manual\n"
        " description to site B\n"
        " set peer 192.0.2.2\n"
        " set transform-set CBC\n"
        " match address 101\n"
        " set session-key inbound esp 0x1001 cipher "
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f authenticator "
        "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f\n"
        " set session-key outbound esp 4294967295 cipher "
        "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100 authenticator "
        "3f3e3d3c3b3a393837363534333231302f2e2d2c2b2a29282726252423222120\n");
    ASSERT_EQ(c.crypto_maps.size(), 1u);
    const CryptoMapEntry& e = c.crypto_maps[0];
    EXPECT_EQ(e.kind, MapKind::kManual);
    EXPECT_EQ(e.seq, 20u);
    EXPECT_EQ(e.description, "to site B");
    EXPECT_EQ(e.peers, std::vector<Ipv4>{ip("192.0.2.2")});
    EXPECT_EQ(e.match_acl, "101");
    ASSERT_TRUE(e.inbound && e.outbound);
    EXPECT_EQ(e.inbound->spi, 0x1001u);
    EXPECT_EQ(e.outbound->spi, 4294967295u);
    EXPECT_EQ(e.inbound->cipher_key.size(), 32u);
    EXPECT_EQ(e.inbound->cipher_key.data()[31], 0x1f);
    EXPECT_EQ(e.outbound->auth_key.data()[0], 0x3f);
    EXPECT_EQ(export_key_hex(e.inbound->auth_key).substr(0, 8), "20212223");
}

TEST(ConfigParser, IsakmpAndDynamicMaps) {
    const Config c = parse_clean(
        "crypto ipsec transform-set A esp-aes esp-sha-hmac\n"
        "crypto ipsec transform-set B esp-3des esp-md5-hmac\n"
        "crypto isakmp profile P\n"
        "access-list 100 permit ip 10.2.0.0 0.0.255.255 10.1.0.0 0.0.255.255\n"
        "crypto dynamic-map dyn 20\n"
        " set transform-set A\n"
        " set isakmp-profile P\n"
        " reverse-route\n"
        "crypto map mymap 10 ipsec-isakmp\n"
        " set peer 10.0.0.1\n"
        " set peer 10.0.0.2 10.0.0.3\n"
        " set transform-set A B\n"
        " match address 100\n"
        " set pfs\n"
        " set security-association lifetime seconds 28800\n"
        " set security-association lifetime kilobytes 10000\n"
        " set security-association replay window-size 512\n"
        " set reverse-route\n"
        "crypto map mymap 60000 ipsec-isakmp dynamic dyn discover\n"
        "crypto map mymap 70 set peer 10.9.9.9\n"
        "crypto map mymap local-address Fa0/0\n"
        "crypto map mymap client configuration address respond\n");
    ASSERT_EQ(c.crypto_maps.size(), 3u);
    const CryptoMapEntry& e = c.crypto_maps[0];
    EXPECT_EQ(e.peers.size(), 3u);  // primary and two backups
    EXPECT_EQ(e.transform_sets, (std::vector<std::string>{"A", "B"}));
    EXPECT_EQ(e.pfs_group, 1);
    EXPECT_EQ(e.lifetime_seconds, 28800u);
    EXPECT_EQ(e.lifetime_kilobytes, 10000u);
    EXPECT_EQ(e.replay_window, 512u);
    EXPECT_TRUE(e.reverse_route);
    EXPECT_EQ(c.crypto_maps[1].dynamic_map, "dyn");
    EXPECT_TRUE(c.crypto_maps[1].discover);
    EXPECT_EQ(c.crypto_maps[2].peers, std::vector<Ipv4>{ip("10.9.9.9")});
    ASSERT_EQ(c.dynamic_maps.size(), 1u);
    EXPECT_EQ(c.dynamic_maps[0].isakmp_profile, "P");
    EXPECT_TRUE(c.dynamic_maps[0].reverse_route);
    EXPECT_EQ(c.find_map_set("mymap")->local_address, "Fa0/0");
    EXPECT_EQ(c.find_map_set("mymap")->client_configuration_address, "respond");
}

TEST(ConfigParser, PfsGroups) {
    const Config c = parse_clean(
        "crypto map m 10 ipsec-isakmp\n set pfs group14\n"
        "crypto map m 20 ipsec-isakmp\n set pfs group2\n no set pfs\n");
    EXPECT_EQ(c.crypto_maps[0].pfs_group, 14);
    EXPECT_FALSE(c.crypto_maps[1].pfs_group);
}

TEST(ConfigParser, IsakmpPolicyKeysAndGlobals) {
    const Config c = parse_clean(
        "crypto isakmp policy 10\n"
        " encr aes 256\n"
        " hash sha256\n"
        " authentication pre-share\n"
        " group 14\n"
        " lifetime 28800\n"
        "crypto isakmp policy 20\n"
        " encryption 3des\n"
        "crypto isakmp key cisco123 address 10.48.67.181\n"
        "crypto isakmp key secretkey address 10.0.0.0 255.0.0.0 no-xauth\n"
        "crypto isakmp key 0 other hostname peer.example.com\n"
        "crypto isakmp nat-traversal 20\n"
        "crypto isakmp keepalive 15 5 periodic\n"
        "crypto isakmp identity hostname\n"
        "crypto isakmp enable outside\n"
        "ip local pool ippool 10.5.5.1 10.5.5.254\n");
    ASSERT_EQ(c.isakmp_policies.size(), 2u);
    const IsakmpPolicy& p = c.isakmp_policies[0];
    EXPECT_EQ(p.encryption, IkeEncryption::kAes);
    EXPECT_EQ(p.key_bits, 256);
    EXPECT_EQ(p.hash, IkeHash::kSha256);
    EXPECT_EQ(p.authentication, IkeAuth::kPreShare);
    EXPECT_EQ(p.group, 14);
    EXPECT_EQ(p.lifetime, 28800u);
    EXPECT_EQ(c.isakmp_policies[1].encryption, IkeEncryption::k3des);
    EXPECT_EQ(c.isakmp_policies[1].hash, IkeHash::kSha);  // IOS default
    ASSERT_EQ(c.isakmp_keys.size(), 3u);
    EXPECT_EQ(export_key_text(c.isakmp_keys[0].key), "cisco123");
    EXPECT_EQ(c.isakmp_keys[1].mask, ip("255.0.0.0"));
    EXPECT_TRUE(c.isakmp_keys[1].no_xauth);
    EXPECT_EQ(c.isakmp_keys[2].hostname, "peer.example.com");
    EXPECT_EQ(c.isakmp.nat_traversal_keepalive, 20u);
    EXPECT_EQ(c.isakmp.keepalive, 15u);
    EXPECT_EQ(c.isakmp.keepalive_retry, 5u);
    EXPECT_TRUE(c.isakmp.keepalive_periodic);
    EXPECT_EQ(c.isakmp.identity, IsakmpIdentity::kHostname);
    EXPECT_EQ(c.isakmp.enable_interfaces, std::vector<std::string>{"outside"});
    ASSERT_EQ(c.local_pools.size(), 1u);
    EXPECT_EQ(c.local_pools[0].last, ip("10.5.5.254"));
}

TEST(ConfigParser, KeyringProfileAndClientGroup) {
    const Config c = parse_clean(
        "crypto keyring spokes\n"
        "  pre-shared-key address 0.0.0.0 0.0.0.0 key cisco123\n"
        "crypto isakmp profile L2L\n"
        "  description LAN-to-LAN\n"
        "  keyring spokes\n"
        "  match identity address 0.0.0.0\n"
        "  match identity group testgroup\n"
        "  client authentication list clientauth\n"
        "  isakmp authorization list groupauthor\n"
        "  client configuration address respond\n"
        "ip local pool ippool 10.5.5.1 10.5.5.254\n"
        "access-list 150 permit ip 10.1.1.0 0.0.0.255 any\n"
        "crypto isakmp client configuration group testgroup\n"
        "  key cisco321\n"
        "  dns 1.1.1.1 2.2.2.2\n"
        "  wins 3.3.3.3\n"
        "  domain cisco.com\n"
        "  pool ippool\n"
        "  acl 150\n");
    ASSERT_EQ(c.keyrings.size(), 1u);
    EXPECT_EQ(c.keyrings[0].keys[0].mask, ip("0.0.0.0"));
    EXPECT_EQ(export_key_text(c.keyrings[0].keys[0].key), "cisco123");
    const IsakmpProfile& p = c.isakmp_profiles[0];
    EXPECT_EQ(p.keyring, "spokes");
    ASSERT_EQ(p.match_identity.size(), 2u);
    EXPECT_EQ(p.match_identity[1].kind, IdentityKind::kGroup);
    EXPECT_EQ(p.match_identity[1].value, "testgroup");
    EXPECT_EQ(p.client_authentication_list, "clientauth");
    EXPECT_EQ(p.isakmp_authorization_list, "groupauthor");
    EXPECT_EQ(p.client_configuration_address, "respond");
    const ClientGroup& g = c.client_groups[0];
    EXPECT_EQ(export_key_text(g.key), "cisco321");
    EXPECT_EQ(g.dns, (std::vector<Ipv4>{ip("1.1.1.1"), ip("2.2.2.2")}));
    EXPECT_EQ(g.wins.size(), 1u);
    EXPECT_EQ(g.domain, "cisco.com");
    EXPECT_EQ(g.pool, "ippool");
    EXPECT_EQ(g.acl, "150");
}

TEST(ConfigParser, IpsecGlobals) {
    const Config c = parse_clean(
        "crypto ipsec security-association replay window-size 512\n"
        "crypto ipsec security-association lifetime seconds 7200\n"
        "crypto ipsec security-association lifetime kilobytes 100000\n"
        "crypto ipsec security-association idle-time 600\n"
        "crypto ipsec fragmentation after-encryption\n"
        "crypto ipsec df-bit set\n"
        "crypto ipsec nat-transparency udp-encapsulation\n");
    const IpsecGlobals& g = c.ipsec;
    EXPECT_EQ(g.replay_window, 512u);
    EXPECT_EQ(g.lifetime_seconds, 7200u);
    EXPECT_EQ(g.lifetime_kilobytes, 100000u);
    EXPECT_EQ(g.idle_time, 600u);
    EXPECT_EQ(g.frag, FragPolicy::kAfterEncryption);
    EXPECT_EQ(g.df_bit, DfBit::kSet);
    EXPECT_TRUE(g.udp_encapsulation);
    EXPECT_TRUE(
        parse_clean("crypto ipsec security-association replay disable\n").ipsec.replay_disabled);
}

// IOS stays in a sub-mode for an unindented sub-command (pasted configurations, requirements.md
// §4.1 "Verify crypto-map sequence numbers") and leaves it on `exit` or a global command.
TEST(ConfigParser, UnindentedSubCommandsExitAndComments) {
    const Config c = parse_clean(
        "crypto ipsec transform-set myset esp-3des esp-sha-hmac\n"
        "crypto dynamic-map dynmap 20\n"
        "set transform-set myset\n"
        "crypto map mymap 10 ipsec-isakmp\n"
        "match address 100\n"
        "set peer 172.16.77.10   ! the hub\n"
        "!--- a comment line\n"
        "\n"
        "set transform-set myset\n"
        "exit\n"
        "crypto map mymap 60000 ipsec-isakmp dynamic dynmap\n"
        "access-list 100 permit ip any any\n"
        "end\n"
        "this line is after end\n");
    EXPECT_EQ(c.dynamic_maps[0].transform_sets, std::vector<std::string>{"myset"});
    const CryptoMapEntry& e = c.crypto_maps[0];
    EXPECT_EQ(e.match_acl, "100");
    EXPECT_EQ(e.peers, std::vector<Ipv4>{ip("172.16.77.10")});
    EXPECT_EQ(e.transform_sets, std::vector<std::string>{"myset"});
    EXPECT_EQ(c.crypto_maps[1].seq, 60000u);
}

TEST(ConfigParser, IgnoredLinesAreReportedWithTheirLines) {
    const ParseResult r = parse_config(
        "version 12.3\n"
        "service timestamps debug datetime msec\n"
        "username admin password 7 0201024E070A0E2649\n"
        "interface Fa0/0\n"
        " duplex auto\n"
        " no keepalive\n"
        "line vty 0 4\n"
        " password cisco\n"
        " login\n"
        "banner motd ^C\n"
        "Authorised access only\n"
        "^C\n"
        "call rsvp-sync\n"
        "hostname h\n");
    EXPECT_TRUE(r.ok()) << test::dump(r.diagnostics);
    EXPECT_EQ(test::lines_of(r.diagnostics, Severity::kIgnored),
              (std::vector<int>{1, 2, 3, 5, 6, 7, 8, 9, 10, 13}));
    EXPECT_EQ(r.config.hostname, "h");
    // Passwords are not quoted back.
    for (const Diagnostic& d : r.diagnostics) {
        EXPECT_EQ(d.message.find("0201024E"), std::string::npos);
        EXPECT_EQ(d.message.find("cisco"), std::string::npos);
    }
}

TEST(ConfigParser, ModelEqualityIsByValue) {
    const std::string text = test::read_config("site-a.cfg");
    EXPECT_EQ(parse_config(text).config, parse_config(text).config);
    EXPECT_NE(parse_config(text).config, parse_config(test::read_config("site-b.cfg")).config);
}

// `--port-map` binds router interface names to DPDK ports without editing the file.
TEST(ConfigParser, PortMapBindsInterfaces) {
    Config c = parse_clean("interface FastEthernet0/0\ninterface FastEthernet0/1\n dpdk-port 5\n");
    std::vector<Diagnostic> diags;
    EXPECT_TRUE(apply_port_map("FastEthernet0/0=0,FastEthernet0/1=1", &c, &diags));
    EXPECT_EQ(c.interfaces[0].dpdk_port, 0);
    EXPECT_EQ(c.interfaces[1].dpdk_port, 1);
    EXPECT_FALSE(apply_port_map("Serial0=2", &c, &diags));
    EXPECT_FALSE(apply_port_map("FastEthernet0/0", &c, &diags));
    EXPECT_FALSE(apply_port_map("FastEthernet0/0=x", &c, &diags));
    EXPECT_EQ(diags.size(), 3u);
}

}  // namespace
}  // namespace espgw::control
