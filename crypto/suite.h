// The ESP algorithm table: every cipher and integrity algorithm espgw runs, with the sizes the
// packet path needs and the names operators (IOS), Wireshark and scapy use for them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace espgw::crypto {

enum class Cipher : uint8_t {
    kNull,       // RFC 2410
    kDesCbc,     // RFC 2405 (legacy)
    k3desCbc,    // RFC 2451 (legacy)
    kAes128Cbc,  // RFC 3602
    kAes192Cbc,
    kAes256Cbc,
    kAes128Ctr,  // RFC 3686
    kAes192Ctr,
    kAes256Ctr,
    kAes128Gcm,  // RFC 4106, 16-byte ICV
    kAes192Gcm,
    kAes256Gcm,
};
inline constexpr int kNumCiphers = 12;

enum class Integrity : uint8_t {
    kNone,            // encryption-only SA (IOS `esp-des` alone) or AEAD
    kHmacMd5_96,      // RFC 2403 (legacy)
    kHmacSha1_96,     // RFC 2404
    kHmacSha256_128,  // RFC 4868
    kHmacSha384_192,
    kHmacSha512_256,
};
inline constexpr int kNumIntegrity = 6;

enum class CipherFamily : uint8_t { kNull, kCbc, kCtr, kGcm };

struct CipherInfo {
    Cipher id;
    CipherFamily family;
    uint8_t key_len;     // cipher key bytes, without salt
    uint8_t salt_len;    // RFC 3686 nonce / RFC 4106 salt, appended to the key material
    uint8_t iv_len;      // bytes of IV carried in each ESP packet
    uint8_t block_len;   // payload alignment before the trailer (RFC 4303 §2.4), at least 4
    uint8_t icv_len;     // AEAD tag length (0 for non-AEAD)
    bool legacy;         // DES and 3DES: lint warns
    std::string_view ios_name;        // transform-set keyword(s), e.g. "esp-aes 128"
    std::string_view wireshark_name;  // esp_sa UAT encryption algorithm
    std::string_view scapy_name;      // scapy.layers.ipsec CRYPT_ALGOS key
};

struct IntegrityInfo {
    Integrity id;
    uint8_t key_len;    // key bytes (RFC 2104 allows others; these are the RFC-mandated sizes)
    uint8_t icv_len;    // truncated ICV bytes
    uint8_t block_len;  // hash block size, for HMAC precomputation
    uint8_t digest_len; // full digest size
    bool legacy;
    std::string_view ios_name;
    std::string_view wireshark_name;
    std::string_view scapy_name;
};

const CipherInfo& cipher_info(Cipher c);
const IntegrityInfo& integrity_info(Integrity i);

// True when the pair may form an SA: AEAD ciphers carry their own ICV and take no integrity
// algorithm; NULL encryption needs one (RFC 4303 §3.2: at least one of the two services).
bool is_valid_suite(Cipher c, Integrity i);

// ICV bytes appended to each packet for this suite.
inline uint8_t icv_len(Cipher c, Integrity i) {
    return cipher_info(c).family == CipherFamily::kGcm ? cipher_info(c).icv_len
                                                       : integrity_info(i).icv_len;
}

std::optional<Cipher> cipher_from_name(std::string_view short_name);
std::optional<Integrity> integrity_from_name(std::string_view short_name);
// Short names used on command lines and in test matrices: "aes128gcm", "3des", "sha1", ...
std::string_view short_name(Cipher c);
std::string_view short_name(Integrity i);

}  // namespace espgw::crypto
