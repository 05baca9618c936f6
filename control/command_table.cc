#include "control/command_table.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "control/hints.h"

namespace espgw::control {
namespace {

// Tokens of `line` that equal the phrase's words, counted from the start.
size_t agreeing_words(std::string_view phrase, const Line& line) {
    const auto words = split_words(phrase);
    size_t n = 0;
    while (n < words.size() && line.is(n, words[n]))
        ++n;
    return n;
}

bool matches(const Command& c, const Line& line) {
    const size_t words = word_count(c.phrase);
    if (agreeing_words(c.phrase, line) != words) return false;
    return c.max_tokens == 0 || line.size() <= c.max_tokens;
}

// The line's first `n` tokens joined by single spaces.
std::string leading_text(const Line& line, size_t n) {
    std::string s;
    for (size_t i = 0; i < n && i < line.size(); ++i)
        s += (i ? " " : "") + std::string(line.tokens[i]);
    return s;
}

}  // namespace

std::optional<CommandMatch> match_command(std::span<const Command> table, const Line& line) {
    std::optional<CommandMatch> best;
    for (const Command& c : table) {
        if (!matches(c, line)) continue;
        const size_t words = word_count(c.phrase);
        if (!best || words > best->arg) best = CommandMatch{&c, words};
    }
    return best;
}

size_t known_prefix(std::span<const Command> table, const Line& line) {
    size_t best = 0;
    for (const Command& c : table)
        best = std::max(best, agreeing_words(c.phrase, line));
    return best;
}

std::string suggest_command(std::span<const Command> table, const Line& line) {
    std::vector<std::string> texts;
    texts.reserve(table.size());
    for (const Command& c : table)
        texts.push_back(leading_text(line, word_count(c.phrase)));
    std::string_view best;
    size_t best_distance = SIZE_MAX;
    for (size_t i = 0; i < table.size(); ++i) {
        const size_t d = edit_distance(texts[i], table[i].phrase);
        const size_t allowed = std::max<size_t>(2, table[i].phrase.size() / 4);
        if (d > 0 && d <= allowed && d < best_distance) {
            best = table[i].phrase;
            best_distance = d;
        }
    }
    return best.empty() ? std::string{} : "did you mean " + std::string(best) + "?";
}

}  // namespace espgw::control
