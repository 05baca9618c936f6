// The `logging` lines espgw reads (host, facility, trap); the others stay ignored.
#include <gtest/gtest.h>

#include "tests/control/control_test_util.h"

namespace espgw::control {
namespace {

TEST(LoggingConfig, HostsFacilityAndTrap) {
    const Config c = test::parse_clean(
        "logging host 192.0.2.9\n"
        "logging host 192.0.2.10 transport udp port 5514\n"
        "logging host 192.0.2.11 transport udp\n"
        "logging facility local5\n"
        "logging trap warnings\n"
        "logging buffered 51200 warnings\n");
    ASSERT_EQ(c.logging.hosts.size(), 3u);
    EXPECT_EQ(c.logging.hosts[0].address, *Ipv4::parse("192.0.2.9"));
    EXPECT_EQ(c.logging.hosts[0].port, 514);
    EXPECT_EQ(c.logging.hosts[0].line, 1);
    EXPECT_EQ(c.logging.hosts[1].port, 5514);
    EXPECT_EQ(c.logging.hosts[2].port, 514);
    EXPECT_EQ(c.logging.facility, 21);
    EXPECT_EQ(c.logging.trap, 4);
}

TEST(LoggingConfig, DefaultsAsIos) {
    const Config c = test::parse_clean("hostname x\n");
    EXPECT_TRUE(c.logging.hosts.empty());
    EXPECT_EQ(c.logging.facility, -1);  // local7
    EXPECT_EQ(c.logging.trap, 6);       // informational
    EXPECT_EQ(test::parse_clean("logging trap 2\n").logging.trap, 2);
}

TEST(LoggingConfig, WrongLinesAreErrorsWithTheirLine) {
    for (const char* bad :
         {"logging host syslog.example.net\n",
          "logging host 192.0.2.9 "
          "transport tcp\n",
          "logging host 192.0.2.9 transport udp port 0\n", "logging host 192.0.2.9 bogus\n",
          "logging facility local9\n", "logging trap loud\n", "logging host\n"}) {
        const ParseResult r = parse_config(std::string("hostname x\n") + bad);
        EXPECT_EQ(test::lines_of(r.diagnostics, Severity::kError), std::vector<int>{2}) << bad;
    }
}

TEST(LoggingConfig, OtherLoggingLinesAreIgnored) {
    const ParseResult r = parse_config("logging buffered 4096\nno logging console\n");
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(test::lines_of(r.diagnostics, Severity::kIgnored), (std::vector<int>{1, 2}));
}

}  // namespace
}  // namespace espgw::control
