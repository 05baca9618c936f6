// Keys do not outlive their SA: every block the SA runtime took from its memory resource (the
// runtime, its crypto context, replay bitmap, counters) is checked when it is given back. The
// crypto context must come back all zero, and the raw key bytes must be in no returned block.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory_resource>
#include <string>
#include <vector>

#include "crypto/mb_manager.h"
#include "sadb/sa_runtime.h"

namespace espgw::sadb {
namespace {

using Bytes = std::vector<uint8_t>;

// Passes allocations on to the heap and keeps a copy of each block's contents as it is freed.
class RecordingResource : public std::pmr::memory_resource {
  public:
    std::map<const void*, size_t> live;
    std::vector<std::pair<const void*, Bytes>> freed;

  private:
    void* do_allocate(size_t bytes, size_t align) override {
        void* p = std::pmr::new_delete_resource()->allocate(bytes, align);
        live[p] = bytes;
        return p;
    }
    void do_deallocate(void* p, size_t bytes, size_t align) override {
        const auto* b = static_cast<const uint8_t*>(p);
        freed.emplace_back(p, Bytes(b, b + bytes));
        live.erase(p);
        std::pmr::new_delete_resource()->deallocate(p, bytes, align);
    }
    bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override {
        return this == &o;
    }
};

bool contains(const Bytes& hay, const Bytes& needle) {
    return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

// Distinctive keys: no run of them occurs by chance in a block of zeros or pointers.
Bytes key(size_t n, uint8_t seed) {
    Bytes k(n);
    for (size_t i = 0; i < n; ++i)
        k[i] = static_cast<uint8_t>(seed + 37 * i);
    return k;
}

struct Suite {
    const char* name;
    crypto::Cipher cipher;
    crypto::Integrity integrity;
};

TEST(KeyWipe, FreedSaBlocksHoldNoKeys) {
    const Suite suites[] = {
        {"aes256gcm", crypto::Cipher::kAes256Gcm, crypto::Integrity::kNone},
        {"aes128cbc+sha256", crypto::Cipher::kAes128Cbc, crypto::Integrity::kHmacSha256_128},
        {"3des+sha1", crypto::Cipher::k3desCbc, crypto::Integrity::kHmacSha1_96},
    };
    crypto::MbManager mgr;
    for (const Suite& s : suites) {
        for (Direction dir : {Direction::kOutbound, Direction::kInbound}) {
            SCOPED_TRACE(std::string(s.name) + (dir == Direction::kInbound ? " in" : " out"));
            const auto& ci = crypto::cipher_info(s.cipher);
            const auto& ii = crypto::integrity_info(s.integrity);
            SaConfig cfg;
            cfg.spi = 0x5151;
            cfg.direction = dir;
            cfg.cipher = s.cipher;
            cfg.integrity = s.integrity;
            const Bytes ck = key(ci.key_len + ci.salt_len, 0xa1);
            const Bytes ak = key(ii.key_len, 0x3c);
            cfg.cipher_key.assign(ck);
            cfg.auth_key.assign(ak);
            cfg.local = *IpAddr::parse("192.0.2.1");
            cfg.peer = *IpAddr::parse("192.0.2.2");
            RecordingResource mr;
            std::string err;
            SaRuntimePtr sa = build_sa_runtime(cfg, mgr.get(), &err, nullptr, &mr);
            ASSERT_TRUE(sa) << err;
            const void* crypto_block = sa->crypto;
            ASSERT_TRUE(mr.live.count(crypto_block)) << "crypto context not placed in mr";
            sa.reset();
            EXPECT_TRUE(mr.live.empty()) << mr.live.size() << " blocks not given back";
            bool saw_crypto = false;
            for (const auto& [p, bytes] : mr.freed) {
                if (p == crypto_block) {
                    saw_crypto = true;
                    EXPECT_EQ(static_cast<size_t>(std::count(bytes.begin(), bytes.end(), 0)),
                              bytes.size())
                        << "SaCrypto not wiped";
                }
                // The cipher key without its salt (RFC 4106 §8.1: the salt is not secret by
                // itself) and the whole authentication key.
                EXPECT_FALSE(contains(bytes, Bytes(ck.begin(), ck.begin() + ci.key_len)))
                    << "cipher key in a freed block of " << bytes.size() << " bytes";
                if (!ak.empty()) {
                    EXPECT_FALSE(contains(bytes, ak))
                        << "auth key in a freed block of " << bytes.size() << " bytes";
                }
            }
            EXPECT_TRUE(saw_crypto);
        }
    }
}

}  // namespace
}  // namespace espgw::sadb
