// `crypto ipsec transform-set NAME t1 [t2 [t3]]` and its `mode` sub-command. The transform names
// and key sizes come from the engine's suite table (crypto/suite.h), so every suite the engine
// runs has exactly one spelling here.
#include <algorithm>

#include "control/hints.h"
#include "control/parser_internal.h"

namespace espgw::control {
namespace {

using crypto::Cipher;
using crypto::CipherFamily;
using crypto::Integrity;

// Transforms IOS knows that espgw does not run, with the reason.
struct Unsupported {
    std::string_view name;
    std::string_view why;
};

constexpr Unsupported kUnsupported[] = {
    {"esp-gmac", "esp-gmac (integrity-only AES-GMAC, RFC 4543) is not supported"},
    {"esp-seal", "esp-seal is not supported"},
    {"ah-md5-hmac", "AH is not supported: espgw is an ESP gateway"},
    {"ah-sha-hmac", "AH is not supported: espgw is an ESP gateway"},
    {"ah-sha256-hmac", "AH is not supported: espgw is an ESP gateway"},
    {"ah-sha384-hmac", "AH is not supported: espgw is an ESP gateway"},
    {"ah-sha512-hmac", "AH is not supported: espgw is an ESP gateway"},
    {"comp-lzs", "IP compression (comp-lzs) is not supported"},
};

constexpr std::string_view kKnownWords[] = {
    "esp-null",        "esp-des",         "esp-3des",        "esp-aes",
    "esp-gcm",         "esp-aes-ctr",     "esp-md5-hmac",    "esp-sha-hmac",
    "esp-sha256-hmac", "esp-sha384-hmac", "esp-sha512-hmac", "esp-gmac",
    "esp-seal",        "ah-md5-hmac",     "ah-sha-hmac",     "comp-lzs",
};

constexpr std::string_view kUsage =
    "crypto ipsec transform-set NAME {esp-null|esp-des|esp-3des|esp-aes [128|192|256]|esp-gcm "
    "[128|192|256]} [esp-md5-hmac|esp-sha-hmac|esp-sha256-hmac|esp-sha384-hmac|esp-sha512-hmac]";

bool takes_key_size(std::string_view w) {
    return iequals(w, "esp-aes") || iequals(w, "esp-gcm") || iequals(w, "esp-aes-ctr");
}

bool is_key_size(std::string_view w) {
    return w == "128" || w == "192" || w == "256";
}

std::optional<Cipher> cipher_named(std::string_view ios_name) {
    for (int k = 0; k < crypto::kNumCiphers; ++k)
        if (iequals(crypto::cipher_info(static_cast<Cipher>(k)).ios_name, ios_name))
            return static_cast<Cipher>(k);
    return std::nullopt;
}

std::optional<Integrity> integrity_named(std::string_view ios_name) {
    for (int k = 1; k < crypto::kNumIntegrity; ++k)
        if (iequals(crypto::integrity_info(static_cast<Integrity>(k)).ios_name, ios_name))
            return static_cast<Integrity>(k);
    return std::nullopt;
}

// The transforms collected from the header line.
struct Transforms {
    std::optional<Cipher> cipher;
    std::optional<Integrity> integrity;
    std::vector<std::string> written;
};

bool add_cipher(ParseContext& ctx, const Line& l, Transforms* t, Cipher c, std::string text) {
    if (t->cipher) return ctx.error(l, "two encryption transforms", "keep one of them"), false;
    if (iequals(text.substr(0, 11), "esp-aes-ctr"))
        ctx.warning(l, "esp-aes-ctr (RFC 3686) is an espgw extension, not an IOS keyword");
    t->cipher = c;
    t->written.push_back(std::move(text));
    return true;
}

bool add_integrity(ParseContext& ctx, const Line& l, Transforms* t, Integrity i,
                   std::string_view w) {
    if (t->integrity)
        return ctx.error(l, "two authentication transforms", "keep one of them"), false;
    t->integrity = i;
    t->written.emplace_back(w);
    return true;
}

bool unknown_transform(ParseContext& ctx, const Line& l, std::string_view w) {
    for (const Unsupported& u : kUnsupported)
        if (iequals(u.name, w)) return ctx.error(l, std::string(u.why)), false;
    const std::string hint = did_you_mean(w, kKnownWords);
    ctx.error(l, "unknown transform '" + std::string(w) + "'",
              hint.empty() ? std::string(kUsage) : hint);
    return false;
}

// One transform starting at token *i (a cipher may take the key size token after it).
bool read_transform(ParseContext& ctx, const Line& l, size_t* i, Transforms* t) {
    const std::string_view w = l.tokens[(*i)++];
    if (auto integrity = integrity_named(w)) return add_integrity(ctx, l, t, *integrity, w);
    std::string text(w);
    if (takes_key_size(w))
        text += " " +
                std::string(*i < l.size() && is_key_size(l.tokens[*i]) ? l.tokens[(*i)++] : "128");
    else if (*i < l.size() && is_key_size(l.tokens[*i]))
        return ctx.error(l, "'" + std::string(w) + "' takes no key size"), false;
    if (auto cipher = cipher_named(text)) return add_cipher(ctx, l, t, *cipher, std::move(text));
    return unknown_transform(ctx, l, w);
}

// RFC 4303 §3.2: ESP needs confidentiality, integrity or both; AEAD brings its own integrity.
bool check_suite(ParseContext& ctx, const Line& l, const Transforms& t) {
    const Cipher c = t.cipher.value_or(Cipher::kNull);
    const Integrity i = t.integrity.value_or(Integrity::kNone);
    const CipherFamily f = crypto::cipher_info(c).family;
    if (f == CipherFamily::kGcm && i != Integrity::kNone)
        return ctx.error(l, "esp-gcm carries its own ICV (RFC 4106) and takes no hmac",
                         "remove " + std::string(crypto::integrity_info(i).ios_name)),
               false;
    if (f == CipherFamily::kNull && i == Integrity::kNone)
        return ctx.error(l, t.cipher ? "esp-null needs an hmac (RFC 4303 §3.2)" : "no transform",
                         "add esp-sha-hmac or esp-sha256-hmac"),
               false;
    if (f != CipherFamily::kNull && f != CipherFamily::kGcm && i == Integrity::kNone)
        ctx.warning(l, "encryption without integrity is open to forgery (RFC 4303 §3.2)",
                    "add esp-sha-hmac or esp-sha256-hmac, or use esp-gcm");
    if (crypto::cipher_info(c).legacy || crypto::integrity_info(i).legacy)
        ctx.warning(l, "legacy algorithm (DES, 3DES or MD5)",
                    "prefer esp-gcm or esp-aes with esp-sha256-hmac");
    return true;
}

std::optional<Transforms> read_transforms(ParseContext& ctx, const Line& l, size_t i) {
    Transforms t;
    while (i < l.size())
        if (!read_transform(ctx, l, &i, &t)) return std::nullopt;
    if (t.written.size() > 3)
        return ctx.error(l, "at most three transforms", std::string(kUsage)), std::nullopt;
    if (!check_suite(ctx, l, t)) return std::nullopt;
    return t;
}

TransformSet& find_or_add(Config& cfg, std::string_view name, int line) {
    auto& v = cfg.transform_sets;
    auto it = std::find_if(v.begin(), v.end(), [&](auto& t) { return t.name == name; });
    if (it != v.end()) return *it;
    v.push_back(TransformSet{.line = line, .name = std::string(name)});
    return v.back();
}

void mode(ParseContext& ctx, const Line& l, size_t arg) {
    static constexpr std::string_view kModes[] = {"tunnel", "transport"};
    const auto m = ctx.keyword(l, arg, kModes, "the mode");
    if (!m) return;
    ctx.transform_set().mode = static_cast<IpsecMode>(*m);
    if (l.size() > arg + 1 && !l.is(arg + 1, "require"))
        ctx.no_extra(l, arg + 1, "mode tunnel|transport");
}

constexpr Command kTransformSetCommands[] = {{"mode", mode}};

}  // namespace

std::span<const Command> transform_set_commands() {
    return kTransformSetCommands;
}

void parse_transform_set(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 2, kUsage)) return ctx.enter(Block::kRejected, l);
    auto t = read_transforms(ctx, l, arg + 1);
    if (!t) return ctx.enter(Block::kRejected, l);
    TransformSet& ts = find_or_add(ctx.cfg, l.tokens[arg], l.number);
    ts.line = l.number;
    ts.cipher = t->cipher.value_or(Cipher::kNull);
    ts.integrity = t->integrity.value_or(Integrity::kNone);
    ts.transforms = std::move(t->written);
    ctx.enter(Block::kTransformSet, l, static_cast<size_t>(&ts - ctx.cfg.transform_sets.data()));
}

}  // namespace espgw::control
