#include "control/key_length.h"

namespace espgw::control {
namespace {

using crypto::CipherFamily;

std::string bytes_text(size_t n) {
    return std::to_string(n) + " bytes (" + std::to_string(2 * n) + " hex digits)";
}

// "esp-gcm 128 needs a 20-byte key: 16 + 4-byte salt (RFC 4106)".
std::string cipher_hint(crypto::Cipher c) {
    const crypto::CipherInfo& info = crypto::cipher_info(c);
    const std::string need = std::string(info.ios_name) + " needs a " +
                             std::to_string(cipher_key_bytes(c)) + "-byte key";
    if (info.family == CipherFamily::kGcm)
        return need + ": " + std::to_string(info.key_len) + " + 4-byte salt (RFC 4106)";
    if (info.family == CipherFamily::kCtr)
        return need + ": " + std::to_string(info.key_len) + " + 4-byte nonce (RFC 3686)";
    return need + " (" + std::to_string(2 * info.key_len) + " hex digits)";
}

std::string auth_hint(crypto::Integrity i) {
    const crypto::IntegrityInfo& info = crypto::integrity_info(i);
    return std::string(info.ios_name) + " needs a " + std::to_string(info.key_len) + "-byte key (" +
           std::to_string(2 * info.key_len) + " hex digits)";
}

void cipher_errors(const SessionKey& k, const TransformSet& ts, std::vector<Diagnostic>* out) {
    const size_t need = cipher_key_bytes(ts.cipher);
    if (need == 0 && k.has_cipher)
        out->push_back(
            {k.line, Severity::kError, "esp-null takes no cipher key", "remove cipher KEY"});
    else if (need > 0 && !k.has_cipher)
        out->push_back({k.line, Severity::kError, "missing cipher key", cipher_hint(ts.cipher)});
    else if (need > 0 && k.cipher_key.size() != need)
        out->push_back(
            {k.line, Severity::kError,
             "cipher key is " + bytes_text(k.cipher_key.size()) + " for transform set " + ts.name,
             cipher_hint(ts.cipher)});
}

void auth_errors(const SessionKey& k, const TransformSet& ts, std::vector<Diagnostic>* out) {
    if (ts.integrity == crypto::Integrity::kNone) {
        if (k.has_auth)
            out->push_back(
                {k.line, Severity::kError,
                 "transform set " + ts.name + " has no hmac: the authenticator key is unused",
                 "remove authenticator KEY"});
        return;
    }
    const size_t need = crypto::integrity_info(ts.integrity).key_len;
    if (!k.has_auth)
        out->push_back(
            {k.line, Severity::kError, "missing authenticator key", auth_hint(ts.integrity)});
    else if (k.auth_key.size() != need)
        out->push_back({k.line, Severity::kError,
                        "authenticator key is " + bytes_text(k.auth_key.size()) +
                            " for transform set " + ts.name,
                        auth_hint(ts.integrity)});
}

}  // namespace

size_t cipher_key_bytes(crypto::Cipher c) {
    const crypto::CipherInfo& info = crypto::cipher_info(c);
    return size_t{info.key_len} + info.salt_len;
}

std::vector<Diagnostic> check_key_lengths(const SessionKey& key, const TransformSet& ts) {
    std::vector<Diagnostic> out;
    cipher_errors(key, ts, &out);
    auth_errors(key, ts, &out);
    return out;
}

}  // namespace espgw::control
