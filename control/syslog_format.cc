#include "control/syslog_format.h"

#include <time.h>

#include <array>
#include <cstdio>
#include <ctime>

namespace espgw::control {
namespace {

using std::chrono::system_clock;

// RFC 5424 §7.2.2: SD-IDs with an @ belong to the enterprise number after it. 32473 is the
// number RFC 5612 reserves for documentation and examples; espgw has none of its own.
constexpr std::string_view kSdId = "espgw@32473";
constexpr std::string_view kNil = "-";  // NILVALUE (§6)

struct Broken {
    std::tm tm{};
    int micros = 0;
};

Broken broken_down(system_clock::time_point t, int utc_offset_s) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch());
    auto secs = std::chrono::floor<std::chrono::seconds>(us);
    Broken b;
    b.micros = static_cast<int>((us - secs).count());
    const time_t shifted = static_cast<time_t>(secs.count()) + utc_offset_s;
    gmtime_r(&shifted, &b.tm);
    return b;
}

// PRINTUSASCII (%d33-126) of at most `max` characters, or NILVALUE when nothing is left
// (§6.2.4-6.2.7: HOSTNAME 255, APP-NAME 48, PROCID 128, MSGID 32).
std::string header_field(std::string_view s, size_t max) {
    std::string out;
    for (char c : s.substr(0, max))
        out += (c >= 33 && c <= 126) ? c : '_';
    return out.empty() ? std::string(kNil) : out;
}

// §6.3.3: inside PARAM-VALUE, '"', '\' and ']' are escaped with a backslash.
std::string escape_param(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '"' || c == '\\' || c == ']') out += '\\';
        out += c;
    }
    return out;
}

// §6.3.3 PARAM-NAME: SD-NAME, 1-32 PRINTUSASCII except '=', SP, ']', '"'.
std::string param_name(std::string_view n) {
    std::string out;
    for (char c : n.substr(0, 32))
        if (c > 32 && c < 127 && c != '=' && c != ']' && c != '"') out += c;
    return out.empty() ? "x" : out;
}

std::string structured_data(const LogRecord& r) {
    if (r.params.empty()) return std::string(kNil);
    std::string sd = "[" + std::string(kSdId);
    for (const auto& [name, value] : r.params)
        sd += " " + param_name(name) + "=\"" + escape_param(value) + "\"";
    return sd + "]";
}

}  // namespace

int mnemonic_severity(std::string_view m) {
    const size_t a = m.find('-');
    if (a == std::string_view::npos || a == 0 || a + 3 >= m.size()) return -1;
    if (m[a + 2] != '-' || m[a + 1] < '0' || m[a + 1] > '7') return -1;
    return m[a + 1] - '0';
}

std::string_view mnemonic_name(std::string_view m) {
    return mnemonic_severity(m) < 0 ? m : m.substr(m.find('-') + 3);
}

std::string rfc5424_timestamp(system_clock::time_point t, int utc_offset_s) {
    const Broken b = broken_down(t, utc_offset_s);
    const int off = utc_offset_s < 0 ? -utc_offset_s : utc_offset_s;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06d%c%02d:%02d",
                  b.tm.tm_year + 1900, b.tm.tm_mon + 1, b.tm.tm_mday, b.tm.tm_hour, b.tm.tm_min,
                  b.tm.tm_sec, b.micros, utc_offset_s < 0 ? '-' : '+', off / 3600, off / 60 % 60);
    return buf;
}

int local_utc_offset(system_clock::time_point t) {
    const time_t s = system_clock::to_time_t(t);
    std::tm local{};
    localtime_r(&s, &local);
    return static_cast<int>(local.tm_gmtoff);
}

std::string format_rfc5424(const LogRecord& r, const SyslogIdentity& id, int utc_offset_s) {
    const int sev = mnemonic_severity(r.mnemonic);
    const int pri = id.facility * 8 + (sev < 0 ? 6 : sev);  // §6.2.1
    const std::string procid = id.procid > 0 ? std::to_string(id.procid) : std::string(kNil);
    return "<" + std::to_string(pri) + ">1 " + rfc5424_timestamp(r.time, utc_offset_s) + " " +
           header_field(id.hostname, 255) + " " + header_field(id.app_name, 48) + " " + procid +
           " " + header_field(mnemonic_name(r.mnemonic), 32) + " " + structured_data(r) + " %" +
           r.mnemonic + ": " + r.text;
}

std::string format_ios(const LogRecord& r, int utc_offset_s) {
    static constexpr std::array<const char*, 12> kMonths = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const Broken b = broken_down(r.time, utc_offset_s);
    char ts[32];
    std::snprintf(ts, sizeof ts, "%s %2d %02d:%02d:%02d.%03d", kMonths[b.tm.tm_mon], b.tm.tm_mday,
                  b.tm.tm_hour, b.tm.tm_min, b.tm.tm_sec, b.micros / 1000);
    return std::string(ts) + ": %" + r.mnemonic + ": " + r.text;
}

namespace {

constexpr std::pair<std::string_view, int> kFacilityNames[] = {
    {"kern", 0},   {"user", 1}, {"mail", 2}, {"daemon", 3}, {"auth", 4},
    {"syslog", 5}, {"lpr", 6},  {"news", 7}, {"uucp", 8},   {"cron", 9}};

}  // namespace

int facility_code(std::string_view name) {
    for (const auto& [n, code] : kFacilityNames)
        if (n == name) return code;
    if (name.size() == 6 && name.starts_with("local") && name[5] >= '0' && name[5] <= '7')
        return kFacilityLocal0 + (name[5] - '0');
    return -1;
}

std::string facility_name(int code) {
    for (const auto& [n, c] : kFacilityNames)
        if (c == code) return std::string(n);
    if (code >= kFacilityLocal0 && code < kFacilityLocal0 + 8)
        return "local" + std::to_string(code - kFacilityLocal0);
    return std::to_string(code);
}

}  // namespace espgw::control
