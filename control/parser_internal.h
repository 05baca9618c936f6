// The command parsers of each configuration construct, one file each, and the tables that
// dispatch to them. Internal to the parser: the public entry point is config_parser.h.
#pragma once

#include <span>

#include "control/command_table.h"
#include "control/parse_context.h"

namespace espgw::control {

// Global commands espgw uses, and valid IOS commands it ignores (ignored_commands.cc).
std::span<const Command> global_commands();
std::span<const Command> ignored_commands();

// Sub-commands of each block.
std::span<const Command> interface_commands();
std::span<const Command> acl_commands();
std::span<const Command> transform_set_commands();
std::span<const Command> crypto_map_commands();
std::span<const Command> isakmp_policy_commands();
std::span<const Command> keyring_commands();
std::span<const Command> isakmp_profile_commands();
std::span<const Command> client_group_commands();

// Global command handlers.
void parse_interface(ParseContext& ctx, const Line& l, size_t arg);
void parse_ip_route(ParseContext& ctx, const Line& l, size_t arg);
void parse_arp(ParseContext& ctx, const Line& l, size_t arg);
void parse_ip_local_pool(ParseContext& ctx, const Line& l, size_t arg);
void parse_numbered_acl(ParseContext& ctx, const Line& l, size_t arg);
void parse_named_standard_acl(ParseContext& ctx, const Line& l, size_t arg);
void parse_named_extended_acl(ParseContext& ctx, const Line& l, size_t arg);
void parse_transform_set(ParseContext& ctx, const Line& l, size_t arg);
void parse_ipsec_sa_global(ParseContext& ctx, const Line& l, size_t arg);
void parse_ipsec_fragmentation(ParseContext& ctx, const Line& l, size_t arg);
void parse_ipsec_df_bit(ParseContext& ctx, const Line& l, size_t arg);
void parse_nat_transparency(ParseContext& ctx, const Line& l, size_t arg);
void parse_no_nat_transparency(ParseContext& ctx, const Line& l, size_t arg);
void parse_crypto_map(ParseContext& ctx, const Line& l, size_t arg);
void parse_dynamic_map(ParseContext& ctx, const Line& l, size_t arg);
void parse_isakmp_policy(ParseContext& ctx, const Line& l, size_t arg);
void parse_isakmp_key(ParseContext& ctx, const Line& l, size_t arg);
void parse_isakmp_nat_traversal(ParseContext& ctx, const Line& l, size_t arg);
void parse_isakmp_keepalive(ParseContext& ctx, const Line& l, size_t arg);
void parse_isakmp_identity(ParseContext& ctx, const Line& l, size_t arg);
void parse_isakmp_enable(ParseContext& ctx, const Line& l, size_t arg);
void parse_no_isakmp_enable(ParseContext& ctx, const Line& l, size_t arg);
void parse_keyring(ParseContext& ctx, const Line& l, size_t arg);
void parse_isakmp_profile(ParseContext& ctx, const Line& l, size_t arg);
void parse_client_group(ParseContext& ctx, const Line& l, size_t arg);
void parse_logging_host(ParseContext& ctx, const Line& l, size_t arg);
void parse_logging_facility(ParseContext& ctx, const Line& l, size_t arg);
void parse_logging_trap(ParseContext& ctx, const Line& l, size_t arg);

// Crypto map entry sub-command parsed in its own file.
void parse_session_key(ParseContext& ctx, const Line& l, size_t arg);

// Shared by the global and the interface forms of `crypto ipsec fragmentation|df-bit`.
std::optional<FragPolicy> frag_policy_arg(ParseContext& ctx, const Line& l, size_t arg);
std::optional<DfBit> df_bit_arg(ParseContext& ctx, const Line& l, size_t arg);
// `idle-time N`, global or per crypto map entry: IOS's 60 to 86400 seconds.
std::optional<uint32_t> idle_time_arg(ParseContext& ctx, const Line& l, size_t arg);

// Runs the sub-command parser of the current block on `l` (used for ASA one-line forms such as
// `crypto map NAME SEQ set peer A`). False when no sub-command matches.
bool parse_in_block(ParseContext& ctx, const Line& l);

// `SEQ permit ...` inside a named access list; false when the line does not start with a number.
bool parse_acl_sequenced(ParseContext& ctx, const Line& l);

}  // namespace espgw::control
