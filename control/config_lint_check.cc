// `espgw-control --check FILE`: every finding of the parser, the validator, the compiler and the
// lint, one line each, then a summary; the exit status says whether the file is clean.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "control/config_lint.h"
#include "control/config_parser.h"
#include "control/policy_compiler.h"

namespace espgw::control {
namespace {

std::string count(size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

std::string summary(const std::string& name, const std::vector<Diagnostic>& diags) {
    const size_t errors = count_severity(diags, Severity::kError);
    const size_t warnings = count_severity(diags, Severity::kWarning);
    std::string s = name + ": " + count(errors, "error") + ", " + count(warnings, "warning") +
                    ", " + count(count_severity(diags, Severity::kIgnored), "ignored line");
    if (errors) return s + ": the configuration cannot be applied";
    return s + (warnings ? ": the configuration can be applied" : ": clean");
}

int exit_status(const std::vector<Diagnostic>& diags, const CheckOptions& o) {
    if (has_errors(diags)) return kCheckErrors;
    if (count_severity(diags, Severity::kWarning) && !o.allow_warnings) return kCheckWarnings;
    return kCheckClean;
}

}  // namespace

int check_config_text(const std::string& text, const std::string& name, const CheckOptions& o,
                      std::FILE* out) {
    ParseResult r = parse_config(text);
    const bool parsed = r.ok();
    std::vector<Diagnostic> diags = std::move(r.diagnostics);
    // The compiler and the lint reason about a complete model: a file with parse errors gets
    // those first.
    if (parsed) {
        compile(r.config, &diags);
        lint_config(r.config, &diags);
    }
    std::stable_sort(diags.begin(), diags.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
    for (const Diagnostic& d : diags)
        std::fprintf(out, "%s\n", format_diagnostic(d, name).c_str());
    std::fprintf(out, "%s\n", summary(name, diags).c_str());
    return exit_status(diags, o);
}

int check_config_file(const std::string& path, const CheckOptions& o, std::FILE* out) {
    std::ifstream f(path);
    if (!f) {
        std::fprintf(out, "%s: cannot be read\n", path.c_str());
        return kCheckErrors;
    }
    std::stringstream ss;
    ss << f.rdbuf();
    return check_config_text(ss.str(), path, o, out);
}

}  // namespace espgw::control
