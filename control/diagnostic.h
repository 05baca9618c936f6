// What the parser, the validator and the compiler report about a configuration. Every finding is
// a value with its line number; nothing in control/ throws to report a bad configuration.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace espgw::control {

// kIgnored: a valid IOS line espgw has no use for (`line vty 0 4`, `duplex auto`).
// kWarning: accepted, but probably not what was meant, or not supported yet.
// kError: the configuration cannot be applied as written.
enum class Severity : uint8_t { kError, kWarning, kIgnored };

struct Diagnostic {
    int line = 0;  // 1-based; 0 when the finding concerns the configuration as a whole
    Severity severity = Severity::kError;
    std::string message;  // never contains key material
    std::string hint;     // how to fix it, may be empty
    bool operator==(const Diagnostic&) const = default;
};

std::string_view severity_name(Severity s);

// "site-a.cfg:17: error: unknown transform 'esp-sha-hmca' (hint: did you mean esp-sha-hmac?)"
std::string format_diagnostic(const Diagnostic& d, std::string_view file = "config");

size_t count_severity(const std::vector<Diagnostic>& diags, Severity s);
inline bool has_errors(const std::vector<Diagnostic>& diags) {
    return count_severity(diags, Severity::kError) > 0;
}

}  // namespace espgw::control
