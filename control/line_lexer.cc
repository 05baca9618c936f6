#include "control/line_lexer.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace espgw::control {
namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

std::string_view trim_right(std::string_view s) {
    while (!s.empty() && is_blank(s.back()))
        s.remove_suffix(1);
    return s;
}

// IOS comments start with `!`; the reference configurations also append ` ! remark` to commands.
// A `!` glued to a word (a password like `cisco!1`) is kept.
std::string_view strip_comment(std::string_view s) {
    if (!s.empty() && s.front() == '!') return {};
    for (size_t i = 1; i < s.size(); ++i)
        if (s[i] == '!' && is_blank(s[i - 1])) return trim_right(s.substr(0, i));
    return trim_right(s);
}

std::vector<std::string_view> tokenize(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && is_blank(s[i]))
            ++i;
        const size_t start = i;
        while (i < s.size() && !is_blank(s[i]))
            ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}

std::optional<Line> make_line(std::string_view raw, int number) {
    int indent = 0;
    while (!raw.empty() && is_blank(raw.front())) {
        raw.remove_prefix(1);
        ++indent;
    }
    const std::string_view text = strip_comment(raw);
    if (text.empty()) return std::nullopt;
    return Line{number, indent, text, tokenize(text)};
}

}  // namespace

std::vector<std::string_view> split_words(std::string_view s) {
    return tokenize(s);
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

bool Line::is(size_t i, std::string_view word) const {
    return i < tokens.size() && iequals(tokens[i], word);
}

std::string_view Line::rest(size_t i) const {
    if (i >= tokens.size()) return {};
    const size_t offset = static_cast<size_t>(tokens[i].data() - text.data());
    return text.substr(offset);
}

std::string_view Line::head(size_t n) const {
    if (n == 0 || tokens.empty()) return {};
    const std::string_view last = tokens[std::min(n, tokens.size()) - 1];
    return text.substr(0, static_cast<size_t>(last.data() + last.size() - text.data()));
}

std::string_view Line::quotable(size_t n) const {
    static constexpr std::string_view kSecretWords[] = {
        "password", "secret", "key", "key-string", "community", "authentication-key"};
    size_t i = 0;
    while (i < n && i < tokens.size()) {
        const bool secret_follows = std::any_of(std::begin(kSecretWords), std::end(kSecretWords),
                                                [&](std::string_view w) { return is(i, w); });
        ++i;
        if (secret_follows) break;
    }
    return head(i);
}

bool Line::starts_with(std::string_view phrase) const {
    size_t i = 0;
    for (std::string_view word : tokenize(phrase))
        if (!is(i++, word)) return false;
    return true;
}

Line Line::from(size_t i) const {
    Line sub{number, indent, rest(i), {}};
    if (i < tokens.size()) sub.tokens.assign(tokens.begin() + static_cast<long>(i), tokens.end());
    return sub;
}

std::vector<Line> split_lines(std::string_view text) {
    std::vector<Line> lines;
    int number = 0;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        const std::string_view raw = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (auto line = make_line(raw, ++number)) lines.push_back(std::move(*line));
    }
    return lines;
}

}  // namespace espgw::control
