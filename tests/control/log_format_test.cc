// RFC 5424 §6 lines and the IOS console form, byte for byte.
#include <gtest/gtest.h>

#include "control/syslog_format.h"

namespace espgw::control {
namespace {

using std::chrono::system_clock;

// 2026-11-22T20:02:19.123456Z.
system_clock::time_point at_2026_11_22() {
    return system_clock::time_point(std::chrono::seconds(1795377739)) +
           std::chrono::microseconds(123456);
}

LogRecord invalid_spi() {
    LogRecord r;
    r.time = at_2026_11_22();
    r.mnemonic = "CRYPTO-4-RECVD_PKT_INV_SPI";
    r.text = "decaps: rec'd IPSEC packet has invalid spi for destaddr=192.0.2.1";
    r.params = {{"spi", "0xDEAD"}, {"src", "192.0.2.2"}};
    return r;
}

SyslogIdentity site_a() {
    return {kFacilityLocal7, "site-a", "espgw-control", 812};
}

TEST(LogFormat, TimestampHasMicrosecondsAndOffset) {
    EXPECT_EQ(rfc5424_timestamp(at_2026_11_22(), 0), "2026-11-22T20:02:19.123456+00:00");
    EXPECT_EQ(rfc5424_timestamp(at_2026_11_22(), 3600), "2026-11-22T21:02:19.123456+01:00");
    EXPECT_EQ(rfc5424_timestamp(at_2026_11_22(), -19800), "2026-11-22T14:32:19.123456-05:30");
    // Crossing midnight backwards changes the date.
    EXPECT_EQ(rfc5424_timestamp(at_2026_11_22(), -21 * 3600), "2026-11-21T23:02:19.123456-21:00");
}

TEST(LogFormat, PriIsFacilityTimesEightPlusSeverity) {
    LogRecord r = invalid_spi();
    r.params.clear();
    SyslogIdentity id = site_a();
    EXPECT_TRUE(format_rfc5424(r, id, 0).starts_with("<188>1 "));  // local7 (23) * 8 + 4
    id.facility = kFacilityLocal0;
    r.mnemonic = "ASA-3-402130";
    EXPECT_TRUE(format_rfc5424(r, id, 0).starts_with("<131>1 "));  // 16 * 8 + 3
    id.facility = 0;
    r.mnemonic = "SYS-0-PANIC";
    EXPECT_TRUE(format_rfc5424(r, id, 0).starts_with("<0>1 "));
}

TEST(LogFormat, WholeLine) {
    EXPECT_EQ(format_rfc5424(invalid_spi(), site_a(), 3600),
              "<188>1 2026-11-22T21:02:19.123456+01:00 site-a espgw-control 812 RECVD_PKT_INV_SPI "
              "[espgw@32473 spi=\"0xDEAD\" src=\"192.0.2.2\"] %CRYPTO-4-RECVD_PKT_INV_SPI: decaps: "
              "rec'd IPSEC packet has invalid spi for destaddr=192.0.2.1");
}

TEST(LogFormat, NilValues) {
    LogRecord r = invalid_spi();
    r.params.clear();
    SyslogIdentity id = site_a();
    id.hostname.clear();
    id.procid = 0;
    EXPECT_EQ(format_rfc5424(r, id, 0),
              "<188>1 2026-11-22T20:02:19.123456+00:00 - espgw-control - RECVD_PKT_INV_SPI - "
              "%CRYPTO-4-RECVD_PKT_INV_SPI: " +
                  r.text);
}

TEST(LogFormat, StructuredDataEscapesQuoteBackslashAndBracket) {
    LogRecord r = invalid_spi();
    r.params = {{"note", "a\"b\\c]d"}, {"bad=name x", "v"}};
    const std::string line = format_rfc5424(r, site_a(), 0);
    EXPECT_NE(line.find(R"([espgw@32473 note="a\"b\\c\]d" badnamex="v"])"), std::string::npos)
        << line;
}

TEST(LogFormat, HeaderFieldsArePrintableAndBounded) {
    LogRecord r = invalid_spi();
    r.params.clear();
    r.mnemonic = "ESPGW-6-" + std::string(40, 'X');
    SyslogIdentity id = site_a();
    id.hostname = "site a\x01";
    const std::string line = format_rfc5424(r, id, 0);
    EXPECT_NE(line.find(" site_a_ espgw-control 812 " + std::string(32, 'X') + " - %ESPGW-6-"),
              std::string::npos)
        << line;
}

TEST(LogFormat, IosConsoleLine) {
    EXPECT_EQ(format_ios(invalid_spi(), 0),
              "Nov 22 20:02:19.123: %CRYPTO-4-RECVD_PKT_INV_SPI: " + invalid_spi().text);
    LogRecord r = invalid_spi();
    r.time -= std::chrono::hours(24 * 20);  // Nov 2: day padded with a space, as IOS
    EXPECT_TRUE(format_ios(r, 0).starts_with("Nov  2 20:02:19.123: %CRYPTO"));
}

TEST(LogFormat, MnemonicParts) {
    EXPECT_EQ(mnemonic_severity("CRYPTO-4-PKT_REPLAY_ERR"), 4);
    EXPECT_EQ(mnemonic_severity("ASA-3-402130"), 3);
    EXPECT_EQ(mnemonic_severity("SYS-5-CONFIG_I"), 5);
    EXPECT_EQ(mnemonic_severity("CRYPTO-8-X"), -1);
    EXPECT_EQ(mnemonic_severity("CRYPTO4-X"), -1);
    EXPECT_EQ(mnemonic_severity("-4-X"), -1);
    EXPECT_EQ(mnemonic_severity("CRYPTO-4-"), -1);
    EXPECT_EQ(mnemonic_name("ASA-4-402116"), "402116");
    EXPECT_EQ(mnemonic_name("garbage"), "garbage");
}

TEST(LogFormat, FacilityNames) {
    EXPECT_EQ(facility_code("local7"), 23);
    EXPECT_EQ(facility_code("local0"), 16);
    EXPECT_EQ(facility_code("daemon"), 3);
    EXPECT_EQ(facility_code("kern"), 0);
    EXPECT_EQ(facility_code("local8"), -1);
    EXPECT_EQ(facility_code("locals"), -1);
}

}  // namespace
}  // namespace espgw::control
