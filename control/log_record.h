// One event-log line before it is formatted: Cisco mnemonic, text, and the facts it is about (as
// RFC 5424 structured data, and the peer that `debug ... peer ADDR` filters on).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace espgw::control {

struct LogRecord {
    std::chrono::system_clock::time_point time;
    std::string mnemonic;  // FACILITY-SEVERITY-NAME, without the leading %
    std::string text;
    // Structured-data parameters (name, value): spi, seq, src, dst, conn, reason, ...
    std::vector<std::pair<std::string, std::string>> params;
    std::string peer;  // the remote gateway the line concerns, empty if none
};

// The severity digit of FACILITY-SEVERITY-NAME (RFC 5424 §6.2.1 scale, as IOS), or -1 when the
// mnemonic is not of that form.
int mnemonic_severity(std::string_view mnemonic);

// NAME of FACILITY-SEVERITY-NAME (`RECVD_PKT_INV_SPI`, `402130`), or the whole string.
std::string_view mnemonic_name(std::string_view mnemonic);

}  // namespace espgw::control
