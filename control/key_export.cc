#include "control/key_export.h"

namespace espgw::control {

std::string export_key_hex(const crypto::KeyBytes& key) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * key.size());
    for (uint8_t b : key.span()) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0xf]);
    }
    return out;
}

std::string export_key_text(const crypto::KeyBytes& key) {
    return std::string(key.span().begin(), key.span().end());
}

}  // namespace espgw::control
