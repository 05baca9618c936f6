// Valid IOS commands espgw has no use for. design.md: such non-crypto lines are reported as
// ignored with their line numbers, never as errors. Crypto features espgw does not implement yet
// (certificates, IKEv2 profiles, VTI) are warnings: the configuration may rely on them.
#include "control/parser_internal.h"

namespace espgw::control {
namespace {

void ignore_line(ParseContext& ctx, const Line& l, size_t) {
    ctx.ignored(l, "'" + std::string(l.quotable(3)) + "' is not used by espgw");
}

// A command that opens a block (`line vty 0 4`): its indented lines are ignored with it.
void ignore_block(ParseContext& ctx, const Line& l, size_t arg) {
    ignore_line(ctx, l, arg);
    ctx.enter(Block::kIgnored, l, 0, std::string(l.quotable(3)));
}

void unsupported_crypto(ParseContext& ctx, const Line& l, size_t arg) {
    ctx.warning(l, "'" + std::string(l.head(arg)) + "' is not supported yet: ignored",
                "espgw keys manually or with pre-shared keys over IKEv1 crypto maps");
    ctx.enter(Block::kIgnored, l, 0, std::string(l.head(arg)));
}

// `banner motd ^C ... ^C`: everything up to the closing delimiter is text.
void banner(ParseContext& ctx, const Line& l, size_t arg) {
    ignore_line(ctx, l, arg);
    if (l.size() < arg + 2) return;
    const std::string_view text = l.rest(arg + 1);
    const std::string_view delim = text.substr(0, text.starts_with("^C") ? 2 : 1);
    if (text.find(delim, delim.size()) != std::string_view::npos) return;  // one-line banner
    ctx.banner_delimiter = std::string(delim);
    ctx.enter(Block::kBanner, l, 0, "banner");
}

constexpr Command kIgnored[] = {
    {"version", ignore_line},
    {"service", ignore_line},
    {"no", ignore_line},
    {"logging", ignore_line},
    {"username", ignore_line},
    {"aaa", ignore_line},
    {"enable", ignore_line},
    {"clock", ignore_line},
    {"boot", ignore_line},
    {"boot-start-marker", ignore_line},
    {"boot-end-marker", ignore_line},
    {"ip", ignore_line},
    {"ipv6", ignore_line},
    {"call", ignore_line},
    {"snmp-server", ignore_line},
    {"ntp", ignore_line},
    {"alias", ignore_line},
    {"scheduler", ignore_line},
    {"memory-size", ignore_line},
    {"spanning-tree", ignore_line},
    {"vtp", ignore_line},
    {"multilink", ignore_line},
    {"license", ignore_line},
    {"cdp", ignore_line},
    {"tftp-server", ignore_line},
    {"privilege", ignore_line},
    {"hw-module", ignore_line},
    {"exception", ignore_line},
    {"sysopt", ignore_line},
    {"isdn", ignore_line},
    {"voice-card", ignore_line},
    {"diagnostic", ignore_line},
    {"login", ignore_line},
    {"security", ignore_line},
    {"process-max-time", ignore_line},
    {"file", ignore_line},
    {"mmi", ignore_line},
    {"access-class", ignore_line},
    {"default", ignore_line},
    {"banner", banner},
    {"line", ignore_block},
    {"controller", ignore_block},
    {"dial-peer", ignore_block},
    {"mgcp", ignore_block},
    {"router", ignore_block},
    {"route-map", ignore_block},
    {"class-map", ignore_block},
    {"policy-map", ignore_block},
    {"key chain", ignore_block},
    {"voice-port", ignore_block},
    {"voice", ignore_block},
    {"telephony-service", ignore_block},
    {"control-plane", ignore_block},
    {"gatekeeper", ignore_block},
    {"redundancy", ignore_block},
    {"vlan", ignore_block},
    {"archive", ignore_block},
    {"track", ignore_block},
    {"event", ignore_block},
    {"kron", ignore_block},
    {"template", ignore_block},
    {"ip dhcp pool", ignore_block},
    {"ip vrf", ignore_block},
    {"ip sla", ignore_block},
    {"crypto pki", unsupported_crypto},
    {"crypto ca", unsupported_crypto},
    {"crypto key", unsupported_crypto},
    {"crypto ikev2", unsupported_crypto},
    {"crypto ipsec profile", unsupported_crypto},
    {"crypto ipsec client", unsupported_crypto},
    {"crypto ipsec optional", unsupported_crypto},
    {"crypto logging", unsupported_crypto},
    {"crypto engine", unsupported_crypto},
    {"crypto isakmp invalid-spi-recovery", unsupported_crypto},
    {"crypto isakmp aggressive-mode", unsupported_crypto},
    {"crypto isakmp xauth", unsupported_crypto},
    {"crypto isakmp fragmentation", unsupported_crypto},
};

}  // namespace

std::span<const Command> ignored_commands() {
    return kIgnored;
}

}  // namespace espgw::control
