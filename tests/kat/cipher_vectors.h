// Cipher known answers run straight through the crypto backends: RFC 3602 §4 cases 1-4 (plain
// AES-128-CBC) and RFC 3686 §6 test vectors 1-9 (AES-CTR with a 4-byte nonce, an 8-byte IV and
// a 32-bit block counter starting at 1).
#pragma once

#include <string_view>

#include "crypto/suite.h"
#include "tests/kat/kat_bytes.h"

namespace espgw::kat {

struct CbcVector {
    std::string_view id;
    std::string_view key;
    std::string_view iv;
    Data plaintext;
    std::string_view ciphertext;
};

// RFC 3602 §4, cases #1-#4 (AES-128-CBC, whole blocks, no ESP framing).
inline constexpr CbcVector kRfc3602Cbc[] = {
    {"RFC 3602 case 1", "06a9214036b8a15b512e03d534120006", "3dafba429d9eb430b422da802c9fac41",
     text("Single block msg"), "e353779c1079aeb82708942dbe77181a"},
    {"RFC 3602 case 2", "c286696d887c9aa0611bbb3e2025a45a", "562e17996d093d28ddb3ba695a2e6f58",
     hex("000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f"),
     "d296cd94c2cccf8a3a863028b5e1dc0a 7586602d253cfff91b8266bea6d61ab1"},
    {"RFC 3602 case 3", "6c3ea0477630ce21a2ce334aa746c2cd", "c782dc4c098c66cbd9cd27d825682c81",
     text("This is a 48-byte message (exactly 3 AES blocks)"),
     "d0a02b3836451753d493665d33f0e886 2dea54cdb293abc7506939276772f8d5"
     "021c19216bad525c8579695d83ba2684"},
    {"RFC 3602 case 4", "56e47a38c5598974bc46903dba290349", "8ce82eefbea0da3c44699ed7db51b7d9",
     hex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf b0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
         "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf d0d1d2d3d4d5d6d7d8d9dadbdcdddedf"),
     "c30e32ffedc0774e6aff6af0869f71aa 0f3af07a9a31a9c684db207eb0ef8e4e"
     "35907aa632c3ffdf868bb7b29d3d46ad 83ce9f9a102ee99d49a53e87f4c3da55"},
};

struct CtrVector {
    std::string_view id;
    crypto::Cipher cipher;
    std::string_view key;    // AES key
    std::string_view nonce;  // RFC 3686 "nonce": the 4 bytes ESP keying material adds (§5.1)
    std::string_view iv;     // the 8-byte IV carried in each ESP packet
    std::string_view plaintext;
    std::string_view ciphertext;
};

// RFC 3686 §6, Test Vectors #1-#9.
inline constexpr CtrVector kRfc3686[] = {
    {"RFC 3686 vector 1", crypto::Cipher::kAes128Ctr, "ae6852f8121067cc4bf7a5765577f39e",
     "00000030", "0000000000000000", "53696e676c6520626c6f636b206d7367",
     "e4095d4fb7a7b3792d6175a3261311b8"},
    {"RFC 3686 vector 2", crypto::Cipher::kAes128Ctr, "7e24067817fae0d743d6ce1f32539163",
     "006cb6db", "c0543b59da48d90b",
     "000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f",
     "5104a106168a72d9790d41ee8edad388 eb2e1efc46da57c8fce630df9141be28"},
    {"RFC 3686 vector 3", crypto::Cipher::kAes128Ctr, "7691be035e5020a8ac6e618529f9a0dc",
     "00e0017b", "27777f3f4a1786f0",
     "000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f 20212223",
     "c1cf48a89f2ffdd9cf4652e9efdb72d7 4540a42bde6d7836d59a5ceaaef31053 25b2072f"},
    {"RFC 3686 vector 4", crypto::Cipher::kAes192Ctr,
     "16af5b145fc9f579c175f93e3bfb0eed863d06ccfdb78515", "00000048", "36733c147d6d93cb",
     "53696e676c6520626c6f636b206d7367", "4b55384fe259c9c84e7935a003cbe928"},
    {"RFC 3686 vector 5", crypto::Cipher::kAes192Ctr,
     "7c5cb2401b3dc33c19e7340819e0f69c678c3db8e6f6a91a", "0096b03b", "020c6eadc2cb500d",
     "000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f",
     "453243fc609b23327edfaafa7131cd9f 8490701c5ad4a79cfc1fe0ff42f4fb00"},
    {"RFC 3686 vector 6", crypto::Cipher::kAes192Ctr,
     "02bf391ee8ecb159b959617b0965279bf59b60a786d3e0fe", "0007bdfd", "5cbd60278dcc0912",
     "000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f 20212223",
     "96893fc55e5c722f540b7dd1ddf7e758 d288bc95c69165884536c811662f2188 abee0935"},
    {"RFC 3686 vector 7", crypto::Cipher::kAes256Ctr,
     "776beff2851db06f4c8a0542c8696f6c6a81af1eec96b4d37fc1d689e6c1c104", "00000060",
     "db5672c97aa8f0b2", "53696e676c6520626c6f636b206d7367", "145ad01dbf824ec7560863dc71e3e0c0"},
    {"RFC 3686 vector 8", crypto::Cipher::kAes256Ctr,
     "f6d66d6bd52d59bb0796365879eff886c66dd51a5b6a99744b50590c87a23884", "00faac24",
     "c1585ef15a43d875", "000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f",
     "f05e231b3894612c49ee000b804eb2a9 b8306b508f839d6a5530831d9344af1c"},
    {"RFC 3686 vector 9", crypto::Cipher::kAes256Ctr,
     "ff7a617ce69148e4f1726e2f43581de2aa62d9f805532edff1eed687fb54153d", "001cc5b7",
     "51a51d70a1c11148",
     "000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f 20212223",
     "eb6c52821d0bbbf7ce7594462aca4faa b407df866569fd07f48cc0b583d6071f 1ec0e6b8"},
};

}  // namespace espgw::kat
