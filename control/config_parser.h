// Reads an IOS-syntax startup configuration into the model. Never throws: every problem is a
// Diagnostic with its line number, sorted by line.
#pragma once

#include <string_view>
#include <vector>

#include "control/config_model.h"
#include "control/diagnostic.h"

namespace espgw::control {

struct ParseResult {
    Config config;
    std::vector<Diagnostic> diagnostics;
    bool ok() const { return !has_errors(diagnostics); }
};

ParseResult parse_config(std::string_view text);

// The cross-reference and key checks parse_config runs after reading the whole file (transform
// sets and ACLs may be defined after the crypto maps that name them).
void validate_config(const Config& cfg, std::vector<Diagnostic>* diags);

}  // namespace espgw::control
