#include "crypto/ossl_backend.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <cstring>

#include "crypto/backend.h"
#include "crypto/sa_crypto.h"

namespace espgw::crypto {

struct OsslSaCtx {
    EVP_CIPHER_CTX* enc = nullptr;
    EVP_CIPHER_CTX* dec = nullptr;
    EVP_MAC_CTX* mac = nullptr;
};

namespace {

const char* cipher_name(Cipher c) {
    switch (c) {
        case Cipher::kNull: return "NULL";
        case Cipher::kDesCbc: return "DES-CBC";
        case Cipher::k3desCbc: return "DES-EDE3-CBC";
        case Cipher::kAes128Cbc: return "AES-128-CBC";
        case Cipher::kAes192Cbc: return "AES-192-CBC";
        case Cipher::kAes256Cbc: return "AES-256-CBC";
        case Cipher::kAes128Ctr: return "AES-128-CTR";
        case Cipher::kAes192Ctr: return "AES-192-CTR";
        case Cipher::kAes256Ctr: return "AES-256-CTR";
        case Cipher::kAes128Gcm: return "AES-128-GCM";
        case Cipher::kAes192Gcm: return "AES-192-GCM";
        case Cipher::kAes256Gcm: return "AES-256-GCM";
    }
    return "NULL";
}

const char* digest_name(Integrity i) {
    switch (i) {
        case Integrity::kHmacMd5_96: return "MD5";
        case Integrity::kHmacSha1_96: return "SHA1";
        case Integrity::kHmacSha256_128: return "SHA256";
        case Integrity::kHmacSha384_192: return "SHA384";
        case Integrity::kHmacSha512_256: return "SHA512";
        case Integrity::kNone: break;
    }
    return nullptr;
}

EVP_CIPHER_CTX* keyed_cipher(const SaCrypto& sa, int enc) {
    const EVP_CIPHER* cipher = sa.cipher == Cipher::kNull
                                   ? EVP_enc_null()
                                   : EVP_CIPHER_fetch(nullptr, cipher_name(sa.cipher), nullptr);
    if (cipher == nullptr) return nullptr;
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    const uint8_t* key = sa.cipher == Cipher::kNull ? nullptr : sa.cipher_key.data();
    bool ok = ctx != nullptr && EVP_CipherInit_ex(ctx, cipher, nullptr, key, nullptr, enc) == 1 &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) == 1;
    if (sa.cipher != Cipher::kNull) EVP_CIPHER_free(const_cast<EVP_CIPHER*>(cipher));
    if (!ok) EVP_CIPHER_CTX_free(ctx);
    return ok ? ctx : nullptr;
}

EVP_MAC_CTX* keyed_hmac(const SaCrypto& sa) {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) return nullptr;
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                         const_cast<char*>(digest_name(sa.integrity)), 0),
        OSSL_PARAM_construct_end()};
    if (ctx == nullptr ||
        EVP_MAC_init(ctx, sa.auth_key.data(), sa.auth_key.size(), params) != 1) {
        EVP_MAC_CTX_free(ctx);
        return nullptr;
    }
    return ctx;
}

// RFC 3686 §4: the counter block is nonce || IV || 32-bit block counter starting at 1.
void ctr_block(const uint8_t* nonce_iv12, uint8_t* block16) {
    std::memcpy(block16, nonce_iv12, 12);
    const uint8_t one[4] = {0, 0, 0, 1};
    std::memcpy(block16 + 12, one, 4);
}

bool run_cipher(const CryptoOp& op, EVP_CIPHER_CTX* ctx) {
    uint8_t block[16];
    const uint8_t* iv = op.iv;
    if (op.sa->family == CipherFamily::kCtr) {
        ctr_block(op.iv, block);
        iv = block;
    }
    uint8_t* p = op.base + op.cipher_offset;
    int outl = 0;
    return EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, iv, -1) == 1 &&
           (op.cipher_len == 0 ||
            EVP_CipherUpdate(ctx, p, &outl, p, static_cast<int>(op.cipher_len)) == 1);
}

bool run_hmac(const CryptoOp& op, EVP_MAC_CTX* ctx, uint8_t* digest) {
    size_t len = 0;
    return EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1 &&
           EVP_MAC_update(ctx, op.base, op.auth_len) == 1 &&
           EVP_MAC_final(ctx, digest, &len, EVP_MAX_MD_SIZE) == 1;
}

OpStatus run_gcm(const CryptoOp& op, EVP_CIPHER_CTX* ctx) {
    uint8_t* p = op.base + op.cipher_offset;
    const int n = static_cast<int>(op.cipher_len);
    int outl = 0;
    if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, op.iv, -1) != 1 ||
        EVP_CipherUpdate(ctx, nullptr, &outl, op.aad, op.aad_len) != 1 ||
        (n > 0 && EVP_CipherUpdate(ctx, p, &outl, p, n) != 1))
        return OpStatus::kCryptoError;
    if (op.encrypt) {
        if (EVP_CipherFinal_ex(ctx, p + n, &outl) != 1 ||
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, op.icv_out) != 1)
            return OpStatus::kCryptoError;
        return OpStatus::kOk;
    }
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, const_cast<uint8_t*>(op.icv_in)) != 1)
        return OpStatus::kCryptoError;
    return EVP_CipherFinal_ex(ctx, p + n, &outl) == 1 ? OpStatus::kOk : OpStatus::kIcvMismatch;
}

OpStatus run_encrypt(const CryptoOp& op, OsslSaCtx* c) {
    if (!run_cipher(op, c->enc)) return OpStatus::kCryptoError;
    if (c->mac == nullptr) return OpStatus::kOk;
    uint8_t digest[EVP_MAX_MD_SIZE];
    if (!run_hmac(op, c->mac, digest)) return OpStatus::kCryptoError;
    std::memcpy(op.icv_out, digest, op.sa->icv_len);
    return OpStatus::kOk;
}

OpStatus run_decrypt(const CryptoOp& op, OsslSaCtx* c) {
    if (c->mac != nullptr) {
        uint8_t digest[EVP_MAX_MD_SIZE];
        if (!run_hmac(op, c->mac, digest)) return OpStatus::kCryptoError;
        if (CRYPTO_memcmp(digest, op.icv_in, op.sa->icv_len) != 0) return OpStatus::kIcvMismatch;
    }
    return run_cipher(op, c->dec) ? OpStatus::kOk : OpStatus::kCryptoError;
}

}  // namespace

namespace {

// Providers stay loaded for the life of the process and are unloaded at exit. The object is
// constructed after OpenSSL registered its own exit handler, so its destructor runs first.
struct Providers {
    OSSL_PROVIDER* dflt = OSSL_PROVIDER_load(nullptr, "default");
    OSSL_PROVIDER* legacy = OSSL_PROVIDER_load(nullptr, "legacy");
    ~Providers() {
        if (legacy != nullptr) OSSL_PROVIDER_unload(legacy);
        if (dflt != nullptr) OSSL_PROVIDER_unload(dflt);
    }
};

}  // namespace

bool ossl_init(std::string* error) {
    static const Providers providers;
    const bool ok = providers.dflt != nullptr && providers.legacy != nullptr;
    if (!ok && error != nullptr) *error = "OpenSSL default/legacy providers failed to load";
    return ok;
}

OsslSaCtx* make_ossl_ctx(const SaCrypto& sa, std::string* error) {
    if (!ossl_init(error)) return nullptr;
    auto* c = new OsslSaCtx();
    c->enc = keyed_cipher(sa, 1);
    c->dec = keyed_cipher(sa, 0);
    if (sa.integrity != Integrity::kNone) c->mac = keyed_hmac(sa);
    if (c->enc == nullptr || c->dec == nullptr ||
        (sa.integrity != Integrity::kNone && c->mac == nullptr)) {
        free_ossl_ctx(c);
        *error = std::string("OpenSSL cannot set up ") + cipher_name(sa.cipher);
        return nullptr;
    }
    return c;
}

void free_ossl_ctx(OsslSaCtx* c) {
    if (c == nullptr) return;
    EVP_CIPHER_CTX_free(c->enc);  // EVP frees wipe the expanded keys
    EVP_CIPHER_CTX_free(c->dec);
    EVP_MAC_CTX_free(c->mac);
    delete c;
}

void OsslBackend::process(CryptoOp* ops, uint16_t n) {
    for (uint16_t k = 0; k < n; ++k) {
        CryptoOp& op = ops[k];
        OsslSaCtx* c = op.sa->ossl;
        if (op.sa->family == CipherFamily::kGcm) {
            op.status = run_gcm(op, op.encrypt ? c->enc : c->dec);
        } else {
            op.status = op.encrypt ? run_encrypt(op, c) : run_decrypt(op, c);
        }
    }
}

}  // namespace espgw::crypto
