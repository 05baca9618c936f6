// Manual keys copied between directions. IOS users paste one `set session-key` line and edit the
// direction: the same key both ways lets a packet reflected back to this gateway verify, and with
// a counter-mode cipher (GCM, CTR) both directions encrypt under the same key with the same IVs,
// since each starts its sequence at 1 (RFC 4106 §3.1, RFC 3686 §3: an IV must never repeat under
// a key). A duplicate inbound SPI is the validator's error; duplicate outbound SPIs towards one
// peer are the peer's duplicate inbound SPIs, reported here.
#include <map>
#include <utility>

#include "control/config_lint_internal.h"

namespace espgw::control::lint {
namespace {

bool counter_mode(const Config& cfg, const CryptoMapEntry& e) {
    const TransformSet* ts =
        e.transform_sets.empty() ? nullptr : cfg.find_transform_set(e.transform_sets[0]);
    if (!ts) return false;
    const crypto::CipherFamily f = crypto::cipher_info(ts->cipher).family;
    return f == crypto::CipherFamily::kGcm || f == crypto::CipherFamily::kCtr;
}

bool same_keys(const SessionKey& a, const SessionKey& b) {
    if (a.cipher_key.empty() && a.auth_key.empty()) return false;
    return a.cipher_key == b.cipher_key && a.auth_key == b.auth_key;
}

void entry_keys(const Config& cfg, const CryptoMapEntry& e, Findings& f) {
    const SessionKey& in = *e.inbound;
    const SessionKey& out = *e.outbound;
    if (in.spi == out.spi)
        f.warn(out.line,
               entry_name(e) + ": inbound and outbound SPI are both " + std::to_string(in.spi) +
                   ": a packet reflected back to this gateway reaches the inbound SA",
               "use a different SPI in each direction");
    if (!same_keys(in, out)) return;
    f.warn(out.line,
           entry_name(e) + ": inbound and outbound session keys are identical" +
               (counter_mode(cfg, e)
                    ? std::string(": both directions reuse the same IVs under one key")
                    : std::string(": reflected packets verify")),
           "generate a separate key for each direction");
}

// Two entries sending to one peer with one SPI: the peer cannot tell the SAs apart.
void outbound_spis(const Config& cfg, Findings& f) {
    std::map<std::pair<uint32_t, uint32_t>, const CryptoMapEntry*> seen;  // (peer, SPI)
    for (const CryptoMapEntry& e : cfg.crypto_maps) {
        if (e.kind != MapKind::kManual || !e.outbound || e.peers.empty()) continue;
        auto [it, fresh] = seen.emplace(std::pair(e.peers[0].value, e.outbound->spi), &e);
        if (!fresh)
            f.warn(e.outbound->line,
                   "outbound SPI " + std::to_string(e.outbound->spi) + " towards " +
                       e.peers[0].to_string() + " is already used by " + entry_name(*it->second),
                   "the peer finds its inbound SAs by SPI: give each entry its own");
    }
}

}  // namespace

void mirrored_keys(const Config& cfg, Findings& f) {
    for (const CryptoMapEntry& e : cfg.crypto_maps)
        if (e.kind == MapKind::kManual && e.inbound && e.outbound) entry_keys(cfg, e, f);
    outbound_spis(cfg, f);
}

}  // namespace espgw::control::lint
