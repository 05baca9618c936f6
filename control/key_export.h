// The only way key material leaves control as text: explicit calls for the key-export debug
// command and the tests. Nothing else in control/ prints a key (diagnostics never quote one).
#pragma once

#include <string>

#include "crypto/key_bytes.h"

namespace espgw::control {

// Lower-case hex, as `set session-key` writes it.
std::string export_key_hex(const crypto::KeyBytes& key);

// The bytes as text (pre-shared keys are typed as text).
std::string export_key_text(const crypto::KeyBytes& key);

}  // namespace espgw::control
