// Legacy algorithms: valid, because the field still runs them, but worth a warning, once per
// transform set or ISAKMP policy rather than once per use. The parser already warns about DES,
// 3DES and MD5 in transform sets (control/transform_set.cc); here: NULL encryption (RFC 2410:
// integrity only, the traffic crosses the network readable) and the legacy ISAKMP policy
// algorithms (RFC 8247 §2: DES and MD5 MUST NOT be used by IKE, 3DES is on its way out).
#include "control/config_lint_internal.h"

namespace espgw::control::lint {
namespace {

constexpr const char* kIkeEncryption[] = {"des", "3des", "aes"};
constexpr const char* kIkeHash[] = {"md5", "sha", "sha256", "sha384", "sha512"};

void null_encryption(const TransformSet& ts, Findings& f) {
    if (ts.cipher != crypto::Cipher::kNull) return;
    f.warn(ts.line,
           "transform set " + ts.name +
               " uses esp-null: packets are authenticated but not encrypted (RFC 2410)",
           "use esp-gcm, or esp-aes with esp-sha256-hmac, unless clear text is intended");
}

void ike_policy(const IsakmpPolicy& p, Findings& f) {
    std::string legacy;
    if (p.encryption != IkeEncryption::kAes)
        legacy = kIkeEncryption[static_cast<int>(p.encryption)];
    if (p.hash == IkeHash::kMd5)
        legacy += std::string(legacy.empty() ? "" : " and ") + kIkeHash[static_cast<int>(p.hash)];
    if (legacy.empty()) return;
    f.warn(p.line, "crypto isakmp policy " + std::to_string(p.priority) + " uses legacy " + legacy,
           p.encryption == IkeEncryption::kDes
               ? "without an encryption line IOS uses des: add encryption aes 256, hash sha256"
               : "prefer encryption aes 256 with hash sha256");
}

}  // namespace

void legacy_algorithms(const Config& cfg, Findings& f) {
    for (const TransformSet& ts : cfg.transform_sets)
        null_encryption(ts, f);
    for (const IsakmpPolicy& p : cfg.isakmp_policies)
        ike_policy(p, f);
}

}  // namespace espgw::control::lint
