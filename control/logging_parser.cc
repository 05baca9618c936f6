// `logging host`, `logging facility` and `logging trap`: where and how much of the event log
// goes to syslog servers. Other `logging ...` lines (buffered, console, ...) stay ignored.
#include "control/parser_internal.h"
#include "control/syslog_format.h"

namespace espgw::control {
namespace {

constexpr std::string_view kHostUsage = "logging host A.B.C.D [transport udp [port N]]";
constexpr std::string_view kTrapUsage =
    "logging trap {0-7 | emergencies | alerts | critical | errors | warnings | notifications | "
    "informational | debugging}";

// IOS's names of the severity levels, 0 to 7.
constexpr std::string_view kLevels[] = {"emergencies",   "alerts",   "critical",
                                        "errors",        "warnings", "notifications",
                                        "informational", "debugging"};

// `transport udp [port N]` from token i on.
bool host_transport(ParseContext& ctx, const Line& l, size_t i, LoggingHost* h) {
    if (i == l.size()) return true;
    if (!l.is(i, "transport") || i + 1 == l.size())
        return ctx.error(l, "unexpected '" + std::string(l.tokens[i]) + "'",
                         std::string(kHostUsage)),
               false;
    if (!l.is(i + 1, "udp"))
        return ctx.error(l, "only UDP syslog is supported", std::string(kHostUsage)), false;
    if (i + 2 == l.size()) return true;
    if (!l.is(i + 2, "port") || !ctx.need(l, i + 4, kHostUsage) ||
        !ctx.no_extra(l, i + 4, kHostUsage))
        return ctx.error(l, "expected 'port N' after 'transport udp'", std::string(kHostUsage)),
               false;
    const auto port = ctx.number(l, i + 3, 1, 65535, "the UDP port");
    if (port) h->port = static_cast<uint16_t>(*port);
    return port.has_value();
}

}  // namespace

void parse_logging_host(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 1, kHostUsage)) return;
    if (l.is(arg, "vrf")) return ctx.error(l, "VRF syslog hosts are not supported");
    if (!Ipv4::parse(l.tokens[arg]))
        return ctx.error(l, "'" + std::string(l.tokens[arg]) + "' is not an IPv4 address",
                         "espgw resolves no host names: give the server's address");
    LoggingHost h{.line = l.number, .address = *Ipv4::parse(l.tokens[arg])};
    if (!host_transport(ctx, l, arg + 1, &h)) return;
    ctx.cfg.logging.hosts.push_back(h);
}

void parse_logging_facility(ParseContext& ctx, const Line& l, size_t arg) {
    constexpr std::string_view kUsage = "logging facility {local0-7 | kern | user | daemon | ...}";
    if (!ctx.need(l, arg + 1, kUsage) || !ctx.no_extra(l, arg + 1, kUsage)) return;
    const int f = facility_code(l.tokens[arg]);
    if (f < 0)
        return ctx.error(l, "unknown syslog facility '" + std::string(l.tokens[arg]) + "'",
                         "IOS logs to local7");
    ctx.cfg.logging.facility = f;
}

void parse_logging_trap(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 1, kTrapUsage) || !ctx.no_extra(l, arg + 1, kTrapUsage)) return;
    for (int level = 0; level < 8; ++level) {
        if (l.is(arg, kLevels[level]) || l.is(arg, std::to_string(level))) {
            ctx.cfg.logging.trap = level;
            return;
        }
    }
    ctx.error(l, "unknown logging level '" + std::string(l.tokens[arg]) + "'",
              std::string(kTrapUsage));
}

}  // namespace espgw::control
