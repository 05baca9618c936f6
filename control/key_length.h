// Session key lengths a transform set needs (RFC 4106 and RFC 3686 key material carries a
// 4-byte salt after the cipher key).
#pragma once

#include <vector>

#include "control/config_model.h"
#include "control/diagnostic.h"

namespace espgw::control {

// Bytes of `cipher` key material, salt included.
size_t cipher_key_bytes(crypto::Cipher c);

// Errors for `key` (at its line) that do not fit `ts`; empty when it fits.
std::vector<Diagnostic> check_key_lengths(const SessionKey& key, const TransformSet& ts);

}  // namespace espgw::control
