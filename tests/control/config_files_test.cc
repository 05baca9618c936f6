// The sample configurations: the design.md site example (and its mirror), and the hub and spoke
// of requirements.md §4.1, in their normalised reading and verbatim (with the lines the seed's
// `!---` comments mangled).
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "tests/control/control_test_util.h"

namespace espgw::control {
namespace {

using test::lines_of;
using test::read_config;

Ipv4 ip(const char* s) {
    return *Ipv4::parse(s);
}

std::vector<std::string> trimmed_lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        line.erase(0, line.find_first_not_of(' '));
        out.push_back(line);
    }
    return out;
}

TEST(ConfigFiles, SiteExamplesLoadWithoutAnyDiagnostic) {
    for (const char* name : {"site-a.cfg", "site-b.cfg"}) {
        const ParseResult r = parse_config(read_config(name));
        EXPECT_TRUE(r.diagnostics.empty()) << name << "\n" << test::dump(r.diagnostics);
        EXPECT_EQ(r.config.crypto_maps.size(), 1u);
    }
}

TEST(ConfigFiles, HubNormalisedHasNoError) {
    const ParseResult r = parse_config(read_config("hub.cfg"));
    ASSERT_TRUE(r.ok()) << test::dump(r.diagnostics);
    const Config& c = r.config;
    EXPECT_EQ(c.hostname, "Hub");
    ASSERT_EQ(c.keyrings.size(), 1u);
    EXPECT_EQ(c.keyrings[0].keys[0].mask, ip("0.0.0.0"));
    ASSERT_EQ(c.isakmp_policies.size(), 1u);
    EXPECT_EQ(c.isakmp_policies[0].encryption, IkeEncryption::k3des);
    EXPECT_EQ(c.isakmp_policies[0].group, 2);
    ASSERT_EQ(c.client_groups.size(), 1u);
    EXPECT_EQ(c.client_groups[0].pool, "ippool");
    ASSERT_EQ(c.isakmp_profiles.size(), 2u);
    EXPECT_EQ(c.isakmp_profiles[0].keyring, "spokes");
    EXPECT_EQ(c.isakmp_profiles[1].client_authentication_list, "clientauth");
    ASSERT_EQ(c.dynamic_maps.size(), 2u);
    EXPECT_EQ(c.dynamic_maps[0].isakmp_profile, "VPNclient");
    EXPECT_EQ(c.dynamic_maps[1].isakmp_profile, "L2L");
    ASSERT_EQ(c.crypto_maps.size(), 1u);
    EXPECT_EQ(c.crypto_maps[0].dynamic_map, "dynmap");
    EXPECT_EQ(c.find_interface("FastEthernet0/0")->crypto_map, "mymap");
    EXPECT_EQ(c.find_interface("FastEthernet0/0")->dpdk_port, 0);
    EXPECT_EQ(c.find_interface("FastEthernet0/1")->prefix_len, 23);
    EXPECT_EQ(c.local_pools.size(), 1u);
    EXPECT_EQ(c.routes.size(), 1u);
    // version, service, aaa, line vty, call rsvp-sync, dial-peer, duplex, ...
    EXPECT_GE(lines_of(r.diagnostics, Severity::kIgnored).size(), 25u);
}

TEST(ConfigFiles, SpokeNormalisedHasNoError) {
    const ParseResult r = parse_config(read_config("spoke.cfg"));
    ASSERT_TRUE(r.ok()) << test::dump(r.diagnostics);
    const Config& c = r.config;
    ASSERT_EQ(c.crypto_maps.size(), 1u);
    EXPECT_EQ(c.crypto_maps[0].peers, std::vector<Ipv4>{ip("10.48.67.181")});
    EXPECT_EQ(c.crypto_maps[0].match_acl, "100");
    ASSERT_EQ(c.isakmp_keys.size(), 1u);
    EXPECT_EQ(c.isakmp_keys[0].address, ip("10.48.67.181"));
    EXPECT_EQ(c.find_interface("FastEthernet0/0")->address_kind, AddressKind::kDhcp);
    EXPECT_TRUE(c.find_interface("ATM1/0")->shutdown);
    const AccessList* acl = c.find_acl("100");
    ASSERT_TRUE(acl);
    EXPECT_EQ(acl->entries[0].src, (AddrMatch{ip("10.2.0.0"), ip("0.0.255.255")}));
    // `controller ISA 5/1` and `ip cef` are ignored lines, `ip address dhcp` a warning.
    EXPECT_EQ(lines_of(r.diagnostics, Severity::kWarning).size(), 2u);  // + legacy 3DES
}

// The verbatim seed text: errors exactly on the lines the comments mangled, each absent from
// the normalised file, and nothing else is an error.
void expect_errors_only_on_mangled_lines(const char* verbatim, const char* normalised,
                                         const std::vector<int>& expected) {
    const std::string text = read_config(verbatim);
    const ParseResult r = parse_config(text);
    const auto errors = lines_of(r.diagnostics, Severity::kError);
    EXPECT_EQ(errors, expected) << test::dump(r.diagnostics);
    const auto lines = trimmed_lines(text);
    const auto clean = trimmed_lines(read_config(normalised));
    for (int n : errors) {
        const std::string& line = lines[static_cast<size_t>(n - 1)];
        EXPECT_EQ(std::count(clean.begin(), clean.end(), line), 0) << "line " << n << ": " << line;
    }
}

TEST(ConfigFiles, HubVerbatimErrorsOnlyOnMangledLines) {
    expect_errors_only_on_mangled_lines("hub-verbatim.cfg", "hub.cfg",
                                        {35, 44, 45, 49, 50, 51, 62, 63, 72, 73});
}

TEST(ConfigFiles, SpokeVerbatimErrorsOnlyOnMangledLines) {
    expect_errors_only_on_mangled_lines("spoke-verbatim.cfg", "spoke.cfg", {26, 27, 65, 66, 67});
}

TEST(ConfigFiles, VerbatimHintsPointAtTheLostLineBreaks) {
    const ParseResult r = parse_config(read_config("hub-verbatim.cfg"));
    const auto errors = test::of_severity(r.diagnostics, Severity::kError);
    ASSERT_FALSE(errors.empty());
    EXPECT_NE(errors[0].hint.find("crypto isakmp client configuration group"), std::string::npos);
    const auto dyn =
        std::find_if(errors.begin(), errors.end(), [](auto& d) { return d.line == 63; });
    ASSERT_NE(dyn, errors.end());
    EXPECT_NE(dyn->hint.find("did you mean 'crypto dynamic-map"), std::string::npos) << dyn->hint;
}

}  // namespace
}  // namespace espgw::control
