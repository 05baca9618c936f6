// Fixed-capacity key material that wipes itself. Keys are never printed; the only way out of
// this type is data(), used by key setup and the explicit key-export debug command.
#pragma once

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>

namespace espgw::crypto {

class KeyBytes {
public:
    // HMAC keys may be any length (RFC 2104 §3; RFC 4231 tests use 131 bytes); cipher keys are at
    // most AES-256 + 4-byte salt = 36.
    static constexpr size_t kCapacity = 160;

    KeyBytes() = default;
    explicit KeyBytes(std::span<const uint8_t> k) { assign(k); }
    KeyBytes(const KeyBytes& o) { assign(o.span()); }
    KeyBytes& operator=(const KeyBytes& o) {
        if (this != &o) assign(o.span());
        return *this;
    }
    ~KeyBytes() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

    // Returns false (and stores nothing) when the key does not fit.
    bool assign(std::span<const uint8_t> k) {
        OPENSSL_cleanse(bytes_.data(), bytes_.size());
        len_ = 0;
        if (k.size() > kCapacity) return false;
        std::copy(k.begin(), k.end(), bytes_.begin());
        len_ = static_cast<uint16_t>(k.size());
        return true;
    }
    const uint8_t* data() const { return bytes_.data(); }
    size_t size() const { return len_; }
    bool empty() const { return len_ == 0; }
    std::span<const uint8_t> span() const { return {bytes_.data(), len_}; }

    bool operator==(const KeyBytes& o) const {
        return len_ == o.len_ && CRYPTO_memcmp(bytes_.data(), o.bytes_.data(), len_) == 0;
    }

private:
    std::array<uint8_t, kCapacity> bytes_{};
    uint16_t len_ = 0;
};

}  // namespace espgw::crypto
