#include "control/log_options.h"

#include <cstdlib>
#include <string_view>

#include "control/syslog_format.h"

namespace espgw::control {
namespace {

bool positive_number(const char* s, double max, double* out) {
    char* end = nullptr;
    const double v = std::strtod(s, &end);
    if (end == s || *end != '\0' || !(v > 0) || v > max) return false;
    *out = v;
    return true;
}

bool set_value(std::string_view opt, const char* v, LogOptions* o, std::string* error) {
    double n = 0;
    if (opt == "--log") {
        o->destinations.emplace_back(v);
    } else if (opt == "--log-format") {
        const std::string_view f = v;
        if (f != "ios" && f != "rfc5424") return *error = "--log-format is ios or rfc5424", false;
        o->stream_format = f == "ios" ? LineFormat::kIos : LineFormat::kRfc5424;
    } else if (opt == "--log-facility") {
        o->facility = facility_code(v);
        if (o->facility < 0) return *error = std::string("unknown syslog facility ") + v, false;
    } else if (opt == "--log-rate") {
        if (!positive_number(v, 1e6, &n))
            return *error = "--log-rate wants lines per second > 0", false;
        o->rate.per_second = n;
    } else {  // --log-burst
        if (!positive_number(v, 1e6, &n) || n != static_cast<uint32_t>(n))
            return *error = "--log-burst wants a whole number of lines > 0", false;
        o->rate.burst = static_cast<uint32_t>(n);
    }
    return true;
}

}  // namespace

bool parse_log_option(int argc, char** argv, int* i, LogOptions* o, std::string* error) {
    static constexpr std::string_view kOptions[] = {"--log", "--log-format", "--log-facility",
                                                    "--log-rate", "--log-burst"};
    const std::string_view a = argv[*i];
    for (std::string_view opt : kOptions) {
        if (a != opt) continue;
        if (*i + 1 >= argc) {
            *error = std::string(opt) + " needs a value";
            return true;
        }
        set_value(opt, argv[++*i], o, error);
        return true;
    }
    return false;
}

bool resolve_sinks(const LogOptions& o, std::vector<SinkSpec>* out, std::string* error) {
    out->clear();
    for (const std::string& d : o.destinations) {
        auto s = parse_sink_spec(d, o.stream_format, error);
        if (!s) return false;
        out->push_back(*s);
    }
    if (out->empty()) out->push_back(*parse_sink_spec("stdout", o.stream_format, error));
    return true;
}

}  // namespace espgw::control
