#include "crypto/sa_crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>

#include "crypto/backend.h"
#include "crypto/ossl_backend.h"

namespace espgw::crypto {
namespace {

IMB_CIPHER_MODE mb_cipher_mode(Cipher c) {
    switch (cipher_info(c).family) {
        case CipherFamily::kNull:
            return IMB_CIPHER_NULL;
        case CipherFamily::kCtr:
            return IMB_CIPHER_CNTR;
        case CipherFamily::kGcm:
            return IMB_CIPHER_GCM;
        case CipherFamily::kCbc:
            break;
    }
    if (c == Cipher::kDesCbc) return IMB_CIPHER_DES;
    if (c == Cipher::k3desCbc) return IMB_CIPHER_DES3;
    return IMB_CIPHER_CBC;
}

IMB_HASH_ALG mb_hash_alg(Cipher c, Integrity i) {
    if (cipher_info(c).family == CipherFamily::kGcm) return IMB_AUTH_AES_GMAC;
    switch (i) {
        case Integrity::kNone:
            return IMB_AUTH_NULL;
        case Integrity::kHmacMd5_96:
            return IMB_AUTH_MD5;
        case Integrity::kHmacSha1_96:
            return IMB_AUTH_HMAC_SHA_1;
        case Integrity::kHmacSha256_128:
            return IMB_AUTH_HMAC_SHA_256;
        case Integrity::kHmacSha384_192:
            return IMB_AUTH_HMAC_SHA_384;
        case Integrity::kHmacSha512_256:
            return IMB_AUTH_HMAC_SHA_512;
    }
    return IMB_AUTH_NULL;
}

void hash_one_block(IMB_MGR* mgr, Integrity i, const uint8_t* block, uint8_t* state) {
    switch (i) {
        case Integrity::kHmacMd5_96:
            IMB_MD5_ONE_BLOCK(mgr, block, state);
            break;
        case Integrity::kHmacSha1_96:
            IMB_SHA1_ONE_BLOCK(mgr, block, state);
            break;
        case Integrity::kHmacSha256_128:
            IMB_SHA256_ONE_BLOCK(mgr, block, state);
            break;
        case Integrity::kHmacSha384_192:
            IMB_SHA384_ONE_BLOCK(mgr, block, state);
            break;
        case Integrity::kHmacSha512_256:
            IMB_SHA512_ONE_BLOCK(mgr, block, state);
            break;
        case Integrity::kNone:
            break;
    }
}

// RFC 2104 §2: the inner and outer hash states after absorbing (K ^ ipad) and (K ^ opad), so
// that each packet costs only the message blocks plus one outer block.
// RFC 2104 §2: keys longer than the hash block are first hashed down.
size_t hmac_key(const SaCrypto& sa, uint8_t* out) {
    const IntegrityInfo& info = integrity_info(sa.integrity);
    if (sa.auth_key.size() <= info.block_len) {
        std::memcpy(out, sa.auth_key.data(), sa.auth_key.size());
        return sa.auth_key.size();
    }
    static constexpr const char* kNames[] = {"", "MD5", "SHA1", "SHA256", "SHA384", "SHA512"};
    unsigned int len = 0;
    EVP_Digest(sa.auth_key.data(), sa.auth_key.size(), out, &len,
               EVP_get_digestbyname(kNames[static_cast<int>(sa.integrity)]), nullptr);
    return len;
}

void precompute_hmac(SaCrypto& sa, IMB_MGR* mgr) {
    const IntegrityInfo& info = integrity_info(sa.integrity);
    uint8_t key[128];
    uint8_t block[128];
    const size_t key_len = hmac_key(sa, key);
    for (int pass = 0; pass < 2; ++pass) {
        const uint8_t pad = pass == 0 ? 0x36 : 0x5c;
        std::memset(block, pad, info.block_len);
        for (size_t k = 0; k < key_len; ++k)
            block[k] ^= key[k];
        hash_one_block(mgr, sa.integrity, block, pass == 0 ? sa.hmac_ipad : sa.hmac_opad);
    }
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(block, sizeof block);
}

void expand_aes(SaCrypto& sa, IMB_MGR* mgr, const uint8_t* key) {
    auto* enc = sa.keys.aes.enc;
    auto* dec = sa.keys.aes.dec;
    if (sa.aes_key_len == 16) IMB_AES_KEYEXP_128(mgr, key, enc, dec);
    if (sa.aes_key_len == 24) IMB_AES_KEYEXP_192(mgr, key, enc, dec);
    if (sa.aes_key_len == 32) IMB_AES_KEYEXP_256(mgr, key, enc, dec);
    sa.enc_keys = enc;
    // CTR runs the block cipher forwards in both directions.
    sa.dec_keys = sa.family == CipherFamily::kCtr ? enc : dec;
}

void expand_gcm(SaCrypto& sa, IMB_MGR* mgr, const uint8_t* key) {
    if (sa.aes_key_len == 16) IMB_AES128_GCM_PRE(mgr, key, &sa.keys.gcm);
    if (sa.aes_key_len == 24) IMB_AES192_GCM_PRE(mgr, key, &sa.keys.gcm);
    if (sa.aes_key_len == 32) IMB_AES256_GCM_PRE(mgr, key, &sa.keys.gcm);
    sa.enc_keys = sa.dec_keys = &sa.keys.gcm;
}

void expand_des(SaCrypto& sa, IMB_MGR* mgr, const uint8_t* key) {
    const int n = sa.cipher == Cipher::kDesCbc ? 1 : 3;
    for (int k = 0; k < n; ++k) {
        IMB_DES_KEYSCHED(mgr, sa.keys.des.ks[k], key + 8 * k);
        sa.keys.des.ptrs[k] = sa.keys.des.ks[k];
    }
    if (n == 1) {
        sa.enc_keys = sa.dec_keys = sa.keys.des.ks[0];
    } else {
        sa.enc_keys = sa.dec_keys = sa.keys.des.ptrs;
    }
}

void expand_cipher(SaCrypto& sa, IMB_MGR* mgr) {
    const uint8_t* key = sa.cipher_key.data();
    switch (sa.family) {
        case CipherFamily::kNull:
            sa.enc_keys = sa.dec_keys = nullptr;
            return;
        case CipherFamily::kGcm:
            expand_gcm(sa, mgr, key);
            return;
        case CipherFamily::kCtr:
            expand_aes(sa, mgr, key);
            return;
        case CipherFamily::kCbc:
            break;
    }
    if (sa.cipher == Cipher::kDesCbc || sa.cipher == Cipher::k3desCbc) {
        expand_des(sa, mgr, key);
    } else {
        expand_aes(sa, mgr, key);
    }
}

bool check_keys(Cipher c, Integrity i, std::span<const uint8_t> ck, std::span<const uint8_t> ak,
                std::string* error) {
    const CipherInfo& ci = cipher_info(c);
    if (!is_valid_suite(c, i)) {
        *error = "invalid suite: " + std::string(short_name(c)) + "+" + std::string(short_name(i));
        return false;
    }
    if (ck.size() != size_t{ci.key_len} + ci.salt_len) {
        *error = std::string(short_name(c)) + " needs a " +
                 std::to_string(ci.key_len + ci.salt_len) + "-byte cipher key, got " +
                 std::to_string(ck.size());
        return false;
    }
    // RFC 2104 accepts any HMAC key length; the configuration layer insists on the RFC sizes.
    if (i == Integrity::kNone && !ak.empty()) {
        *error = "an authenticator key was given for a suite without integrity";
        return false;
    }
    if (i != Integrity::kNone && (ak.empty() || ak.size() > KeyBytes::kCapacity)) {
        *error = std::string(short_name(i)) + " needs an authenticator key of 1.." +
                 std::to_string(KeyBytes::kCapacity) + " bytes, got " + std::to_string(ak.size());
        return false;
    }
    return true;
}

}  // namespace

SaCrypto::~SaCrypto() {
    free_ossl_ctx(ossl);
    OPENSSL_cleanse(static_cast<void*>(this), sizeof(*this));
}

SaCryptoPtr make_sa_crypto(Cipher c, Integrity i, std::span<const uint8_t> cipher_key,
                           std::span<const uint8_t> auth_key, IMB_MGR* mgr, std::string* error,
                           std::pmr::memory_resource* mr) {
    if (!check_keys(c, i, cipher_key, auth_key, error)) return nullptr;
    const CipherInfo& ci = cipher_info(c);
    SaCryptoPtr sa = pmr_make<SaCrypto>(mr);
    std::memset(static_cast<void*>(sa.get()), 0, sizeof(SaCrypto));
    sa->cipher = c;
    sa->integrity = i;
    sa->family = ci.family;
    sa->iv_len = ci.iv_len;
    sa->block_len = ci.block_len;
    sa->icv_len = icv_len(c, i);
    sa->aes_key_len = ci.key_len;
    sa->mb_cipher = mb_cipher_mode(c);
    sa->mb_hash = mb_hash_alg(c, i);
    sa->cipher_key.assign(cipher_key.first(ci.key_len));
    // Only CTR and GCM keying material carries a salt; a NULL cipher's key span may be empty
    // with a null data(), which memcpy must not see even for zero bytes.
    if (ci.salt_len != 0) std::memcpy(sa->salt, cipher_key.data() + ci.key_len, ci.salt_len);
    sa->auth_key.assign(auth_key);
    if (RAND_bytes(reinterpret_cast<uint8_t*>(&sa->iv_seed), sizeof sa->iv_seed) != 1) {
        *error = "OpenSSL RAND_bytes failed";
        return nullptr;
    }
    expand_cipher(*sa, mgr);
    if (i != Integrity::kNone) precompute_hmac(*sa, mgr);
    if (!validate_sa_jobs(*sa, mgr)) {
        *error = "intel-ipsec-mb rejects the SA's parameters";
        return nullptr;
    }
    sa->ossl = make_ossl_ctx(*sa, error);
    if (sa->ossl == nullptr) return nullptr;
    return sa;
}

}  // namespace espgw::crypto
