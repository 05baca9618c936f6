// `set session-key inbound|outbound esp SPI [cipher HEX] [authenticator HEX]` of an
// ipsec-manual crypto map entry. Key lengths depend on the transform set, which may be defined
// later in the file, so they are checked by the validator; here only the syntax.
#include "control/parser_internal.h"
#include "control/value_parsers.h"

namespace espgw::control {
namespace {

constexpr std::string_view kUsage =
    "set session-key inbound|outbound esp SPI [cipher HEX-KEY] [authenticator HEX-KEY]";
// RFC 4303 §2.1: SPIs 1-255 are reserved by IANA; 0 is never sent.
constexpr uint64_t kMinSpi = 256;
constexpr uint64_t kMaxSpi = 0xffffffffu;

std::string_view key_problem(HexKeyStatus s) {
    switch (s) {
        case HexKeyStatus::kEmpty:
            return "is empty";
        case HexKeyStatus::kOddLength:
            return "has an odd number of hex digits";
        case HexKeyStatus::kBadDigit:
            return "is not hexadecimal";
        case HexKeyStatus::kTooLong:
            return "is too long";
        case HexKeyStatus::kOk:
            break;
    }
    return "";
}

// Reads `cipher HEX` or `authenticator HEX` at token i; the key text is never quoted back.
bool read_key(ParseContext& ctx, const Line& l, size_t i, SessionKey* k) {
    const bool cipher = l.is(i, "cipher");
    if (!cipher && !l.is(i, "authenticator"))
        return ctx.error(l, "expected cipher or authenticator", std::string(kUsage)), false;
    if (i + 1 >= l.size())
        return ctx.error(l, "missing key after " + std::string(l.tokens[i]), std::string(kUsage)),
               false;
    if ((cipher && k->has_cipher) || (!cipher && k->has_auth))
        return ctx.error(l, std::string(l.tokens[i]) + " given twice"), false;
    crypto::KeyBytes& key = cipher ? k->cipher_key : k->auth_key;
    const HexKeyStatus s = parse_hex_key(l.tokens[i + 1], &key);
    if (s != HexKeyStatus::kOk)
        return ctx.error(l,
                         "the " + std::string(l.tokens[i]) + " key " + std::string(key_problem(s)),
                         "keys are hex digits, two per byte"),
               false;
    (cipher ? k->has_cipher : k->has_auth) = true;
    return true;
}

std::optional<uint32_t> read_spi(ParseContext& ctx, const Line& l, size_t i) {
    const auto spi = parse_spi(l.tokens[i]);
    if (spi && *spi >= kMinSpi && *spi <= kMaxSpi) return static_cast<uint32_t>(*spi);
    ctx.error(l, "SPI '" + std::string(l.tokens[i]) + "' is out of range",
              "SPIs are 256 to 4294967295, decimal or 0x-prefixed hex (RFC 4303 §2.1)");
    return std::nullopt;
}

}  // namespace

void parse_session_key(ParseContext& ctx, const Line& l, size_t arg) {
    if (ctx.map_entry().kind != MapKind::kManual)
        return ctx.error(l, "session keys belong to ipsec-manual entries",
                         "declare the entry as crypto map NAME SEQ ipsec-manual");
    static constexpr std::string_view kDirections[] = {"inbound", "outbound"};
    const auto dir = ctx.keyword(l, arg, kDirections, "the direction");
    if (!dir || !ctx.need(l, arg + 3, kUsage)) return;
    if (l.is(arg + 1, "ah")) return ctx.error(l, "AH is not supported: espgw is an ESP gateway");
    static constexpr std::string_view kEsp[] = {"esp"};
    if (!ctx.keyword(l, arg + 1, kEsp, "the protocol")) return;
    const auto spi = read_spi(ctx, l, arg + 2);
    if (!spi) return;
    SessionKey k{.line = l.number, .spi = *spi};
    for (size_t i = arg + 3; i < l.size(); i += 2)
        if (!read_key(ctx, l, i, &k)) return;
    if (!k.has_cipher && !k.has_auth) return ctx.error(l, "no key given", std::string(kUsage));
    (*dir == 0 ? ctx.map_entry().inbound : ctx.map_entry().outbound) = std::move(k);
}

}  // namespace espgw::control
