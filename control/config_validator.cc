// Checks that need the whole file: names that refer to other constructs, complete manual
// entries, and session keys of the length their transform set needs.
#include <algorithm>
#include <map>
#include <set>

#include "control/config_parser.h"
#include "control/key_length.h"

namespace espgw::control {
namespace {

class Validator {
  public:
    Validator(const Config& cfg, std::vector<Diagnostic>* diags) : cfg_(cfg), diags_(diags) {}

    void run() {
        for (const CryptoMapEntry& e : cfg_.crypto_maps)
            entry(e, false);
        for (const CryptoMapEntry& e : cfg_.dynamic_maps)
            entry(e, true);
        inbound_spis();
        interfaces();
        isakmp_references();
    }

  private:
    void add(int line, Severity s, std::string message, std::string hint = {}) {
        diags_->push_back(Diagnostic{line, s, std::move(message), std::move(hint)});
    }

    static std::string entry_name(const CryptoMapEntry& e, bool dynamic) {
        return std::string(dynamic ? "crypto dynamic-map " : "crypto map ") + e.map + " " +
               std::to_string(e.seq);
    }

    void entry(const CryptoMapEntry& e, bool dynamic) {
        transform_refs(e);
        if (e.kind == MapKind::kManual) return manual_entry(e);
        if (!e.dynamic_map.empty()) return dynamic_ref(e);
        isakmp_entry(e, dynamic);
    }

    // IOS refuses a transform set name it does not know.
    void transform_refs(const CryptoMapEntry& e) {
        for (const std::string& name : e.transform_sets)
            if (!cfg_.find_transform_set(name))
                add(e.transform_line, Severity::kError, "transform set " + name + " does not exist",
                    "define crypto ipsec transform-set " + name + " ...");
    }

    // An entry whose own lines had errors is incomplete because of them: saying so again would
    // only repeat the errors.
    bool errors_within(const CryptoMapEntry& e) const {
        return std::any_of(diags_->begin(), diags_->end(), [&](const Diagnostic& d) {
            return d.severity == Severity::kError && d.line >= e.line &&
                   d.line <= std::max(e.line, e.end_line);
        });
    }

    // E61 "crypto map entry incomplete": a manual entry cannot be installed without all parts.
    void manual_entry(const CryptoMapEntry& e) {
        const std::string name = entry_name(e, false);
        if (errors_within(e)) return session_keys(e, name, false);
        if (e.peers.empty())
            add(e.line, Severity::kError, name + " has no peer", "add set peer A.B.C.D");
        if (e.transform_sets.empty())
            add(e.line, Severity::kError, name + " has no transform set",
                "add set transform-set NAME");
        if (e.match_acl.empty())
            add(e.line, Severity::kError, name + " has no match address", "add match address ACL");
        else if (!cfg_.find_acl(e.match_acl))
            add(e.match_line, Severity::kError, "access list " + e.match_acl + " does not exist");
        session_keys(e, name, true);
    }

    void session_keys(const CryptoMapEntry& e, const std::string& name, bool report_missing) {
        const TransformSet* ts =
            e.transform_sets.empty() ? nullptr : cfg_.find_transform_set(e.transform_sets[0]);
        for (const auto* k : {&e.inbound, &e.outbound}) {
            const char* dir = k == &e.inbound ? "inbound" : "outbound";
            if (!k->has_value() && report_missing)
                add(e.line, Severity::kError, name + " has no " + dir + " session key",
                    std::string("add set session-key ") + dir + " esp SPI cipher KEY ...");
            else if (k->has_value() && ts)
                for (const Diagnostic& d : check_key_lengths(**k, *ts))
                    diags_->push_back(d);
        }
    }

    void dynamic_ref(const CryptoMapEntry& e) {
        const bool known = std::any_of(cfg_.dynamic_maps.begin(), cfg_.dynamic_maps.end(),
                                       [&](auto& d) { return d.map == e.dynamic_map; });
        if (!known)
            add(e.line, Severity::kWarning, "dynamic map " + e.dynamic_map + " has no entries");
    }

    static std::string missing_peer_or_acl(const CryptoMapEntry& e) {
        if (e.peers.empty() && e.match_acl.empty())
            return "add set peer A.B.C.D and match address ACL";
        return e.peers.empty() ? "add set peer A.B.C.D" : "add match address ACL";
    }

    // IOS accepts incomplete IKE entries, leaves them disabled and says so in these words.
    void isakmp_entry(const CryptoMapEntry& e, bool dynamic) {
        const std::string name = entry_name(e, dynamic);
        if (!dynamic && (e.peers.empty() || e.match_acl.empty()))
            add(e.line, Severity::kWarning,
                name +
                    ": % NOTE: This new crypto map will remain disabled until a peer and a valid "
                    "access list have been configured.",
                missing_peer_or_acl(e));
        if (e.transform_sets.empty())
            add(e.line, Severity::kWarning, name + " is incomplete: no transform set",
                "add set transform-set NAME");
        if (!e.match_acl.empty() && !cfg_.find_acl(e.match_acl))
            add(e.match_line, Severity::kWarning, "access list " + e.match_acl + " does not exist");
        profile_ref(e.line, e.isakmp_profile);
    }

    void profile_ref(int line, const std::string& name) {
        if (name.empty()) return;
        const bool known = std::any_of(cfg_.isakmp_profiles.begin(), cfg_.isakmp_profiles.end(),
                                       [&](auto& p) { return p.name == name; });
        if (!known) add(line, Severity::kWarning, "isakmp profile " + name + " does not exist");
    }

    // The dataplane finds inbound SAs by SPI (RFC 4301 §4.1): two manual SAs may not share one.
    void inbound_spis() {
        std::map<uint32_t, const CryptoMapEntry*> seen;
        for (const CryptoMapEntry& e : cfg_.crypto_maps) {
            if (e.kind != MapKind::kManual || !e.inbound) continue;
            auto [it, fresh] = seen.emplace(e.inbound->spi, &e);
            if (!fresh)
                add(e.inbound->line, Severity::kError,
                    "inbound SPI " + std::to_string(e.inbound->spi) + " is already used by " +
                        entry_name(*it->second, false),
                    "each inbound SA needs its own SPI");
        }
    }

    bool map_has_entries(const std::string& name) const {
        return std::any_of(cfg_.crypto_maps.begin(), cfg_.crypto_maps.end(),
                           [&](auto& e) { return e.map == name; });
    }

    void interfaces() {
        std::set<uint16_t> ports;
        for (const InterfaceConfig& i : cfg_.interfaces) {
            if (i.dpdk_port && !ports.insert(*i.dpdk_port).second)
                add(i.line, Severity::kError,
                    "dpdk-port " + std::to_string(*i.dpdk_port) + " is bound to two interfaces");
            if (!i.crypto_map.empty() && !map_has_entries(i.crypto_map))
                add(i.crypto_map_line, Severity::kWarning,
                    "crypto map " + i.crypto_map + " has no entries");
        }
    }

    void isakmp_references() {
        for (const IsakmpProfile& p : cfg_.isakmp_profiles) {
            const bool known =
                p.keyring.empty() || std::any_of(cfg_.keyrings.begin(), cfg_.keyrings.end(),
                                                 [&](auto& k) { return k.name == p.keyring; });
            if (!known) add(p.line, Severity::kWarning, "keyring " + p.keyring + " does not exist");
        }
        for (const ClientGroup& g : cfg_.client_groups) {
            const bool known =
                g.pool.empty() || std::any_of(cfg_.local_pools.begin(), cfg_.local_pools.end(),
                                              [&](auto& p) { return p.name == g.pool; });
            if (!known)
                add(g.line, Severity::kWarning, "ip local pool " + g.pool + " does not exist");
        }
    }

    const Config& cfg_;
    std::vector<Diagnostic>* diags_;
};

}  // namespace

void validate_config(const Config& cfg, std::vector<Diagnostic>* diags) {
    Validator(cfg, diags).run();
}

}  // namespace espgw::control
