// One cryptographic operation on one ESP packet, independent of the backend that runs it.
// The dataplane fills these per burst; a backend (intel-ipsec-mb or OpenSSL) executes a whole
// array of them and reports a status per operation (DPDK lib/ipsec style: per-packet results).
#pragma once

#include <cstdint>

namespace espgw::crypto {

struct SaCrypto;

enum class OpStatus : uint8_t { kOk, kIcvMismatch, kCryptoError };

struct CryptoOp {
    const SaCrypto* sa;
    uint8_t* base;           // start of the authenticated region: the ESP header
    uint32_t auth_len;       // bytes hashed from base (non-AEAD); may include 4 ESN bytes
    uint32_t cipher_offset;  // start of the ciphered region, from base
    uint32_t cipher_len;     // bytes ciphered in place
    const uint8_t* iv;       // CBC: IV block; CTR/GCM: 12-byte salt||IV nonce
    const uint8_t* aad;      // GCM only: SPI||seq (8 bytes) or SPI||seq_hi||seq_lo (12, ESN)
    uint8_t* icv_out;        // encrypt: where the ICV is written
    const uint8_t* icv_in;   // decrypt: the received ICV to verify (constant-time)
    uint8_t aad_len;
    bool encrypt;
    OpStatus status;
};

}  // namespace espgw::crypto
