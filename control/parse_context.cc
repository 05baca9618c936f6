#include "control/parse_context.h"

#include "control/hints.h"
#include "control/value_parsers.h"

namespace espgw::control {

void ParseContext::add(const Line& l, Severity s, std::string message, std::string hint) {
    diags_.push_back(Diagnostic{l.number, s, std::move(message), std::move(hint)});
}

void ParseContext::error(const Line& l, std::string message, std::string hint) {
    ++errors_;
    add(l, Severity::kError, std::move(message), std::move(hint));
}

void ParseContext::warning(const Line& l, std::string message, std::string hint) {
    add(l, Severity::kWarning, std::move(message), std::move(hint));
}

void ParseContext::ignored(const Line& l, std::string message, std::string hint) {
    add(l, Severity::kIgnored, std::move(message), std::move(hint));
}

void ParseContext::enter(Block b, const Line& header, size_t index, std::string what) {
    block_ = b;
    index_ = index;
    block_line_ = header.number;
    block_what_ = std::move(what);
}

CryptoMapEntry& ParseContext::map_entry() {
    return block_ == Block::kDynamicMap ? cfg.dynamic_maps[index_] : cfg.crypto_maps[index_];
}

bool ParseContext::need(const Line& l, size_t tokens, std::string_view usage) {
    if (l.size() >= tokens) return true;
    error(l, "incomplete command", "usage: " + std::string(usage));
    return false;
}

bool ParseContext::no_extra(const Line& l, size_t tokens, std::string_view usage) {
    if (l.size() <= tokens) return true;
    error(l, "unexpected '" + std::string(l.tokens[tokens]) + "' at the end of the command",
          "usage: " + std::string(usage));
    return false;
}

std::optional<uint64_t> ParseContext::number(const Line& l, size_t i, uint64_t lo, uint64_t hi,
                                             std::string_view what) {
    const auto v = i < l.size() ? parse_u64(l.tokens[i]) : std::nullopt;
    if (v && *v >= lo && *v <= hi) return v;
    error(l, std::string(what) + " must be a number from " + std::to_string(lo) + " to " +
                 std::to_string(hi));
    return std::nullopt;
}

std::optional<Ipv4> ParseContext::address(const Line& l, size_t i, std::string_view what) {
    const auto a = i < l.size() ? Ipv4::parse(l.tokens[i]) : std::nullopt;
    if (!a) error(l, std::string(what) + " must be an IPv4 address (A.B.C.D)");
    return a;
}

std::optional<uint8_t> ParseContext::netmask(const Line& l, size_t i) {
    const auto m = address(l, i, "the mask");
    if (!m) return std::nullopt;
    const auto len = mask_to_prefix(*m);
    if (!len) error(l, "mask " + m->to_string() + " is not contiguous", "e.g. 255.255.255.0");
    return len;
}

std::optional<size_t> ParseContext::keyword(const Line& l, size_t i,
                                            std::span<const std::string_view> words,
                                            std::string_view what) {
    for (size_t k = 0; k < words.size(); ++k)
        if (l.is(i, words[k])) return k;
    std::string choices;
    for (std::string_view w : words)
        choices += (choices.empty() ? "" : "|") + std::string(w);
    const std::string got = i < l.size() ? "'" + std::string(l.tokens[i]) + "'" : "nothing";
    const std::string hint = i < l.size() ? did_you_mean(l.tokens[i], words) : "";
    error(l, std::string(what) + " must be " + choices + ", got " + got,
          hint.empty() ? "one of " + choices : hint);
    return std::nullopt;
}

}  // namespace espgw::control
