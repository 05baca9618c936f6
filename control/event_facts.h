// The facts of a dataplane event as the log needs them: template variables (log_catalogue.h),
// RFC 5424 structured-data parameters, and the peer that debug filters match.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "control/log_catalogue.h"
#include "control/policy_compiler.h"
#include "sadb/wire.h"

namespace espgw::control {

struct EventFacts {
    Vars vars;
    std::vector<std::pair<std::string, std::string>> params;
    std::string peer;  // address text, empty if none
};

// A drop sample; `sa` is the SA it names (by conn id), or nullptr.
EventFacts drop_facts(const wire::DropSample& d, const CompiledSa* sa);

// An SA (created, deleted, lifetime event).
EventFacts sa_facts(const wire::Sa& sa);

}  // namespace espgw::control
