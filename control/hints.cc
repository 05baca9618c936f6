#include "control/hints.h"

#include <algorithm>
#include <cctype>
#include <numeric>
#include <vector>

namespace espgw::control {
namespace {

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

}  // namespace

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), size_t{0});
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t substitute = diagonal + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
            diagonal = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
        }
    }
    return row[b.size()];
}

std::string_view closest_word(std::string_view got, std::span<const std::string_view> candidates) {
    std::string_view best;
    size_t best_distance = std::max<size_t>(2, got.size() / 3) + 1;
    for (std::string_view c : candidates) {
        const size_t d = edit_distance(got, c);
        if (d < best_distance) {
            best = c;
            best_distance = d;
        }
    }
    return best;
}

std::string did_you_mean(std::string_view got, std::span<const std::string_view> candidates) {
    const std::string_view best = closest_word(got, candidates);
    return best.empty() ? std::string{} : "did you mean " + std::string(best) + "?";
}

}  // namespace espgw::control
