// HMAC known answers: RFC 2202 §2-3 (HMAC-MD5, HMAC-SHA-1), RFC 4231 §4 (HMAC-SHA-256/384/512)
// and RFC 4868 §2.7.2 (the IPsec authenticators HMAC-SHA-256-128, -384-192, -512-256, whose
// values are already truncated). `mac` is the digest as the RFC prints it: the full digest for
// RFC 2202/4231 (the engine emits a truncated ICV and is compared on its first icv_len bytes),
// the 128-bit truncation for RFC 4231 case 5, the truncated authenticator for RFC 4868.
#pragma once

#include <string_view>

#include "crypto/suite.h"
#include "tests/kat/kat_bytes.h"

namespace espgw::kat {

struct HmacVector {
    std::string_view id;
    crypto::Integrity alg;
    Data key;
    Data data;
    std::string_view mac;
};

using crypto::Integrity;

inline constexpr std::string_view kHiThere = "Hi There";
inline constexpr std::string_view kWhatDoYa = "what do ya want for nothing?";
inline constexpr std::string_view kTruncation = "Test With Truncation";
inline constexpr std::string_view kHashKeyFirst =
    "Test Using Larger Than Block-Size Key - Hash Key First";
inline constexpr std::string_view kOneBlockData =
    "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data";
inline constexpr std::string_view kLargerData =
    "This is a test using a larger than block-size key and a larger than block-size data. The "
    "key needs to be hashed before being used by the HMAC algorithm.";
inline constexpr std::string_view kKey0x01To0x19 =
    "0102030405060708090a0b0c0d0e0f10111213141516171819";

// RFC 2202 §2 (HMAC-MD5) and §3 (HMAC-SHA-1), test cases 1-7.
inline constexpr HmacVector kRfc2202[] = {
    {"RFC 2202 HMAC-MD5 case 1", Integrity::kHmacMd5_96, fill(0x0b, 16), text(kHiThere),
     "9294727a3638bb1c13f48ef8158bfc9d"},
    {"RFC 2202 HMAC-MD5 case 2", Integrity::kHmacMd5_96, text("Jefe"), text(kWhatDoYa),
     "750c783e6ab0b503eaa86e310a5db738"},
    {"RFC 2202 HMAC-MD5 case 3", Integrity::kHmacMd5_96, fill(0xaa, 16), fill(0xdd, 50),
     "56be34521d144c88dbb8c733f0e8b3f6"},
    {"RFC 2202 HMAC-MD5 case 4", Integrity::kHmacMd5_96, hex(kKey0x01To0x19), fill(0xcd, 50),
     "697eaf0aca3a3aea3a75164746ffaa79"},
    {"RFC 2202 HMAC-MD5 case 5", Integrity::kHmacMd5_96, fill(0x0c, 16), text(kTruncation),
     "56461ef2342edc00f9bab995690efd4c"},
    {"RFC 2202 HMAC-MD5 case 6", Integrity::kHmacMd5_96, fill(0xaa, 80), text(kHashKeyFirst),
     "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"},
    {"RFC 2202 HMAC-MD5 case 7", Integrity::kHmacMd5_96, fill(0xaa, 80), text(kOneBlockData),
     "6f630fad67cda0ee1fb1f562db3aa53e"},
    {"RFC 2202 HMAC-SHA-1 case 1", Integrity::kHmacSha1_96, fill(0x0b, 20), text(kHiThere),
     "b617318655057264e28bc0b6fb378c8ef146be00"},
    {"RFC 2202 HMAC-SHA-1 case 2", Integrity::kHmacSha1_96, text("Jefe"), text(kWhatDoYa),
     "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
    {"RFC 2202 HMAC-SHA-1 case 3", Integrity::kHmacSha1_96, fill(0xaa, 20), fill(0xdd, 50),
     "125d7342b9ac11cd91a39af48aa17b4f63f175d3"},
    {"RFC 2202 HMAC-SHA-1 case 4", Integrity::kHmacSha1_96, hex(kKey0x01To0x19), fill(0xcd, 50),
     "4c9007f4026250c6bc8414f9bf50c86c2d7235da"},
    {"RFC 2202 HMAC-SHA-1 case 5", Integrity::kHmacSha1_96, fill(0x0c, 20), text(kTruncation),
     "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"},
    {"RFC 2202 HMAC-SHA-1 case 6", Integrity::kHmacSha1_96, fill(0xaa, 80), text(kHashKeyFirst),
     "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
    {"RFC 2202 HMAC-SHA-1 case 7", Integrity::kHmacSha1_96, fill(0xaa, 80), text(kOneBlockData),
     "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"},
};

// RFC 4231 §4.2-4.8, test cases 1-7 for SHA-256, SHA-384 and SHA-512. Case 5 (§4.6) prints only
// the output truncated to 128 bits.
inline constexpr HmacVector kRfc4231[] = {
    {"RFC 4231 case 1 SHA-256", Integrity::kHmacSha256_128, fill(0x0b, 20), text(kHiThere),
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
    {"RFC 4231 case 1 SHA-384", Integrity::kHmacSha384_192, fill(0x0b, 20), text(kHiThere),
     "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
     "faea9ea9076ede7f4af152e8b2fa9cb6"},
    {"RFC 4231 case 1 SHA-512", Integrity::kHmacSha512_256, fill(0x0b, 20), text(kHiThere),
     "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
     "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
    {"RFC 4231 case 2 SHA-256", Integrity::kHmacSha256_128, text("Jefe"), text(kWhatDoYa),
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {"RFC 4231 case 2 SHA-384", Integrity::kHmacSha384_192, text("Jefe"), text(kWhatDoYa),
     "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
     "8e2240ca5e69e2c78b3239ecfab21649"},
    {"RFC 4231 case 2 SHA-512", Integrity::kHmacSha512_256, text("Jefe"), text(kWhatDoYa),
     "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
     "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
    {"RFC 4231 case 3 SHA-256", Integrity::kHmacSha256_128, fill(0xaa, 20), fill(0xdd, 50),
     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
    {"RFC 4231 case 3 SHA-384", Integrity::kHmacSha384_192, fill(0xaa, 20), fill(0xdd, 50),
     "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
     "2a5ab39dc13814b94e3ab6e101a34f27"},
    {"RFC 4231 case 3 SHA-512", Integrity::kHmacSha512_256, fill(0xaa, 20), fill(0xdd, 50),
     "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
     "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"},
    {"RFC 4231 case 4 SHA-256", Integrity::kHmacSha256_128, hex(kKey0x01To0x19), fill(0xcd, 50),
     "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
    {"RFC 4231 case 4 SHA-384", Integrity::kHmacSha384_192, hex(kKey0x01To0x19), fill(0xcd, 50),
     "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
     "6801dd23c4a7d679ccf8a386c674cffb"},
    {"RFC 4231 case 4 SHA-512", Integrity::kHmacSha512_256, hex(kKey0x01To0x19), fill(0xcd, 50),
     "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
     "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"},
    {"RFC 4231 case 5 SHA-256", Integrity::kHmacSha256_128, fill(0x0c, 20), text(kTruncation),
     "a3b6167473100ee06e0c796c2955552b"},
    {"RFC 4231 case 5 SHA-384", Integrity::kHmacSha384_192, fill(0x0c, 20), text(kTruncation),
     "3abf34c3503b2a23a46efc619baef897"},
    {"RFC 4231 case 5 SHA-512", Integrity::kHmacSha512_256, fill(0x0c, 20), text(kTruncation),
     "415fad6271580a531d4179bc891d87a6"},
    {"RFC 4231 case 6 SHA-256", Integrity::kHmacSha256_128, fill(0xaa, 131), text(kHashKeyFirst),
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
    {"RFC 4231 case 6 SHA-384", Integrity::kHmacSha384_192, fill(0xaa, 131), text(kHashKeyFirst),
     "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
     "0c2ef6ab4030fe8296248df163f44952"},
    {"RFC 4231 case 6 SHA-512", Integrity::kHmacSha512_256, fill(0xaa, 131), text(kHashKeyFirst),
     "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
     "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
    {"RFC 4231 case 7 SHA-256", Integrity::kHmacSha256_128, fill(0xaa, 131), text(kLargerData),
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    {"RFC 4231 case 7 SHA-384", Integrity::kHmacSha384_192, fill(0xaa, 131), text(kLargerData),
     "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
     "a678cc31e799176d3860e6110c46523e"},
    {"RFC 4231 case 7 SHA-512", Integrity::kHmacSha512_256, fill(0xaa, 131), text(kLargerData),
     "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
     "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"},
};

// RFC 4868 §2.7.2.1-2.7.2.3: AUTH256-1..4, AUTH384-1..4, AUTH512-1..4 with the RFC's
// full-size keys (32, 48, 64 bytes) and the truncated authenticator values.
inline constexpr HmacVector kRfc4868[] = {
    {"RFC 4868 AUTH256-1", Integrity::kHmacSha256_128, fill(0x0b, 32), text(kHiThere),
     "198a607eb44bfbc69903a0f1cf2bbdc5"},
    {"RFC 4868 AUTH256-2", Integrity::kHmacSha256_128, text("JefeJefeJefeJefeJefeJefeJefeJefe"),
     text(kWhatDoYa), "167f928588c5cc2eef8e3093caa0e87c"},
    {"RFC 4868 AUTH256-3", Integrity::kHmacSha256_128, fill(0xaa, 32), fill(0xdd, 50),
     "cdcb1220d1ecccea91e53aba3092f962"},
    {"RFC 4868 AUTH256-4", Integrity::kHmacSha256_128,
     hex("0102030405060708090a0b0c0d0e0f10 1112131415161718191a1b1c1d1e1f20"), fill(0xcd, 50),
     "372efcf9b40b35c2115b1346903d2ef4"},
    {"RFC 4868 AUTH384-1", Integrity::kHmacSha384_192, fill(0x0b, 48), text(kHiThere),
     "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973"},
    {"RFC 4868 AUTH384-2", Integrity::kHmacSha384_192,
     text("JefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefe"), text(kWhatDoYa),
     "2c7353974f1842fd66d53c452ca42122b28c0b594cfb184d"},
    {"RFC 4868 AUTH384-3", Integrity::kHmacSha384_192, fill(0xaa, 48), fill(0xdd, 50),
     "809f439be00274321d4a538652164b53554a508184a0c316"},
    {"RFC 4868 AUTH384-4", Integrity::kHmacSha384_192,
     hex("0102030405060708090a0b0c0d0e0f10 1112131415161718191a1b1c1d1e1f20"
         "0a0b0c0d0e0f10111213141516171819"),
     fill(0xcd, 50), "5b540085c6e6358096532b2493609ed1cb298f774f87bb5c"},
    {"RFC 4868 AUTH512-1", Integrity::kHmacSha512_256, fill(0x0b, 64), text(kHiThere),
     "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8"},
    {"RFC 4868 AUTH512-2", Integrity::kHmacSha512_256,
     text("JefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefe"), text(kWhatDoYa),
     "cb370917ae8a7ce28cfd1d8f4705d6141c173b2a9362c15df235dfb251b15454"},
    {"RFC 4868 AUTH512-3", Integrity::kHmacSha512_256, fill(0xaa, 64), fill(0xdd, 50),
     "2ee7acd783624ca9398710f3ee05ae41b9f9b0510c87e49e586cc9bf961733d8"},
    {"RFC 4868 AUTH512-4", Integrity::kHmacSha512_256,
     hex("0102030405060708090a0b0c0d0e0f10 1112131415161718191a1b1c1d1e1f20"
         "2122232425262728292a2b2c2d2e2f30 3132333435363738393a3b3c3d3e3f40"),
     fill(0xcd, 50), "5e6688e5a3daec826ca32eaea224eff5e700628947470e13ad01302561bab108"},
};

}  // namespace espgw::kat
