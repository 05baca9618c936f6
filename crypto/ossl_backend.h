// OpenSSL EVP implementation of the suite table (crypto/suite.h): pre-keyed contexts per SA.
#pragma once

#include <string>

namespace espgw::crypto {

struct SaCrypto;
struct OsslSaCtx;

// Loads OpenSSL's default and legacy providers (DES-CBC lives in legacy). Idempotent.
bool ossl_init(std::string* error);
OsslSaCtx* make_ossl_ctx(const SaCrypto& sa, std::string* error);
void free_ossl_ctx(OsslSaCtx* ctx);

}  // namespace espgw::crypto
