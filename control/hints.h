// "did you mean ...?" suggestions for misspelt keywords.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace espgw::control {

// Case-insensitive Levenshtein distance.
size_t edit_distance(std::string_view a, std::string_view b);

// The closest candidate when it is close enough to be a typo (a third of the word, at least 2
// edits), else empty.
std::string_view closest_word(std::string_view got, std::span<const std::string_view> candidates);

// "did you mean X?" or empty.
std::string did_you_mean(std::string_view got, std::span<const std::string_view> candidates);

}  // namespace espgw::control
