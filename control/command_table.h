// Keyword tables: each configuration mode is a list of command phrases ("crypto isakmp key",
// "set peer") with the function that parses the arguments after the phrase. The longest phrase
// matching the line's first tokens wins, case-insensitively, as in IOS.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "control/line_lexer.h"

namespace espgw::control {

class ParseContext;

// `arg` is the index of the first token after the phrase.
using CommandHandler = void (*)(ParseContext& ctx, const Line& line, size_t arg);

struct Command {
    std::string_view phrase;
    CommandHandler handler;
    size_t max_tokens = 0;  // 0 = any; longer lines are not this command
};

struct CommandMatch {
    const Command* command;
    size_t arg;
};

std::optional<CommandMatch> match_command(std::span<const Command> table, const Line& line);

// Number of leading tokens that agree with some phrase of the table (the known part of a line),
// used to quote an unknown command without echoing its arguments.
size_t known_prefix(std::span<const Command> table, const Line& line);

// "did you mean set transform-set?" for a misspelt phrase, or empty.
std::string suggest_command(std::span<const Command> table, const Line& line);

}  // namespace espgw::control
