// The ESP suites the engine benchmark measures, described once for both sides: espgw's
// SaConfig vocabulary and DPDK's cryptodev xforms. Keys are deterministic per SA index so that
// every implementation (espgw, rte_ipsec, the bare ipsec-mb floor) holds the same SA j.
#pragma once

#include <rte_crypto_sym.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/suite.h"

namespace espgw::bench {

struct Suite {
    std::string_view name;   // short id used in JSON and on the command line
    std::string_view title;  // for the tables
    crypto::Cipher cipher;
    crypto::Integrity integrity;
    uint8_t cipher_key_len;  // without the GCM salt
    uint8_t salt_len;
    uint8_t auth_key_len;
    uint8_t icv_len;
    uint8_t iv_len;  // bytes of IV in the ESP packet
    bool aead;
    rte_crypto_aead_algorithm dpdk_aead;
    rte_crypto_cipher_algorithm dpdk_cipher;
    rte_crypto_auth_algorithm dpdk_auth;
    bool slow;  // 3DES: fewer iterations
};

const std::vector<Suite>& all_suites();
const Suite* find_suite(std::string_view name);

// Keying material of SA j (the same for its outbound and inbound halves).
struct SaKeys {
    uint8_t cipher[36];  // key followed by the salt
    uint8_t auth[32];
    uint32_t spi;
    uint32_t salt_raw;  // the 4 salt bytes as they sit in memory (what rte_ipsec expects)
};

SaKeys sa_keys(const Suite& s, uint32_t j);

}  // namespace espgw::bench
