#include "control/diagnostic.h"

#include <algorithm>

namespace espgw::control {

std::string_view severity_name(Severity s) {
    switch (s) {
        case Severity::kError:
            return "error";
        case Severity::kWarning:
            return "warning";
        case Severity::kIgnored:
            return "ignored";
    }
    return "?";
}

std::string format_diagnostic(const Diagnostic& d, std::string_view file) {
    std::string out(file);
    out += ':' + std::to_string(d.line) + ": ";
    out += severity_name(d.severity);
    out += ": " + d.message;
    if (!d.hint.empty()) out += " (hint: " + d.hint + ")";
    return out;
}

size_t count_severity(const std::vector<Diagnostic>& diags, Severity s) {
    return static_cast<size_t>(std::count_if(diags.begin(), diags.end(),
                                             [s](const Diagnostic& d) { return d.severity == s; }));
}

}  // namespace espgw::control
