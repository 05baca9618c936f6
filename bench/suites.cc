#include "bench/suites.h"

#include <cstring>

namespace espgw::bench {

using crypto::Cipher;
using crypto::Integrity;

const std::vector<Suite>& all_suites() {
    static const std::vector<Suite> kSuites = {
        {"aes128gcm", "AES-128-GCM", Cipher::kAes128Gcm, Integrity::kNone, 16, 4, 0, 16, 8, true,
         RTE_CRYPTO_AEAD_AES_GCM, RTE_CRYPTO_CIPHER_NULL, RTE_CRYPTO_AUTH_NULL, false},
        {"aes256gcm", "AES-256-GCM", Cipher::kAes256Gcm, Integrity::kNone, 32, 4, 0, 16, 8, true,
         RTE_CRYPTO_AEAD_AES_GCM, RTE_CRYPTO_CIPHER_NULL, RTE_CRYPTO_AUTH_NULL, false},
        {"aes128cbc-sha1", "AES-128-CBC+HMAC-SHA1-96", Cipher::kAes128Cbc, Integrity::kHmacSha1_96,
         16, 0, 20, 12, 16, false, RTE_CRYPTO_AEAD_AES_GCM, RTE_CRYPTO_CIPHER_AES_CBC,
         RTE_CRYPTO_AUTH_SHA1_HMAC, false},
        {"aes256cbc-sha256", "AES-256-CBC+HMAC-SHA256-128", Cipher::kAes256Cbc,
         Integrity::kHmacSha256_128, 32, 0, 32, 16, 16, false, RTE_CRYPTO_AEAD_AES_GCM,
         RTE_CRYPTO_CIPHER_AES_CBC, RTE_CRYPTO_AUTH_SHA256_HMAC, false},
        {"3des-sha1", "3DES+HMAC-SHA1-96", Cipher::k3desCbc, Integrity::kHmacSha1_96, 24, 0, 20, 12,
         8, false, RTE_CRYPTO_AEAD_AES_GCM, RTE_CRYPTO_CIPHER_3DES_CBC, RTE_CRYPTO_AUTH_SHA1_HMAC,
         true},
        {"null-sha1", "NULL+HMAC-SHA1-96", Cipher::kNull, Integrity::kHmacSha1_96, 0, 0, 20, 12, 0,
         false, RTE_CRYPTO_AEAD_AES_GCM, RTE_CRYPTO_CIPHER_NULL, RTE_CRYPTO_AUTH_SHA1_HMAC, false},
    };
    return kSuites;
}

const Suite* find_suite(std::string_view name) {
    for (const Suite& s : all_suites())
        if (s.name == name) return &s;
    return nullptr;
}

namespace {

// Multiplication by an odd constant and xorshifts are invertible mod 2^32, so distinct j give
// distinct SPIs; none of the first two million is below 256 (checked when this was written).
uint32_t spread_spi(uint32_t j) {
    uint32_t x = j + 1;
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

}  // namespace

SaKeys sa_keys(const Suite& s, uint32_t j) {
    SaKeys k{};
    // Distinct per SA and per byte; 3DES keys must not collapse to single DES (K1 != K2 != K3),
    // which a byte pattern varying with the position guarantees.
    for (uint32_t i = 0; i < sizeof k.cipher; ++i)
        k.cipher[i] = static_cast<uint8_t>(0x11 * (i + 1) + 7 * j + (j >> 8));
    for (uint32_t i = 0; i < sizeof k.auth; ++i)
        k.auth[i] = static_cast<uint8_t>(0x5a ^ (3 * i + 13 * j + (j >> 8)));
    // SPIs as a peer's IKE would pick them: spread over the 32-bit space (strongSwan and IOS
    // draw them at random), not consecutive, which would flatter any lookup indexed by the
    // SPI's low bits. A bijection of j keeps them distinct; 1-255 are reserved (RFC 4303 §2.1).
    k.spi = spread_spi(j);
    std::memcpy(&k.salt_raw, k.cipher + s.cipher_key_len, 4);
    return k;
}

}  // namespace espgw::bench
