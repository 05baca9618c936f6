#include "control/policy_compiler.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "control/compiler_internal.h"

namespace espgw::control {

CompiledSa::~CompiledSa() {
    OPENSSL_cleanse(sa.cipher_key, sizeof(sa.cipher_key));
    OPENSSL_cleanse(sa.auth_key, sizeof(sa.auth_key));
}

const CompiledSa* CompiledPolicy::find_sa(uint32_t conn_id) const {
    auto it = std::find_if(sas.begin(), sas.end(),
                           [&](const CompiledSa& s) { return s.sa.conn_id == conn_id; });
    return it == sas.end() ? nullptr : &*it;
}

void CompileContext::error(int line, std::string message, std::string hint) {
    diags_->push_back(Diagnostic{line, Severity::kError, std::move(message), std::move(hint)});
}

void CompileContext::warning(int line, std::string message, std::string hint) {
    diags_->push_back(Diagnostic{line, Severity::kWarning, std::move(message), std::move(hint)});
}

const InterfaceConfig* CompileContext::interface_of_map(const std::string& map) const {
    const CryptoMapSet* set = cfg.find_map_set(map);
    if (set && !set->local_address.empty()) {
        const InterfaceConfig* i = cfg.find_interface(set->local_address);
        return i && usable(*i) && i->crypto_map == map ? i : nullptr;
    }
    for (const InterfaceConfig& i : cfg.interfaces)
        if (i.crypto_map == map && usable(i)) return &i;
    return nullptr;
}

const InterfaceConfig* CompileContext::connected_interface(Ipv4 a) const {
    for (const InterfaceConfig& i : cfg.interfaces)
        if (usable(i) && i.address_kind == AddressKind::kStatic &&
            Prefix::of(i.address, i.prefix_len).contains(a))
            return &i;
    return nullptr;
}

CompiledPolicy compile(const Config& cfg, std::vector<Diagnostic>* diags) {
    CompileContext ctx(cfg, diags);
    CompiledPolicy p;
    p.globals = compile_globals(ctx);
    p.interfaces = compile_interfaces(ctx);
    std::vector<InstalledEntry> installed;
    p.sas = compile_sas(ctx, &installed);
    p.spd = compile_spd(ctx, installed);
    p.routes = compile_routes(ctx);
    p.neighbors = compile_neighbors(ctx);
    std::stable_sort(diags->begin(), diags->end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
    return p;
}

}  // namespace espgw::control
