// Decap order within one burst (RFC 4303 §3.4.3): the cheap replay pre-check runs before any
// crypto, and the window moves only after the ICV verified. Each case is run on both crypto
// backends and with an AEAD and a CBC+HMAC suite, and asserts the one counter that must move.
#include <gtest/gtest.h>

#include "tests/drops/esp_env.h"

namespace espgw::dataplane {
namespace {

using namespace esp_test;
using sadb::DropReason;

struct Variant {
    crypto::BackendKind backend;
    crypto::Cipher cipher;
    crypto::Integrity integrity;
};

constexpr Variant kVariants[] = {
    {crypto::BackendKind::kIpsecMb, crypto::Cipher::kAes128Gcm, crypto::Integrity::kNone},
    {crypto::BackendKind::kIpsecMb, crypto::Cipher::kAes128Cbc, crypto::Integrity::kHmacSha1_96},
    {crypto::BackendKind::kOpenSsl, crypto::Cipher::kAes128Gcm, crypto::Integrity::kNone},
    {crypto::BackendKind::kOpenSsl, crypto::Cipher::kAes128Cbc, crypto::Integrity::kHmacSha1_96},
};

// The ICV is the last bytes of the packet; one flipped bit there fails verification only.
Bytes with_bad_icv(Bytes esp) {
    esp.back() ^= 0x01;
    return esp;
}

struct Sas {
    sadb::SaRuntime* out;
    sadb::SaRuntime* in;
};

Sas pair(Env& env, const Variant& v) {
    Sas s{};
    s.out = env.add_pair({.cipher = v.cipher, .integrity = v.integrity}, &s.in);
    return s;
}

// Encapsulates one packet with sequence number `seq` (the SA's counter is set just before it).
Bytes esp_with_seq(Env& env, sadb::SaRuntime* out, uint64_t seq, uint16_t payload = 10) {
    out->seq = seq - 1;
    return env.encap(out, {ipv4_udp(payload)}).at(0);
}

class ReplayOrder : public ::testing::TestWithParam<Variant> {};

// Both copies pass the pre-check (the window is empty when the burst is prepared); the second
// must be caught by the re-check after its ICV verified, not emitted twice.
TEST_P(ReplayOrder, SamePacketTwiceInOneBurst) {
    Env env(GetParam().backend);
    const Sas s = pair(env, GetParam());
    const Bytes esp = esp_with_seq(env, s.out, 1);
    const auto out = env.decap({esp, esp});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], ipv4_udp(10));
    expect_only(env, DropReason::kReplayDuplicate, 1);
    EXPECT_EQ(s.in->counters->packets, 1u);
    EXPECT_EQ(s.in->replay.top(), 1u);
}

// A replayed number is refused before crypto: a copy with a broken ICV counts as a duplicate.
// Were the pre-check after the ICV check, it would count as icv_mismatch.
TEST_P(ReplayOrder, DuplicateWithBadIcvIsCountedAsReplay) {
    Env env(GetParam().backend);
    const Sas s = pair(env, GetParam());
    const Bytes esp = esp_with_seq(env, s.out, 7);
    ASSERT_EQ(env.decap({esp}).size(), 1u);
    EXPECT_TRUE(env.decap({with_bad_icv(esp)}).empty());
    expect_only(env, DropReason::kReplayDuplicate, 1);
}

// A forged packet far ahead (N + 5000, beyond the 1024 window) must not slide the window: only
// a verified packet may (§3.4.3). If it did, N + 1 would then be too old.
void forged_far_ahead(Env& env, const Sas& s, bool one_burst) {
    constexpr uint64_t kN = 10;
    for (uint64_t q = 1; q <= kN; ++q)
        ASSERT_EQ(env.decap({esp_with_seq(env, s.out, q)}).size(), 1u);
    const Bytes forged = with_bad_icv(esp_with_seq(env, s.out, kN + 5000));
    const Bytes next = esp_with_seq(env, s.out, kN + 1, 20);
    std::vector<Bytes> got;
    if (one_burst) {
        got = env.decap({forged, next});
    } else {
        EXPECT_TRUE(env.decap({forged}).empty());
        EXPECT_EQ(s.in->replay.top(), kN) << "the forged packet moved the window";
        got = env.decap({next});
    }
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], ipv4_udp(20));
    EXPECT_EQ(s.in->replay.top(), kN + 1);
    expect_only(env, DropReason::kIcvMismatch, 1);
}

TEST_P(ReplayOrder, ForgedFarAheadDoesNotMoveTheWindow) {
    Env env(GetParam().backend);
    forged_far_ahead(env, pair(env, GetParam()), false);
}

TEST_P(ReplayOrder, ForgedFarAheadInTheSameBurst) {
    Env env(GetParam().backend);
    forged_far_ahead(env, pair(env, GetParam()), true);
}

INSTANTIATE_TEST_SUITE_P(Suites, ReplayOrder, ::testing::ValuesIn(kVariants),
                         [](const ::testing::TestParamInfo<Variant>& i) {
                             return std::string(i.param.backend == crypto::BackendKind::kIpsecMb
                                                    ? "ipsecmb_"
                                                    : "openssl_") +
                                    (i.param.integrity == crypto::Integrity::kNone ? "gcm"
                                                                                   : "cbc_sha1");
                         });

}  // namespace
}  // namespace espgw::dataplane
