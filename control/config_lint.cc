#include "control/config_lint.h"

#include <algorithm>
#include <map>
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

AclIndex::AclIndex(const Config& cfg) {
    for (const AccessList& a : cfg.access_lists)
        by_name_.emplace(a.name, &a);
}

const AccessList* AclIndex::find(std::string_view name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
}

std::vector<SpdEntry> spd_entries(const Config& cfg) {
    const AclIndex acls(cfg);
    std::map<std::string, bool> applied;  // map name -> installed on an interface
    std::vector<SpdEntry> v;
    for (const CryptoMapEntry& e : cfg.crypto_maps) {
        auto [it, fresh] = applied.emplace(e.map, false);
        if (fresh) it->second = map_interface(cfg, e.map) != nullptr;
        const AccessList* acl = acls.find(e.match_acl);
        if (e.dynamic_map.empty() && acl && it->second) v.push_back({&e, acl});
    }
    std::sort(v.begin(), v.end(), [](const SpdEntry& a, const SpdEntry& b) {
        return std::tie(a.entry->seq, a.entry->map) < std::tie(b.entry->seq, b.entry->map);
    });
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
