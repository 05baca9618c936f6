// `espgw-control --check`: the lint rules that run after the parser, the validator and the
// compiler. They report configurations that load but probably do not do what was meant: SPD
// lines that never match or overlap another entry, manual keys mirrored between directions,
// legacy algorithms, an MTU too small for the IPsec overhead. All findings are warnings; what
// cannot run at all is already an error of the parser, validator or compiler.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "control/config_model.h"
#include "control/diagnostic.h"

namespace espgw::control {

// Appends the lint findings for `cfg` (a configuration parse_config accepted) to `diags`.
void lint_config(const Config& cfg, std::vector<Diagnostic>* diags);

// Exit statuses of `espgw-control --check`, like promtool's: 0 clean, 1 errors (the file cannot
// be applied, or read), 3 warnings only. With `allow_warnings` (the systemd ExecStartPre) a file
// with warnings only exits 0.
inline constexpr int kCheckClean = 0;
inline constexpr int kCheckErrors = 1;
inline constexpr int kCheckWarnings = 3;

struct CheckOptions {
    bool allow_warnings = false;
};

// Reads, parses, validates, compiles and lints `path`; prints one line per finding
// ("FILE:LINE: warning: TEXT (hint: HINT)") and a summary line to `out`. Returns the exit status.
int check_config_file(const std::string& path, const CheckOptions& o, std::FILE* out);

// The same for text already read (tests); `name` is the file name the lines start with.
int check_config_text(const std::string& text, const std::string& name, const CheckOptions& o,
                      std::FILE* out);

}  // namespace espgw::control
