// The two forms of an event-log line:
//   IOS     `Nov 22 20:02:19.123: %CRYPTO-4-RECVD_PKT_INV_SPI: decaps: ...` (the console and
//           file form operators grep, `service timestamps log datetime msec`)
//   RFC 5424 `<188>1 2026-11-22T20:02:19.123456+00:00 site-a espgw-control 812 RECVD_PKT_INV_SPI
//           [espgw@32473 spi="0xDEAD" ...] %CRYPTO-4-RECVD_PKT_INV_SPI: decaps: ...`
#pragma once

#include <chrono>
#include <string>

#include "control/log_record.h"

namespace espgw::control {

// RFC 5424 §6.2.1 facility codes; IOS logs to local7 unless `logging facility` says otherwise.
inline constexpr int kFacilityLocal0 = 16;
inline constexpr int kFacilityLocal7 = 23;

// What RFC 5424's header says about the sender.
struct SyslogIdentity {
    int facility = kFacilityLocal7;
    std::string hostname;  // the configuration's `hostname`; empty = NILVALUE
    std::string app_name = "espgw-control";
    int procid = 0;  // 0 = NILVALUE
};

// RFC 5424 §6.2.3 TIMESTAMP (RFC 3339 with microseconds) of `t` at `utc_offset_s` from UTC,
// e.g. 2026-11-22T20:02:19.123456+01:00 (Z never: the offset is always written out).
std::string rfc5424_timestamp(std::chrono::system_clock::time_point t, int utc_offset_s);

// The local time zone's offset from UTC at `t`, in seconds.
int local_utc_offset(std::chrono::system_clock::time_point t);

// `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG` (RFC 5424 §6), no trailing newline.
std::string format_rfc5424(const LogRecord& r, const SyslogIdentity& id, int utc_offset_s);

// `Nov 22 20:02:19.123: %MNEMONIC: text`, no trailing newline.
std::string format_ios(const LogRecord& r, int utc_offset_s);

// The facility code of a name as IOS writes it (`local7`, `kern`, `daemon`, ...), or -1.
int facility_code(std::string_view name);
// The reverse, for show running-config: "local3", "daemon", ...
std::string facility_name(int code);

}  // namespace espgw::control
