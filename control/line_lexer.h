// Splits the startup file into meaningful lines: comments (`!`, `!---`, and a ` !` that starts a
// trailing remark), blank lines and carriage returns are dropped, indentation is measured and
// the rest is cut into whitespace-separated tokens that point into the original text.
#pragma once

#include <string_view>
#include <vector>

namespace espgw::control {

struct Line {
    int number = 0;  // 1-based line in the file
    int indent = 0;  // leading blanks: IOS indents the sub-commands of a block
    std::string_view text;
    std::vector<std::string_view> tokens;

    size_t size() const { return tokens.size(); }
    // Case-insensitive keyword test, as IOS matches keywords.
    bool is(size_t i, std::string_view word) const;
    // The raw text from token i to the end of the line (descriptions, remarks).
    std::string_view rest(size_t i) const;
    // The raw text of the first n tokens (a command's keywords, without its arguments).
    std::string_view head(size_t n) const;
    // Like head(n), but it stops after a keyword that introduces a secret (`password`, `secret`,
    // `key`, ...) so a diagnostic can quote the line without its password.
    std::string_view quotable(size_t n) const;
    // True when the first tokens are the words of `phrase` ("client authentication list").
    bool starts_with(std::string_view phrase) const;
    // The same line without its first i tokens (for commands nested in other commands).
    Line from(size_t i) const;
};

// Whitespace-separated words of a phrase or line.
std::vector<std::string_view> split_words(std::string_view s);
inline size_t word_count(std::string_view phrase) {
    return split_words(phrase).size();
}
bool iequals(std::string_view a, std::string_view b);

std::vector<Line> split_lines(std::string_view text);

}  // namespace espgw::control
