#include "crypto/suite.h"

#include <array>

namespace espgw::crypto {
namespace {

using F = CipherFamily;

// Block length is the payload alignment of RFC 4303 §2.4: the cipher block for CBC, 4 bytes for
// stream-like modes (CTR, GCM) and NULL.
constexpr std::array<CipherInfo, kNumCiphers> kCiphers{{
    {Cipher::kNull, F::kNull, 0, 0, 0, 4, 0, false, "esp-null", "NULL", "NULL"},
    {Cipher::kDesCbc, F::kCbc, 8, 0, 8, 8, 0, true, "esp-des", "DES-CBC [RFC2405]", "DES"},
    {Cipher::k3desCbc, F::kCbc, 24, 0, 8, 8, 0, true, "esp-3des", "TripleDES-CBC [RFC2451]",
     "3DES"},
    {Cipher::kAes128Cbc, F::kCbc, 16, 0, 16, 16, 0, false, "esp-aes 128", "AES-CBC [RFC3602]",
     "AES-CBC"},
    {Cipher::kAes192Cbc, F::kCbc, 24, 0, 16, 16, 0, false, "esp-aes 192", "AES-CBC [RFC3602]",
     "AES-CBC"},
    {Cipher::kAes256Cbc, F::kCbc, 32, 0, 16, 16, 0, false, "esp-aes 256", "AES-CBC [RFC3602]",
     "AES-CBC"},
    {Cipher::kAes128Ctr, F::kCtr, 16, 4, 8, 4, 0, false, "esp-aes-ctr 128", "AES-CTR [RFC3686]",
     "AES-CTR"},
    {Cipher::kAes192Ctr, F::kCtr, 24, 4, 8, 4, 0, false, "esp-aes-ctr 192", "AES-CTR [RFC3686]",
     "AES-CTR"},
    {Cipher::kAes256Ctr, F::kCtr, 32, 4, 8, 4, 0, false, "esp-aes-ctr 256", "AES-CTR [RFC3686]",
     "AES-CTR"},
    {Cipher::kAes128Gcm, F::kGcm, 16, 4, 8, 4, 16, false, "esp-gcm 128",
     "AES-GCM with 16 octet ICV [RFC4106]", "AES-GCM"},
    {Cipher::kAes192Gcm, F::kGcm, 24, 4, 8, 4, 16, false, "esp-gcm 192",
     "AES-GCM with 16 octet ICV [RFC4106]", "AES-GCM"},
    {Cipher::kAes256Gcm, F::kGcm, 32, 4, 8, 4, 16, false, "esp-gcm 256",
     "AES-GCM with 16 octet ICV [RFC4106]", "AES-GCM"},
}};

constexpr std::array<IntegrityInfo, kNumIntegrity> kIntegrity{{
    {Integrity::kNone, 0, 0, 0, 0, false, "", "NULL", "NULL"},
    {Integrity::kHmacMd5_96, 16, 12, 64, 16, true, "esp-md5-hmac", "HMAC-MD5-96 [RFC2403]",
     "HMAC-MD5-96"},
    {Integrity::kHmacSha1_96, 20, 12, 64, 20, false, "esp-sha-hmac", "HMAC-SHA-1-96 [RFC2404]",
     "HMAC-SHA1-96"},
    {Integrity::kHmacSha256_128, 32, 16, 64, 32, false, "esp-sha256-hmac",
     "HMAC-SHA-256-128 [RFC4868]", "SHA2-256-128"},
    {Integrity::kHmacSha384_192, 48, 24, 128, 48, false, "esp-sha384-hmac",
     "HMAC-SHA-384-192 [RFC4868]", "SHA2-384-192"},
    {Integrity::kHmacSha512_256, 64, 32, 128, 64, false, "esp-sha512-hmac",
     "HMAC-SHA-512-256 [RFC4868]", "SHA2-512-256"},
}};

constexpr std::array<std::string_view, kNumCiphers> kCipherShort{
    "null",      "des",       "3des",      "aes128cbc", "aes192cbc", "aes256cbc",
    "aes128ctr", "aes192ctr", "aes256ctr", "aes128gcm", "aes192gcm", "aes256gcm"};
constexpr std::array<std::string_view, kNumIntegrity> kIntegrityShort{
    "none", "md5", "sha1", "sha256", "sha384", "sha512"};

}  // namespace

const CipherInfo& cipher_info(Cipher c) { return kCiphers[static_cast<size_t>(c)]; }
const IntegrityInfo& integrity_info(Integrity i) { return kIntegrity[static_cast<size_t>(i)]; }

bool is_valid_suite(Cipher c, Integrity i) {
    const CipherFamily f = cipher_info(c).family;
    if (f == CipherFamily::kGcm) return i == Integrity::kNone;
    if (f == CipherFamily::kNull) return i != Integrity::kNone;
    return true;
}

std::optional<Cipher> cipher_from_name(std::string_view s) {
    for (size_t k = 0; k < kCipherShort.size(); ++k)
        if (kCipherShort[k] == s) return static_cast<Cipher>(k);
    return std::nullopt;
}

std::optional<Integrity> integrity_from_name(std::string_view s) {
    for (size_t k = 0; k < kIntegrityShort.size(); ++k)
        if (kIntegrityShort[k] == s) return static_cast<Integrity>(k);
    return std::nullopt;
}

std::string_view short_name(Cipher c) { return kCipherShort[static_cast<size_t>(c)]; }
std::string_view short_name(Integrity i) { return kIntegrityShort[static_cast<size_t>(i)]; }

}  // namespace espgw::crypto
