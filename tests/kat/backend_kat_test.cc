// Known answers through each crypto backend on its own (no packet framing): HMAC (RFC 2202,
// RFC 4231, RFC 4868 §2.7.2), AES-CBC (RFC 3602 §4 cases 1-4), AES-CTR (RFC 3686 §6) and
// AES-GCM with ESP's AAD (draft-mcgrew-gcm-test-01, all 14 cases). Every test runs once per
// backend, so intel-ipsec-mb and OpenSSL are held to the same published bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "crypto/backend.h"
#include "crypto/sa_crypto.h"
#include "tests/kat/cipher_vectors.h"
#include "tests/kat/esp_vectors.h"
#include "tests/kat/hmac_vectors.h"

namespace espgw::kat {
namespace {

using crypto::BackendKind;
using crypto::Cipher;
using crypto::CryptoOp;
using crypto::OpStatus;

constexpr uint8_t kZeroIv[16] = {};

std::string backend_name(const testing::TestParamInfo<BackendKind>& info) {
    return info.param == BackendKind::kIpsecMb ? "IpsecMb" : "OpenSsl";
}

Cipher gcm_cipher(size_t key_len) {
    return key_len == 16 ? Cipher::kAes128Gcm
                         : (key_len == 24 ? Cipher::kAes192Gcm : Cipher::kAes256Gcm);
}

// RFC 4106 §5: the AAD is SPI || sequence number, the 64-bit one with ESN.
Bytes gcm_aad(const GcmEspVector& v) {
    Bytes aad;
    auto put32 = [&aad](uint32_t x) {
        for (int s = 24; s >= 0; s -= 8)
            aad.push_back(static_cast<uint8_t>(x >> s));
    };
    put32(v.spi);
    if (v.esn) put32(static_cast<uint32_t>(v.seq >> 32));
    put32(static_cast<uint32_t>(v.seq));
    return aad;
}

class BackendKat : public testing::TestWithParam<BackendKind> {
  protected:
    crypto::SaCryptoPtr make_sa(Cipher c, crypto::Integrity i, const Bytes& cipher_key,
                                const Bytes& auth_key) {
        std::string error;
        auto sa = crypto::make_sa_crypto(c, i, cipher_key, auth_key, mgr_.get(), &error);
        EXPECT_NE(sa, nullptr) << error;
        return sa;
    }

    OpStatus run(CryptoOp& op) {
        backend_.process(&op, 1);
        return op.status;
    }

    // A cipher-only op over the whole buffer.
    CryptoOp cipher_op(const crypto::SaCrypto* sa, Bytes& buf, const uint8_t* iv, bool encrypt) {
        CryptoOp op{};
        op.sa = sa;
        op.base = buf.data();
        op.cipher_len = static_cast<uint32_t>(buf.size());
        op.iv = iv;
        op.icv_out = scratch_;
        op.encrypt = encrypt;
        return op;
    }

    // ESP integrity with NULL encryption (RFC 2410): the message is the authenticated region
    // and the cipher region is empty but still set.
    CryptoOp hmac_op(const crypto::SaCrypto* sa, Bytes& msg, const uint8_t* icv_in) {
        CryptoOp op{};
        op.sa = sa;
        op.base = msg.data();
        op.auth_len = static_cast<uint32_t>(msg.size());
        op.cipher_offset = 0;
        op.cipher_len = 0;
        op.iv = kZeroIv;
        op.icv_out = scratch_;
        op.icv_in = icv_in;
        op.encrypt = icv_in == nullptr;
        return op;
    }

    void check_hmac(const HmacVector& v);

    crypto::MbManager mgr_;
    crypto::Backend backend_{GetParam(), mgr_};
    uint8_t scratch_[64] = {};
};

// The engine sends truncated ICVs, so the RFC digest is compared on the first icv_len bytes (or
// on all of it where the RFC itself prints a shorter truncation, RFC 4231 case 5). Where the RFC
// value covers the whole ICV, the verify direction must accept it and reject a flipped bit.
void BackendKat::check_hmac(const HmacVector& v) {
    SCOPED_TRACE(std::string(v.id));
    const Bytes msg0 = bytes(v.data);
    const Bytes mac = unhex(v.mac);
    auto sa = make_sa(Cipher::kNull, v.alg, {}, bytes(v.key));
    ASSERT_NE(sa, nullptr);
    const size_t n = std::min<size_t>(sa->icv_len, mac.size());
    Bytes msg = msg0;
    CryptoOp op = hmac_op(sa.get(), msg, nullptr);
    ASSERT_EQ(run(op), OpStatus::kOk);
    EXPECT_EQ(to_hex(scratch_, n), to_hex(mac.data(), n));
    EXPECT_EQ(msg, msg0) << "a NULL cipher must leave the message alone";
    if (mac.size() < sa->icv_len) return;
    op = hmac_op(sa.get(), msg, mac.data());
    EXPECT_EQ(run(op), OpStatus::kOk);
    Bytes bad(mac.begin(), mac.begin() + sa->icv_len);
    bad.back() ^= 0x01;
    op = hmac_op(sa.get(), msg, bad.data());
    EXPECT_EQ(run(op), OpStatus::kIcvMismatch);
}

// RFC 2403 §2, RFC 2404 §2 and RFC 4868 §2.3: the truncation lengths the checks above rely on.
TEST_P(BackendKat, IcvTruncationLengths) {
    using crypto::Integrity;
    EXPECT_EQ(crypto::icv_len(Cipher::kNull, Integrity::kHmacMd5_96), 12);
    EXPECT_EQ(crypto::icv_len(Cipher::kNull, Integrity::kHmacSha1_96), 12);
    EXPECT_EQ(crypto::icv_len(Cipher::kNull, Integrity::kHmacSha256_128), 16);
    EXPECT_EQ(crypto::icv_len(Cipher::kNull, Integrity::kHmacSha384_192), 24);
    EXPECT_EQ(crypto::icv_len(Cipher::kNull, Integrity::kHmacSha512_256), 32);
}

TEST_P(BackendKat, HmacRfc2202) {
    for (const HmacVector& v : kRfc2202)
        check_hmac(v);
}

TEST_P(BackendKat, HmacRfc4231) {
    for (const HmacVector& v : kRfc4231)
        check_hmac(v);
}

TEST_P(BackendKat, HmacRfc4868) {
    for (const HmacVector& v : kRfc4868)
        check_hmac(v);
}

TEST_P(BackendKat, AesCbcRfc3602Cases1To4) {
    for (const CbcVector& v : kRfc3602Cbc) {
        SCOPED_TRACE(std::string(v.id));
        auto sa = make_sa(Cipher::kAes128Cbc, crypto::Integrity::kNone, unhex(v.key), {});
        ASSERT_NE(sa, nullptr);
        const Bytes iv = unhex(v.iv);
        const Bytes plain = bytes(v.plaintext);
        Bytes buf = plain;
        CryptoOp op = cipher_op(sa.get(), buf, iv.data(), true);
        ASSERT_EQ(run(op), OpStatus::kOk);
        EXPECT_EQ(to_hex(buf), to_hex(unhex(v.ciphertext)));
        op = cipher_op(sa.get(), buf, iv.data(), false);
        ASSERT_EQ(run(op), OpStatus::kOk);
        EXPECT_EQ(buf, plain);
    }
}

// RFC 3686 §5.1: the keying material is key || nonce; the op's IV is nonce || IV (§4).
TEST_P(BackendKat, AesCtrRfc3686) {
    for (const CtrVector& v : kRfc3686) {
        SCOPED_TRACE(std::string(v.id));
        Bytes keymat = unhex(v.key);
        const Bytes nonce = unhex(v.nonce);
        keymat.insert(keymat.end(), nonce.begin(), nonce.end());
        auto sa = make_sa(v.cipher, crypto::Integrity::kNone, keymat, {});
        ASSERT_NE(sa, nullptr);
        Bytes block = nonce;
        const Bytes iv = unhex(v.iv);
        block.insert(block.end(), iv.begin(), iv.end());
        const Bytes plain = unhex(v.plaintext);
        Bytes buf = plain;
        CryptoOp op = cipher_op(sa.get(), buf, block.data(), true);
        ASSERT_EQ(run(op), OpStatus::kOk);
        EXPECT_EQ(to_hex(buf), to_hex(unhex(v.ciphertext)));
        op = cipher_op(sa.get(), buf, block.data(), false);
        ASSERT_EQ(run(op), OpStatus::kOk);
        EXPECT_EQ(buf, plain);
    }
}

// All 14 draft cases at the op level, including case 4 whose SPI 0 no SA may carry
// (RFC 4303 §2.1) and which the engine test therefore cannot run.
TEST_P(BackendKat, AesGcmMcgrewGcmTest) {
    for (const GcmEspVector& v : kMcgrewGcm) {
        SCOPED_TRACE(std::string(v.id));
        const Bytes key = unhex(v.key);
        const Bytes nonce = unhex(v.nonce);
        Bytes keymat = key;
        keymat.insert(keymat.end(), nonce.begin(), nonce.begin() + 4);
        auto sa = make_sa(gcm_cipher(key.size()), crypto::Integrity::kNone, keymat, {});
        ASSERT_NE(sa, nullptr);
        const Bytes aad = gcm_aad(v);
        const Bytes plain = unhex(v.plaintext);
        const Bytes packet = unhex(v.packet);
        ASSERT_EQ(packet.size(), 16 + plain.size() + 16);
        const Bytes want_ct(packet.begin() + 16, packet.end() - 16);
        const Bytes want_tag(packet.end() - 16, packet.end());

        auto gcm_op = [&](Bytes& buf, const uint8_t* icv_in) {
            CryptoOp op = cipher_op(sa.get(), buf, nonce.data(), icv_in == nullptr);
            op.aad = aad.data();
            op.aad_len = static_cast<uint8_t>(aad.size());
            op.icv_in = icv_in;
            return op;
        };
        Bytes buf = plain;
        CryptoOp op = gcm_op(buf, nullptr);
        ASSERT_EQ(run(op), OpStatus::kOk);
        EXPECT_EQ(to_hex(buf), to_hex(want_ct));
        EXPECT_EQ(to_hex(scratch_, 16), to_hex(want_tag));

        op = gcm_op(buf, want_tag.data());
        EXPECT_EQ(run(op), OpStatus::kOk);
        EXPECT_EQ(buf, plain);

        Bytes bad_tag = want_tag;
        bad_tag[0] ^= 0x80;
        Bytes ct = want_ct;
        op = gcm_op(ct, bad_tag.data());
        EXPECT_EQ(run(op), OpStatus::kIcvMismatch);
    }
}

INSTANTIATE_TEST_SUITE_P(Kat, BackendKat,
                         testing::Values(BackendKind::kIpsecMb, BackendKind::kOpenSsl),
                         backend_name);

}  // namespace
}  // namespace espgw::kat
