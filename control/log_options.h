// espgw-control's command-line options for its event log:
//   --log stdout|file:PATH|unix[:PATH]|udp:HOST[:PORT]   (repeatable; default stdout)
//   --log-format ios|rfc5424     form of stdout and file lines (sockets always get RFC 5424)
//   --log-facility NAME          local7 (IOS's default), local0..6, daemon, ...
//   --log-rate N --log-burst N   lines per second per (reason, SA), and the burst allowed
#pragma once

#include <string>
#include <vector>

#include "control/rate_limiter.h"
#include "control/syslog_sink.h"

namespace espgw::control {

struct LogOptions {
    std::vector<std::string> destinations;  // as given; resolved once the format is known
    LineFormat stream_format = LineFormat::kIos;
    int facility = -1;  // -1: the configuration's `logging facility`, else local7
    RateLimit rate;
};

inline constexpr const char* kLogUsage =
    "[--log stdout|file:PATH|unix[:PATH]|udp:HOST[:PORT]]... [--log-format ios|rfc5424] "
    "[--log-facility local0..7] [--log-rate N] [--log-burst N]";

// If argv[*i] is a log option, consumes it and its value (advancing *i) and returns true; a
// wrong value sets *error. False (and *i untouched) for any other argument.
bool parse_log_option(int argc, char** argv, int* i, LogOptions* o, std::string* error);

// The sinks the options name (stdout when none), each checked for syntax.
bool resolve_sinks(const LogOptions& o, std::vector<SinkSpec>* out, std::string* error);

}  // namespace espgw::control
