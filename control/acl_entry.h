// One permit/deny entry of a standard or extended access list.
#pragma once

#include "control/config_model.h"
#include "control/parse_context.h"

namespace espgw::control {

// Parses the tokens from `i` (just after permit|deny) into `e`; reports errors and returns false.
bool parse_acl_entry(ParseContext& ctx, const Line& l, size_t i, AclKind kind, AclEntry* e);

}  // namespace espgw::control
