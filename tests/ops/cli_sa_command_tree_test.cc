// The espgw command tree: IOS abbreviations, ambiguity, arguments, completions, one-line errors.
#include <gtest/gtest.h>

#include "mgmt/command_tree.h"

namespace espgw::mgmt {
namespace {

std::vector<std::string> words(std::string_view s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        const size_t e = std::min(s.find(' ', i), s.size());
        if (e > i) out.emplace_back(s.substr(i, e - i));
        i = e + 1;
    }
    return out;
}

CommandResult named(std::string name) {
    return CommandResult::text(std::move(name));
}

class CommandTreeTest : public ::testing::Test {
  protected:
    void SetUp() override {
        tree.describe("show", "Show running system information");
        tree.describe("show crypto", "Encryption module");
        tree.add("show crypto ipsec sa", "IPSEC SA table", [](auto&) { return named("sa"); });
        tree.add("show crypto ipsec sa peer ADDR", "", [](auto&) { return named("peer"); });
        tree.add("show crypto ipsec sa peer ADDR detail", "", [](auto&) { return named("pd"); });
        tree.add("show crypto ipsec sa spi SPI", "", [](auto&) { return named("spi"); });
        tree.add("show crypto ipsec sa map NAME", "", [](auto&) { return named("map"); });
        tree.add("show crypto isakmp sa", "ISAKMP SAs", [](auto&) { return named("ike"); });
        tree.add("show crypto drops", "", [](auto&) { return named("drops"); });
        tree.add("test crypto trace SRC:ADDR DST:ADDR PROTO:NUMBER", "",
                 [](auto&) { return named("trace"); });
        tree.add("clear crypto sa", "", [](auto&) { return named("clear"); });
        tree.add("clear crypto counters", "", [](auto&) { return named("counters"); });
    }

    std::string run(std::string_view line) {
        const Match m = tree.match(words(line));
        if (m.kind == Match::Kind::kError) return m.error;
        if (m.kind == Match::Kind::kHelp) return m.help;
        return (*m.action)(m.invocation).out;
    }

    CommandTree tree;
};

TEST_F(CommandTreeTest, FullWordsAndUniquePrefixes) {
    EXPECT_EQ(run("show crypto ipsec sa"), "sa");
    EXPECT_EQ(run("sh cry ips sa"), "sa");
    EXPECT_EQ(run("SH CRY IPS SA"), "sa");  // keywords are case-insensitive, as in IOS
    EXPECT_EQ(run("sh cr d"), "drops");
    EXPECT_EQ(run("cl cr sa"), "clear");
    EXPECT_EQ(run("cl cr co"), "counters");
}

TEST_F(CommandTreeTest, AmbiguousWordNamesTheCandidates) {
    EXPECT_EQ(run("sh cr i sa"), "% Ambiguous command: \"sh cr i\" (ipsec, isakmp)");
    EXPECT_EQ(run("sh cr is sa"), "ike");  // `is` is unique (isakmp) though `i` is not
}

TEST_F(CommandTreeTest, InvalidAndIncompleteInput) {
    EXPECT_EQ(run("sh cr foo"), "% Invalid input detected at \"foo\" (try \"sh cr ?\")");
    EXPECT_EQ(run("show crypto ipsec"), "% Incomplete command (try \"show crypto ipsec ?\")");
    EXPECT_EQ(run("show crypto ipsec sa peer"),
              "% Incomplete command (try \"show crypto ipsec sa peer ?\")");
    EXPECT_EQ(run("sh cr ips sa peer 1.2.3"),
              "% Invalid input detected at \"1.2.3\": expected A.B.C.D");
    EXPECT_EQ(run("sh cr ips sa spi 255"),
              "% Invalid input detected at \"255\": expected <256-4294967295>");
    EXPECT_EQ(run("sh cr ips sa spi 0x100000000"),
              "% Invalid input detected at \"0x100000000\": expected <256-4294967295>");
    EXPECT_EQ(run("sh cr ips sa detail extra").substr(0, 25), "% Invalid input detected ");
}

TEST_F(CommandTreeTest, ArgumentsAreCollectedByName) {
    Match m = tree.match(words("sh cr ips sa peer 192.0.2.2 det"));
    ASSERT_EQ(m.kind, Match::Kind::kCommand);
    EXPECT_EQ(m.invocation.arg("ADDR"), "192.0.2.2");
    EXPECT_TRUE(m.invocation.has("detail"));
    EXPECT_TRUE(m.invocation.has("peer"));
    EXPECT_FALSE(m.invocation.has("spi"));
    m = tree.match(words("test cry trace 198.18.1.10 198.18.2.10 6"));
    ASSERT_EQ(m.kind, Match::Kind::kCommand);
    EXPECT_EQ(m.invocation.arg("SRC"), "198.18.1.10");
    EXPECT_EQ(m.invocation.arg("DST"), "198.18.2.10");
    EXPECT_EQ(m.invocation.arg("PROTO"), "6");
    m = tree.match(words("sh cr ips sa spi 0x1001"));
    ASSERT_EQ(m.kind, Match::Kind::kCommand);
    EXPECT_EQ(m.invocation.arg("SPI"), "0x1001");
    m = tree.match(words("sh cr ips sa map VPN"));  // argument values keep their case
    EXPECT_EQ(m.invocation.arg("NAME"), "VPN");
}

TEST_F(CommandTreeTest, QuestionMarkListsCompletionsLikeIos) {
    EXPECT_EQ(run("sh cr ?"),
              "  drops\n"
              "  ipsec\n"
              "  isakmp\n");
    EXPECT_EQ(run("show crypto ipsec sa ?"), "  map\n  peer\n  spi\n  <cr>\n");
    EXPECT_EQ(run("sh ?"), "  crypto  Encryption module\n");
    EXPECT_EQ(run("sh cr i?"), "  ipsec\n  isakmp\n");
    EXPECT_EQ(run("sh cr ips sa peer ?"), "  A.B.C.D\n");
    EXPECT_EQ(run("sh cr ips sa help"), run("sh cr ips sa ?"));
    EXPECT_EQ(run("sh cr x?"), "% Unrecognized command");
}

TEST_F(CommandTreeTest, CommandsListsEveryRegisteredPattern) {
    const std::vector<std::string> c = tree.commands();
    EXPECT_NE(std::find(c.begin(), c.end(), "show crypto ipsec sa peer ADDR detail"), c.end());
    EXPECT_NE(std::find(c.begin(), c.end(), "test crypto trace SRC DST PROTO"), c.end());
    EXPECT_EQ(std::find(c.begin(), c.end(), "show crypto ipsec"), c.end());
}

TEST(ArgTypes, Validation) {
    EXPECT_TRUE(arg_valid(ArgType::kAddr, "192.0.2.1"));
    EXPECT_TRUE(arg_valid(ArgType::kAddr, "2001:db8::1"));
    EXPECT_FALSE(arg_valid(ArgType::kAddr, "192.0.2"));
    EXPECT_TRUE(arg_valid(ArgType::kSpi, "4097"));
    EXPECT_TRUE(arg_valid(ArgType::kSpi, "0xFFFFFFFF"));
    EXPECT_FALSE(arg_valid(ArgType::kSpi, "12x"));
    EXPECT_TRUE(arg_valid(ArgType::kNumber, "0"));
    EXPECT_FALSE(arg_valid(ArgType::kNumber, "-1"));
}

}  // namespace
}  // namespace espgw::mgmt
