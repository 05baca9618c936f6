#include "control/config_lint.h"

#include <algorithm>
#include <tuple>

#include "control/compiler_internal.h"
#include "control/config_lint_internal.h"

namespace espgw::control {
namespace lint {

std::string entry_name(const CryptoMapEntry& e) {
    return "crypto map " + e.map + " " + std::to_string(e.seq);
}

const InterfaceConfig* map_interface(const Config& cfg, const std::string& map) {
    std::vector<Diagnostic> unused;  // interface_of_map reports nothing
    return CompileContext(cfg, &unused).interface_of_map(map);
}

std::vector<const CryptoMapEntry*> spd_entries(const Config& cfg) {
    std::vector<const CryptoMapEntry*> v;
    for (const CryptoMapEntry& e : cfg.crypto_maps)
        if (e.dynamic_map.empty() && cfg.find_acl(e.match_acl) && map_interface(cfg, e.map))
            v.push_back(&e);
    std::sort(v.begin(), v.end(),
              [](auto* a, auto* b) { return std::tie(a->seq, a->map) < std::tie(b->seq, b->map); });
    return v;
}

}  // namespace lint

void lint_config(const Config& cfg, std::vector<Diagnostic>* diags) {
    std::vector<Diagnostic> found;
    lint::Findings f(&found);
    lint::references(cfg, f);
    lint::legacy_algorithms(cfg, f);
    lint::mirrored_keys(cfg, f);
    lint::spd_overlaps(cfg, f);
    lint::manual_selectors(cfg, f);
    lint::mtu_overhead(cfg, f);
    std::stable_sort(found.begin(), found.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
    diags->insert(diags->end(), found.begin(), found.end());
}

}  // namespace espgw::control
