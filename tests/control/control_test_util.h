// Helpers of the control tests: reading the sample configurations, picking diagnostics.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "control/config_parser.h"
#include "control/policy_compiler.h"

namespace espgw::control::test {

inline std::string read_config(const std::string& name) {
    std::ifstream f(std::string(ESPGW_CONTROL_CONFIGS) + "/" + name);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

inline std::vector<Diagnostic> of_severity(const std::vector<Diagnostic>& diags, Severity s) {
    std::vector<Diagnostic> out;
    for (const Diagnostic& d : diags)
        if (d.severity == s) out.push_back(d);
    return out;
}

inline std::vector<int> lines_of(const std::vector<Diagnostic>& diags, Severity s) {
    std::vector<int> out;
    for (const Diagnostic& d : of_severity(diags, s))
        out.push_back(d.line);
    return out;
}

inline std::string dump(const std::vector<Diagnostic>& diags) {
    std::string s;
    for (const Diagnostic& d : diags)
        s += format_diagnostic(d) + "\n";
    return s;
}

// Parses text that must have no error, and returns the model.
inline Config parse_clean(const std::string& text) {
    ParseResult r = parse_config(text);
    EXPECT_TRUE(r.ok()) << dump(r.diagnostics);
    return r.config;
}

inline CompiledPolicy compile_clean(const std::string& text) {
    ParseResult r = parse_config(text);
    EXPECT_TRUE(r.ok()) << dump(r.diagnostics);
    std::vector<Diagnostic> diags;
    CompiledPolicy p = compile(r.config, &diags);
    EXPECT_FALSE(has_errors(diags)) << dump(diags);
    return p;
}

}  // namespace espgw::control::test
