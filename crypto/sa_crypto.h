// Per-SA cryptographic context: keys expanded once at SA install (cold path) into the forms the
// backends consume per packet (AES round keys, GCM hash keys, DES schedules, HMAC ipad/opad
// states, pre-keyed OpenSSL contexts). Wiped when destroyed.
#pragma once

#include <intel-ipsec-mb.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "crypto/key_bytes.h"
#include "crypto/pmr_ptr.h"
#include "crypto/suite.h"

namespace espgw::crypto {

struct OsslSaCtx;  // pre-keyed EVP contexts, defined by the OpenSSL backend

struct alignas(64) SaCrypto {
    Cipher cipher;
    Integrity integrity;
    CipherFamily family;
    uint8_t iv_len;
    uint8_t block_len;
    uint8_t icv_len;
    uint8_t aes_key_len;  // 16/24/32 for AES suites, 8/24 for DES/3DES, 0 for NULL
    uint8_t salt[4];      // RFC 3686 nonce / RFC 4106 salt
    uint64_t iv_seed;     // secret, random: CBC IVs are E_K(seq || iv_seed), see esp_encap.cc
    IMB_CIPHER_MODE mb_cipher;
    IMB_HASH_ALG mb_hash;
    const void* enc_keys;
    const void* dec_keys;
    alignas(16) uint8_t hmac_ipad[64];  // hash state after (key ^ ipad) block, RFC 2104
    alignas(16) uint8_t hmac_opad[64];
    alignas(64) union Keys {
        struct {
            alignas(16) uint8_t enc[16 * 15];
            alignas(16) uint8_t dec[16 * 15];
        } aes;
        gcm_key_data gcm;
        struct {
            uint64_t ks[3][16];
            const void* ptrs[3];
        } des;
    } keys;
    // Raw keys kept for the OpenSSL backend and the key-export debug command.
    KeyBytes cipher_key;  // without salt
    KeyBytes auth_key;
    OsslSaCtx* ossl;

    SaCrypto() = default;
    SaCrypto(const SaCrypto&) = delete;
    SaCrypto& operator=(const SaCrypto&) = delete;
    ~SaCrypto();
};

using SaCryptoPtr = PmrPtr<SaCrypto>;

// Prefetches the lines one packet's crypto reads: the header line (family, salt, key pointers),
// the AES round keys (176-240 bytes) and, for AES-GCM, the last two lines of the VAES/AVX-512
// GHASH table, where HashKey^1..^8 sit (ipsec-mb stores HashKey^n at 16 * (63 - n)); for
// HMAC the inner and outer pad states. A packet of a long message reads more of the GHASH table,
// which the hardware prefetcher follows.
inline void prefetch_sa_crypto(const SaCrypto* c, bool encrypt) {
    const auto* p = reinterpret_cast<const uint8_t*>(c);
    __builtin_prefetch(p);
    if (c->family == CipherFamily::kGcm) {
        const auto* k = reinterpret_cast<const uint8_t*>(&c->keys.gcm);
        for (uint32_t off = 0; off < 256; off += 64)
            __builtin_prefetch(k + off);
        __builtin_prefetch(k + sizeof(gcm_key_data) - 128);
        __builtin_prefetch(k + sizeof(gcm_key_data) - 64);
        return;
    }
    const auto* k = static_cast<const uint8_t*>(encrypt ? c->enc_keys : c->dec_keys);
    if (k != nullptr)
        for (uint32_t off = 0; off < 256; off += 64)
            __builtin_prefetch(k + off);
    if (c->mb_hash != IMB_AUTH_NULL) {
        __builtin_prefetch(c->hmac_ipad);
        __builtin_prefetch(c->hmac_opad);
    }
}

// Builds the context. `cipher_key` is the ESP keying material of the cipher, salt included for
// CTR and GCM (RFC 3686 §5.1, RFC 4106 §8.1). Returns nullptr and sets `error` on bad input.
// `mgr` is any initialised intel-ipsec-mb manager (key expansion uses its function table). The
// context is placed in `mr`.
SaCryptoPtr make_sa_crypto(Cipher c, Integrity i, std::span<const uint8_t> cipher_key,
                           std::span<const uint8_t> auth_key, IMB_MGR* mgr, std::string* error,
                           std::pmr::memory_resource* mr = std::pmr::new_delete_resource());

}  // namespace espgw::crypto
