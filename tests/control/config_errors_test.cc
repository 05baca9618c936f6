// Each wrong line gives exactly one error, on its line, with a hint that says how to fix it.
#include <gtest/gtest.h>

#include "tests/control/control_test_util.h"

namespace espgw::control {
namespace {

constexpr const char* kGcmKey = "000102030405060708090a0b0c0d0e0f10111213";  // 16 + 4 salt
constexpr const char* kAes128 = "000102030405060708090a0b0c0d0e0f";
constexpr const char* kSha1 = "000102030405060708090a0b0c0d0e0f10111213";

// Lines 1-8: ACL, transform set, entry header, peer, transform set, match, inbound, outbound.
std::string manual(const std::string& transforms, const std::string& inbound,
                   const std::string& outbound = std::string("esp 8193 cipher ") + kGcmKey) {
    return "access-list 101 permit ip 198.18.1.0 0.0.0.255 198.18.2.0 0.0.0.255\n"
           "crypto ipsec transform-set T " +
           transforms +
           "\n"
           "crypto map VPN 10 ipsec-manual\n"
           " set peer 192.0.2.2\n"
           " set transform-set T\n"
           " match address 101\n"
           " set session-key inbound " +
           inbound +
           "\n"
           " set session-key outbound " +
           outbound + "\n";
}

std::string without_first_line(const std::string& s) {
    return s.substr(s.find('\n') + 1);
}

std::string gcm_inbound(const std::string& key) {
    return manual("esp-gcm 128", "esp 4097 cipher " + key);
}

struct ErrorCase {
    const char* name;
    std::string text;
    int line;
    const char* message;  // part of the message
    const char* hint;     // part of the hint
};

const ErrorCase kCases[] = {
    {"unknown transform", "crypto ipsec transform-set T esp-aes esp-sha-hmca\n", 1,
     "unknown transform 'esp-sha-hmca'", "did you mean esp-sha-hmac?"},
    {"gcm with hmac", "crypto ipsec transform-set T esp-gcm 128 esp-sha-hmac\n", 1, "takes no hmac",
     "remove esp-sha-hmac"},
    {"null without hmac", "crypto ipsec transform-set T esp-null\n", 1, "esp-null needs an hmac",
     "esp-sha-hmac"},
    {"gmac", "crypto ipsec transform-set T esp-gmac\n", 1, "esp-gmac", ""},
    {"ah", "crypto ipsec transform-set T ah-sha-hmac esp-aes\n", 1, "AH is not supported", ""},
    {"two ciphers", "crypto ipsec transform-set T esp-aes esp-3des\n", 1, "two encryption", ""},
    {"bad key size", "crypto ipsec transform-set T esp-aes 512\n", 1, "unknown transform '512'",
     ""},
    {"gcm key without salt", gcm_inbound(kAes128), 7, "cipher key is 16 bytes",
     "esp-gcm 128 needs a 20-byte key: 16 + 4-byte salt (RFC 4106)"},
    {"cbc key too long",
     manual("esp-aes esp-sha-hmac",
            std::string("esp 4097 cipher ") + kGcmKey + " authenticator " + kSha1,
            std::string("esp 8193 cipher ") + kAes128 + " authenticator " + kSha1),
     7, "cipher key is 20 bytes", "esp-aes 128 needs a 16-byte key (32 hex digits)"},
    {"short hmac key",
     manual("esp-aes esp-sha-hmac",
            std::string("esp 4097 cipher ") + kAes128 + " authenticator " + kAes128,
            std::string("esp 8193 cipher ") + kAes128 + " authenticator " + kSha1),
     7, "authenticator key is 16 bytes", "esp-sha-hmac needs a 20-byte key (40 hex digits)"},
    {"missing authenticator",
     manual("esp-aes esp-sha256-hmac", std::string("esp 4097 cipher ") + kAes128,
            std::string("esp 8193 cipher ") + kAes128 + " authenticator " + kSha1 +
                "0102030405060708090a0b0c"),
     7, "missing authenticator key", "esp-sha256-hmac needs a 32-byte key"},
    {"gcm with authenticator", gcm_inbound(std::string(kGcmKey) + " authenticator " + kSha1), 7,
     "has no hmac", "remove authenticator"},
    {"spi too small", manual("esp-gcm", std::string("esp 255 cipher ") + kGcmKey), 7,
     "SPI '255' is out of range", "256 to 4294967295"},
    {"spi too large", manual("esp-gcm", std::string("esp 4294967296 cipher ") + kGcmKey), 7,
     "out of range", "0x-prefixed hex"},
    {"key not hex", gcm_inbound("0001zz"), 7, "cipher key is not hexadecimal", "hex digits"},
    {"odd key", gcm_inbound("000"), 7, "odd number of hex digits", ""},
    {"ah session key", manual("esp-gcm", "ah 4097 0011"), 7, "AH is not supported", ""},
    {"unknown crypto map sub-command", "crypto map VPN 10 ipsec-isakmp\n set peeer 192.0.2.2\n", 2,
     "unknown crypto map sub-command 'set peeer'", "did you mean set peer?"},
    {"missing argument", "crypto map VPN 10 ipsec-isakmp\n set peer\n", 2, "incomplete command",
     "usage: set peer"},
    {"session key in isakmp entry",
     std::string("crypto map VPN 10 ipsec-isakmp\n set session-key inbound esp 300 cipher ") +
         kGcmKey + "\n",
     2, "session keys belong to ipsec-manual entries", "ipsec-manual"},
    {"pfs in manual entry",
     manual("esp-gcm", std::string("esp 4097 cipher ") + kGcmKey) + " set pfs\n", 9,
     "set pfs is not valid in an ipsec-manual entry", ""},
    {"two peers in manual entry",
     manual("esp-gcm", std::string("esp 4097 cipher ") + kGcmKey) +
         " set peer 192.0.2.2 192.0.2.3\n",
     9, "single peer", "set peer 192.0.2.2"},
    {"unknown transform set",
     "crypto map VPN 10 ipsec-isakmp\n set peer 192.0.2.2\n set transform-set NOPE\n", 3,
     "transform set NOPE does not exist", "crypto ipsec transform-set NOPE"},
    {"unknown crypto map type", "crypto map VPN 10 ipsec-manul\n set peer 192.0.2.2\n", 1,
     "the crypto map type must be", "did you mean ipsec-manual?"},
    {"changed entry type",
     manual("esp-gcm", std::string("esp 4097 cipher ") + kGcmKey) +
         "crypto map VPN 10 ipsec-isakmp\n",
     9, "already ipsec-manual", "no crypto map VPN 10"},
    {"unknown crypto command", "crypto ipsec transfrom-set T esp-gcm\n", 1,
     "unknown crypto command", "did you mean crypto ipsec transform-set?"},
    {"non-contiguous mask", "interface p0\n ip address 192.0.2.1 255.0.255.0\n", 2,
     "not contiguous", "255.255.255.0"},
    {"bad dpdk-port", "interface p0\n dpdk-port eth0\n", 2, "the DPDK port must be a number", ""},
    {"duplicate dpdk-port", "interface p0\n dpdk-port 0\ninterface p1\n dpdk-port 0\n", 3,
     "bound to two interfaces", ""},
    {"arp without ARPA", "arp 192.0.2.2 0200.0000.0002\n", 1, "only ARPA",
     "arp 192.0.2.2 0200.0000.0002 ARPA"},
    {"bad mac", "arp 192.0.2.2 0200.0000 ARPA\n", 1, "bad MAC address", "0200.0000.0002"},
    {"route prefix outside mask", "ip route 10.1.1.0 255.255.0.0 192.0.2.2\n", 1,
     "bits outside the mask", "did you mean 10.1.0.0?"},
    {"acl number", "access-list 300 permit ip any any\n", 1, "not an IP access list number",
     "extended 100-199"},
    {"acl wildcard missing", "access-list 101 permit ip 10.0.0.0 any\n", 1, "needs a wildcard",
     "usage"},
    {"acl port name", "access-list 101 permit tcp any any eq wwww\n", 1,
     "'wwww' is not a port number or name", ""},
    {"acl protocol", "access-list 101 permit xyz any any\n", 1, "unknown protocol 'xyz'", ""},
    {"acl fragments with ports", "access-list 101 permit tcp any any eq 80 fragments\n", 1,
     "'fragments' cannot go with ports", "[fragments]"},
    {"acl fragments with icmp type", "access-list 101 deny icmp any any echo fragments\n", 1,
     "'fragments' cannot go with ports, an ICMP type", ""},
    {"acl fragments in a standard list", "access-list 10 permit any fragments\n", 1,
     "unexpected 'fragments'", "[log]"},
    {"named acl sequence reused",
     "ip access-list extended X\n 10 permit ip any any\n 10 deny ip any any\n", 3,
     "sequence number 10 is already used", ""},
    {"replay window", "crypto ipsec security-association replay window-size 1000\n", 1,
     "power of two", "1024"},
    {"manual entry without peer",
     "access-list 101 permit ip any any\ncrypto ipsec transform-set T esp-gcm\n"
     "crypto map VPN 10 ipsec-manual\n set transform-set T\n match address 101\n"
     " set session-key inbound esp 4097 cipher 000102030405060708090a0b0c0d0e0f10111213\n"
     " set session-key outbound esp 8193 cipher 000102030405060708090a0b0c0d0e0f10111213\n",
     3, "has no peer", "set peer"},
    {"missing acl",
     without_first_line(manual("esp-gcm", std::string("esp 4097 cipher ") + kGcmKey)), 5,
     "access list 101 does not exist", ""},
    {"duplicate inbound spi",
     manual("esp-gcm", std::string("esp 4097 cipher ") + kGcmKey) +
         "crypto map VPN 20 ipsec-manual\n set peer 192.0.2.3\n set transform-set T\n"
         " match address 101\n set session-key inbound esp 4097 cipher " +
         kGcmKey + "\n set session-key outbound esp 8194 cipher " + kGcmKey + "\n",
     13, "inbound SPI 4097 is already used by crypto map VPN 10", "its own SPI"},
    {"idle-time too short", "crypto ipsec security-association idle-time 59\n", 1,
     "idle-time must be a number of seconds from 60 to 86400", "idle-time 3600"},
    {"idle-time per entry too long",
     "crypto map VPN 10 ipsec-manual\n set security-association idle-time 86401\n", 2,
     "idle-time must be a number of seconds from 60 to 86400", "idle-time 3600"},
    {"type 6 key", "crypto isakmp key 6 abcdef address 10.0.0.1\n", 1, "type 6", "type 0"},
    {"isakmp policy value", "crypto isakmp policy 10\n hash sha1\n", 2, "the hash must be",
     "did you mean sha?"},
};

class ConfigErrors : public testing::TestWithParam<ErrorCase> {};

TEST_P(ConfigErrors, OneErrorOnItsLineWithAHint) {
    const ErrorCase& c = GetParam();
    const ParseResult r = parse_config(c.text);
    const auto errors = test::of_severity(r.diagnostics, Severity::kError);
    ASSERT_EQ(errors.size(), 1u) << test::dump(r.diagnostics);
    EXPECT_EQ(errors[0].line, c.line) << test::dump(r.diagnostics);
    EXPECT_NE(errors[0].message.find(c.message), std::string::npos) << errors[0].message;
    EXPECT_NE(errors[0].hint.find(c.hint), std::string::npos) << errors[0].hint;
}

INSTANTIATE_TEST_SUITE_P(ConfigErrorCases, ConfigErrors, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<ErrorCase>& i) {
                             std::string n = i.param.name;
                             for (char& ch : n)
                                 if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                             return n;
                         });

// Diagnostics never quote key material, whatever went wrong with the line.
TEST(ConfigErrorsKeys, KeysAreNeverQuoted) {
    const std::string secret = "deadbeefcafebabe0011223344556677";
    const ParseResult r = parse_config(
        manual("esp-gcm 256", "esp 4097 cipher " + secret, "esp 1 cipher " + secret + "zz"));
    ASSERT_FALSE(r.ok());
    for (const Diagnostic& d : r.diagnostics) {
        EXPECT_EQ(d.message.find("deadbeef"), std::string::npos) << d.message;
        EXPECT_EQ(d.hint.find("deadbeef"), std::string::npos) << d.hint;
    }
}

// The sub-commands of a rejected header are skipped, not reported again as errors.
TEST(ConfigErrorsRecovery, RejectedBlockIsSkipped) {
    const ParseResult r = parse_config(
        "crypto map VPN x ipsec-manual\n"
        " set peer 192.0.2.2\n"
        " set transform-set T\n"
        "hostname after\n");
    EXPECT_EQ(test::lines_of(r.diagnostics, Severity::kError), std::vector<int>{1});
    EXPECT_EQ(test::lines_of(r.diagnostics, Severity::kIgnored), (std::vector<int>{2, 3}));
    EXPECT_EQ(r.config.hostname, "after");
}

TEST(ConfigErrorsFormat, FileLineSeverityMessageHint) {
    const ParseResult r = parse_config("crypto ipsec transform-set T esp-aes esp-sha-hmca\n");
    ASSERT_EQ(r.diagnostics.size(), 1u);
    EXPECT_EQ(format_diagnostic(r.diagnostics[0], "site-a.cfg"),
              "site-a.cfg:1: error: unknown transform 'esp-sha-hmca' (hint: did you mean "
              "esp-sha-hmac?)");
}

}  // namespace
}  // namespace espgw::control
