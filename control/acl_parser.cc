// Numbered (`access-list 101 ...`) and named (`ip access-list extended NAME` + entries) lists.
#include <algorithm>

#include "control/acl_entry.h"
#include "control/parser_internal.h"
#include "control/value_parsers.h"

namespace espgw::control {
namespace {

// IOS numbering: 1-99 and 1300-1999 standard, 100-199 and 2000-2699 extended.
std::optional<AclKind> numbered_kind(uint32_t n) {
    if ((n >= 1 && n <= 99) || (n >= 1300 && n <= 1999)) return AclKind::kStandard;
    if ((n >= 100 && n <= 199) || (n >= 2000 && n <= 2699)) return AclKind::kExtended;
    return std::nullopt;
}

// The list called `name`, created on first use; nullptr when it exists with another kind.
AccessList* list_for(ParseContext& ctx, const Line& l, std::string_view name, AclKind kind) {
    auto& lists = ctx.cfg.access_lists;
    auto it = std::find_if(lists.begin(), lists.end(), [&](auto& a) { return a.name == name; });
    if (it == lists.end()) {
        lists.push_back(AccessList{.line = l.number, .name = std::string(name), .kind = kind});
        return &lists.back();
    }
    if (it->kind == kind) return &*it;
    ctx.error(l, "access list " + std::string(name) + " already exists as " +
                     (it->kind == AclKind::kStandard ? "a standard" : "an extended") + " list");
    return nullptr;
}

// Entries stay ordered by sequence number, as IOS evaluates them.
void insert_entry(ParseContext& ctx, const Line& l, AccessList* acl, AclEntry e) {
    auto& v = acl->entries;
    if (e.seq == 0) e.seq = v.empty() ? 10 : v.back().seq + 10;
    auto it = std::lower_bound(v.begin(), v.end(), e.seq,
                               [](const AclEntry& x, uint32_t s) { return x.seq < s; });
    if (it != v.end() && it->seq == e.seq)
        return ctx.error(l, "sequence number " + std::to_string(e.seq) + " is already used");
    v.insert(it, std::move(e));
}

// permit|deny|remark at token `i` of `l`, added to `acl`.
void list_line(ParseContext& ctx, const Line& l, size_t i, AccessList* acl, uint32_t seq) {
    if (l.is(i, "remark")) {
        acl->remarks.push_back(AclRemark{l.number, std::string(l.rest(i + 1))});
        return;
    }
    static constexpr std::string_view kActions[] = {"permit", "deny"};
    const auto action = ctx.keyword(l, i, kActions, "the access list action");
    if (!action) return;
    AclEntry e{.line = l.number, .seq = seq, .action = static_cast<AclAction>(*action)};
    if (parse_acl_entry(ctx, l, i + 1, acl->kind, &e)) insert_entry(ctx, l, acl, std::move(e));
}

void block_entry(ParseContext& ctx, const Line& l, size_t) {
    list_line(ctx, l, 0, &ctx.acl(), 0);
}

void named_list(ParseContext& ctx, const Line& l, size_t arg, AclKind kind) {
    if (!ctx.need(l, arg + 1, "ip access-list standard|extended NAME"))
        return ctx.enter(Block::kRejected, l);
    AccessList* acl = list_for(ctx, l, l.tokens[arg], kind);
    if (!acl) return ctx.enter(Block::kRejected, l);
    ctx.enter(Block::kAcl, l, static_cast<size_t>(acl - ctx.cfg.access_lists.data()));
}

constexpr Command kAclCommands[] = {
    {"permit", block_entry},
    {"deny", block_entry},
    {"remark", block_entry},
};

}  // namespace

std::span<const Command> acl_commands() {
    return kAclCommands;
}

// `SEQ permit ...` inside a named list (IOS 12.3 and later show sequence numbers).
bool parse_acl_sequenced(ParseContext& ctx, const Line& l) {
    const auto seq = parse_u32(l.tokens[0]);
    if (!seq || l.size() < 2) return false;
    if (*seq == 0) return ctx.error(l, "sequence numbers start at 1"), true;
    list_line(ctx, l, 1, &ctx.acl(), *seq);
    return true;
}

void parse_numbered_acl(ParseContext& ctx, const Line& l, size_t arg) {
    if (!ctx.need(l, arg + 2, "access-list NUMBER permit|deny|remark ...")) return;
    const auto n = parse_u32(l.tokens[arg]);
    const auto kind = n ? numbered_kind(*n) : std::nullopt;
    if (!kind)
        return ctx.error(l, "'" + std::string(l.tokens[arg]) + "' is not an IP access list number",
                         "standard 1-99 or 1300-1999, extended 100-199 or 2000-2699");
    if (l.is(arg + 1, "dynamic")) return ctx.error(l, "dynamic access lists are not supported");
    if (AccessList* acl = list_for(ctx, l, l.tokens[arg], *kind))
        list_line(ctx, l, arg + 1, acl, 0);
}

void parse_named_standard_acl(ParseContext& ctx, const Line& l, size_t arg) {
    named_list(ctx, l, arg, AclKind::kStandard);
}

void parse_named_extended_acl(ParseContext& ctx, const Line& l, size_t arg) {
    named_list(ctx, l, arg, AclKind::kExtended);
}

}  // namespace espgw::control
