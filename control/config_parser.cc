// The line loop: IOS blocks (sub-modes) are opened by header lines and hold the indented lines
// that follow. As in IOS, an unindented line that is a sub-command of the open block stays in it
// (configurations pasted without indentation), any other unindented line leaves it, and `exit`
// leaves it explicitly.
#include "control/config_parser.h"

#include <algorithm>
#include <cctype>

#include "control/hints.h"
#include "control/parser_internal.h"

namespace espgw::control {
namespace {

struct BlockInfo {
    Block block;
    std::span<const Command> (*commands)();
    bool crypto;  // unknown sub-commands are errors, not ignored lines
    std::string_view what;
};

constexpr BlockInfo kBlocks[] = {
    {Block::kInterface, interface_commands, false, "interface"},
    {Block::kAcl, acl_commands, true, "access list"},
    {Block::kTransformSet, transform_set_commands, true, "transform set"},
    {Block::kCryptoMap, crypto_map_commands, true, "crypto map"},
    {Block::kDynamicMap, crypto_map_commands, true, "dynamic map"},
    {Block::kIsakmpPolicy, isakmp_policy_commands, true, "isakmp policy"},
    {Block::kKeyring, keyring_commands, true, "keyring"},
    {Block::kIsakmpProfile, isakmp_profile_commands, true, "isakmp profile"},
    {Block::kClientGroup, client_group_commands, true, "client configuration group"},
};

const BlockInfo* block_info(Block b) {
    for (const BlockInfo& info : kBlocks)
        if (info.block == b) return &info;
    return nullptr;
}

bool starts_with_number(const Line& l) {
    return l.size() >= 2 && std::isdigit(static_cast<unsigned char>(l.tokens[0][0]));
}

// Would the open block accept this line as one of its sub-commands?
bool block_claims(const ParseContext& ctx, const Line& l) {
    const BlockInfo* info = block_info(ctx.block());
    if (!info) return false;
    if (ctx.block() == Block::kAcl && starts_with_number(l)) return true;
    return match_command(info->commands(), l).has_value();
}

std::string list_phrases(std::span<const Command> table) {
    std::string s;
    for (const Command& c : table)
        s += (s.empty() ? "" : ", ") + std::string(c.phrase);
    return "valid here: " + s;
}

void unknown_sub_command(ParseContext& ctx, const Line& l, const BlockInfo& info) {
    if (!info.crypto && !l.is(0, "crypto"))
        return ctx.ignored(l, "'" + std::string(l.quotable(3)) + "' is not used by espgw");
    const auto table = info.commands();
    const std::string hint = suggest_command(table, l);
    ctx.error(l,
              "unknown " + std::string(info.what) + " sub-command '" +
                  std::string(l.head(known_prefix(table, l) + 1)) + "'",
              hint.empty() ? list_phrases(table) : hint);
}

void sub_command(ParseContext& ctx, const Line& l) {
    if (ctx.block() == Block::kIgnored)
        return ctx.ignored(l, "inside '" + ctx.block_what() + "' (line " +
                                  std::to_string(ctx.block_line()) + "): not used by espgw");
    if (ctx.block() == Block::kRejected)
        return ctx.ignored(
            l, "skipped: part of the rejected command at line " + std::to_string(ctx.block_line()));
    if (ctx.block() == Block::kCryptoMap || ctx.block() == Block::kDynamicMap)
        ctx.map_entry().end_line = l.number;
    if (!parse_in_block(ctx, l)) unknown_sub_command(ctx, l, *block_info(ctx.block()));
}

// The seed configurations lost line breaks to `!---` comments: "... profiles. crypto" followed by
// "dynamic-map dynmap 5". Say so when the line reads as a command once the lost start is put
// back, or when a command starts in the middle of the line.
// True when `l` is a global command that parses without error (tried on a scratch model).
std::optional<size_t> parses_cleanly(const Line& l) {
    const auto m = match_command(global_commands(), l);
    if (!m) return std::nullopt;
    Config scratch;
    std::vector<Diagnostic> diags;
    ParseContext ctx(scratch, diags);
    m->command->handler(ctx, l, m->arg);
    if (has_errors(diags)) return std::nullopt;
    return m->arg;
}

std::string restored_start_hint(const Line& l) {
    for (std::string_view lost : {"crypto ", "crypto isakmp ", "access-"}) {
        const std::string text = std::string(lost) + std::string(l.text);
        const auto relexed = split_lines(text);
        if (auto words = parses_cleanly(relexed[0]))
            return "did you mean '" + std::string(relexed[0].head(*words)) +
                   " ...'? (the start of the line seems lost to a comment or a line break)";
    }
    return {};
}

std::string mid_line_hint(const Line& l) {
    for (size_t k = 1; k < l.size(); ++k) {
        const Line tail = l.from(k);
        if (auto m = match_command(global_commands(), tail))
            return "'" + std::string(tail.head(m->arg)) +
                   "' starts in the middle of the line: put the command on a line of its own";
    }
    for (size_t k = 1; k < l.size(); ++k)
        if (l.is(k, "crypto"))
            return "'" + std::string(l.from(k).head(3)) +
                   "' at the end of the line: the command seems split over two lines";
    return {};
}

std::string joined_line_hint(const Line& l) {
    if (auto h = restored_start_hint(l); !h.empty()) return h;
    if (auto h = mid_line_hint(l); !h.empty()) return h;
    if (l.tokens.back().ends_with("-"))
        return "the line ends in '" + std::string(l.tokens.back()) + "': a command seems split";
    if (l.is(0, "ipsec-isakmp") || l.is(0, "ipsec-manual"))
        return "this ends a 'crypto map NAME SEQ' line: join the two lines";
    if (Ipv4::parse(l.tokens[0])) return "an address on its own: the previous line seems split";
    return {};
}

std::string first_word_hint(const Line& l) {
    static constexpr std::string_view kWords[] = {"hostname", "interface",   "ip",
                                                  "arp",      "access-list", "crypto"};
    return did_you_mean(l.tokens[0], kWords);
}

void unknown_line(ParseContext& ctx, const Line& l) {
    if (l.is(0, "crypto")) {
        const std::string hint = suggest_command(global_commands(), l);
        ctx.error(l,
                  "unknown crypto command '" +
                      std::string(l.head(known_prefix(global_commands(), l) + 1)) + "'",
                  hint.empty() ? "see crypto map, crypto ipsec and crypto isakmp commands" : hint);
    } else {
        std::string hint = joined_line_hint(l);
        if (hint.empty()) hint = first_word_hint(l);
        ctx.error(l, "unrecognised command '" + std::string(l.tokens[0]) + "'", hint);
    }
    ctx.enter(Block::kRejected, l);
}

// A global line that was an error takes its indented lines with it: they are skipped, not
// reported again one by one.
void global_command(ParseContext& ctx, const Line& l) {
    const auto used = match_command(global_commands(), l);
    const auto ignored = match_command(ignored_commands(), l);
    if (ignored && (!used || ignored->arg > used->arg))
        return ignored->command->handler(ctx, l, ignored->arg);
    if (!used) return unknown_line(ctx, l);
    const size_t errors = ctx.error_count();
    used->command->handler(ctx, l, used->arg);
    if (ctx.error_count() > errors && ctx.block() == Block::kNone) ctx.enter(Block::kRejected, l);
}

void banner_line(ParseContext& ctx, const Line& l) {
    if (l.text.find(ctx.banner_delimiter) != std::string_view::npos) ctx.leave();
}

void parse_line(ParseContext& ctx, const Line& l) {
    if (ctx.block() == Block::kBanner) return banner_line(ctx, l);
    if (l.size() == 1 && l.is(0, "exit")) return ctx.leave();
    const bool in_block = ctx.block() != Block::kNone;
    if (in_block && (l.indent > 0 || block_claims(ctx, l))) return sub_command(ctx, l);
    ctx.leave();
    global_command(ctx, l);
}

// IOS stops reading at `end`; anything after it is most likely a paste accident.
void after_end(std::vector<Diagnostic>* diags, const Line& l) {
    diags->push_back({l.number, Severity::kWarning, "lines after 'end' are not read", ""});
}

}  // namespace

bool parse_in_block(ParseContext& ctx, const Line& l) {
    const BlockInfo* info = block_info(ctx.block());
    if (!info || l.size() == 0) return false;
    if (auto m = match_command(info->commands(), l)) {
        m->command->handler(ctx, l, m->arg);
        return true;
    }
    return ctx.block() == Block::kAcl && starts_with_number(l) && parse_acl_sequenced(ctx, l);
}

ParseResult parse_config(std::string_view text) {
    ParseResult r;
    ParseContext ctx(r.config, r.diagnostics);
    const auto lines = split_lines(text);
    for (size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].size() == 1 && lines[i].is(0, "end") && ctx.block() != Block::kBanner) {
            if (i + 1 < lines.size()) after_end(&r.diagnostics, lines[i + 1]);
            break;
        }
        parse_line(ctx, lines[i]);
    }
    validate_config(r.config, &r.diagnostics);
    std::stable_sort(r.diagnostics.begin(), r.diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
    return r;
}

}  // namespace espgw::control
