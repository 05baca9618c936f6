// Shared by the lint rules (one file per rule family): the findings list and the crypto map
// entries in the dataplane's SPD order.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "control/config_model.h"
#include "control/diagnostic.h"

namespace espgw::control::lint {

class Findings {
  public:
    explicit Findings(std::vector<Diagnostic>* diags) : diags_(diags) {}
    void warn(int line, std::string message, std::string hint = {}) {
        diags_->push_back(
            Diagnostic{line, Severity::kWarning, std::move(message), std::move(hint)});
    }

  private:
    std::vector<Diagnostic>* diags_;
};

// "crypto map VPN 10"
std::string entry_name(const CryptoMapEntry& e);

// Access lists by name: Config::find_acl scans, and configurations hold thousands of lists.
class AclIndex {
  public:
    explicit AclIndex(const Config& cfg);
    const AccessList* find(std::string_view name) const;

  private:
    std::unordered_map<std::string_view, const AccessList*> by_name_;
};

struct SpdEntry {
    const CryptoMapEntry* entry;
    const AccessList* acl;
};

// The interface whose crypto map `map` is installed on (as the compiler picks it), or null.
const InterfaceConfig* map_interface(const Config& cfg, const std::string& map);

// Static crypto map entries whose map is applied to a usable interface and whose access list
// exists, in the order the SPD evaluates them: sequence number, then map name
// (control/spd_compiler.cc). IKE entries are included: their rules join the same SPD once
// negotiated.
std::vector<SpdEntry> spd_entries(const Config& cfg);

// The rule families.
void spd_overlaps(const Config& cfg, Findings& f);       // config_lint_spd.cc
void manual_selectors(const Config& cfg, Findings& f);   // config_lint_selectors.cc
void mirrored_keys(const Config& cfg, Findings& f);      // config_lint_keys.cc
void mtu_overhead(const Config& cfg, Findings& f);       // config_lint_mtu.cc
void references(const Config& cfg, Findings& f);         // config_lint_refs.cc
void legacy_algorithms(const Config& cfg, Findings& f);  // config_lint_algorithms.cc

}  // namespace espgw::control::lint
