// The global commands espgw reads. Everything a crypto or routing line can say is parsed by the
// handler of its construct, one file each.
#include "control/parser_internal.h"

namespace espgw::control {
namespace {

void hostname(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 1, "hostname NAME") || !ctx.no_extra(l, arg + 1, "hostname NAME"))
        return;
    if (l.tokens[arg].size() > 63) return ctx.error(l, "the hostname is longer than 63 characters");
    ctx.cfg.hostname = std::string(l.tokens[arg]);
}

// `no crypto ...` other than the forms below would remove state a startup file never had.
void no_crypto(ParseContext& ctx, const Line& l, size_t) {
    ctx.error(l, "'" + std::string(l.head(3)) + "' is not supported in a startup configuration",
              "leave the line out");
}

constexpr Command kGlobal[] = {
    {"hostname", hostname},
    {"interface", parse_interface},
    {"ip route", parse_ip_route},
    {"ip access-list standard", parse_named_standard_acl},
    {"ip access-list extended", parse_named_extended_acl},
    {"ip local pool", parse_ip_local_pool},
    {"arp", parse_arp},
    {"access-list", parse_numbered_acl},
    {"crypto ipsec transform-set", parse_transform_set},
    {"crypto ipsec security-association", parse_ipsec_sa_global},
    {"crypto ipsec fragmentation", parse_ipsec_fragmentation},
    {"crypto ipsec df-bit", parse_ipsec_df_bit},
    {"crypto ipsec nat-transparency", parse_nat_transparency},
    {"crypto map", parse_crypto_map},
    {"crypto dynamic-map", parse_dynamic_map},
    {"crypto isakmp policy", parse_isakmp_policy},
    {"crypto isakmp key", parse_isakmp_key},
    {"crypto keyring", parse_keyring},
    {"crypto isakmp profile", parse_isakmp_profile},
    {"crypto isakmp client configuration group", parse_client_group},
    {"crypto isakmp nat-traversal", parse_isakmp_nat_traversal},
    {"crypto isakmp keepalive", parse_isakmp_keepalive},
    {"crypto isakmp identity", parse_isakmp_identity},
    {"crypto isakmp enable", parse_isakmp_enable},
    {"logging host", parse_logging_host},
    {"logging facility", parse_logging_facility},
    {"logging trap", parse_logging_trap},
    {"no crypto", no_crypto},
    {"no crypto isakmp enable", parse_no_isakmp_enable},
    {"no crypto ipsec nat-transparency", parse_no_nat_transparency},
};

}  // namespace

std::span<const Command> global_commands() {
    return kGlobal;
}

}  // namespace espgw::control
