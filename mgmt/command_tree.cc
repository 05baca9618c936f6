#include "mgmt/command_tree.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace espgw::mgmt {

struct CommandTree::Node {
    std::string word;  // keyword, or the argument's name
    bool is_arg = false;
    ArgType type = ArgType::kWord;
    std::string help;
    std::optional<CommandAction> action;
    std::vector<std::unique_ptr<Node>> children;

    Node* child(std::string_view w, bool arg) const {
        for (const auto& c : children)
            if (c->word == w && c->is_arg == arg) return c.get();
        return nullptr;
    }
};

namespace {

using Node = std::unique_ptr<CommandTree::Node>;

std::string lower(std::string_view s) {
    std::string o(s);
    for (char& c : o)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return o;
}

bool is_arg_word(std::string_view w) {
    return !w.empty() && std::isupper((unsigned char)w[0]);
}

ArgType type_of(std::string_view t) {
    if (t == "ADDR") return ArgType::kAddr;
    if (t == "NAME") return ArgType::kName;
    if (t == "SPI") return ArgType::kSpi;
    if (t == "NUMBER" || t == "PORT") return ArgType::kNumber;
    if (t == "FILE") return ArgType::kFile;
    return ArgType::kWord;
}

std::vector<std::string_view> split(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        const size_t b = s.find_first_not_of(' ', i);
        if (b == std::string_view::npos) break;
        const size_t e = std::min(s.find(' ', b), s.size());
        out.push_back(s.substr(b, e - b));
        i = e;
    }
    return out;
}

std::string joined(const std::vector<std::string>& words, size_t n) {
    std::string o;
    for (size_t k = 0; k < n && k < words.size(); ++k)
        o += (k ? " " : "") + words[k];
    return o;
}

}  // namespace

bool Invocation::has(std::string_view keyword) const {
    return std::find(keywords.begin(), keywords.end(), keyword) != keywords.end();
}

std::optional<std::string> Invocation::arg(const std::string& name) const {
    const auto it = args.find(name);
    if (it == args.end()) return std::nullopt;
    return it->second;
}

std::string_view arg_type_label(ArgType t) {
    switch (t) {
        case ArgType::kAddr:
            return "A.B.C.D";
        case ArgType::kSpi:
            return "<256-4294967295>";
        case ArgType::kNumber:
            return "<0-4294967295>";
        case ArgType::kFile:
            return "FILE";
        case ArgType::kName:
        case ArgType::kWord:
            return "WORD";
    }
    return "WORD";
}

bool arg_valid(ArgType t, std::string_view v) {
    if (v.empty()) return false;
    switch (t) {
        case ArgType::kAddr: {
            unsigned char buf[16];
            const std::string s(v);
            return inet_pton(AF_INET, s.c_str(), buf) == 1 ||
                   inet_pton(AF_INET6, s.c_str(), buf) == 1;
        }
        case ArgType::kSpi:
        case ArgType::kNumber: {
            const bool hex = v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
            uint64_t n = 0;
            const char* b = v.data() + (hex ? 2 : 0);
            const auto r = std::from_chars(b, v.data() + v.size(), n, hex ? 16 : 10);
            if (r.ec != std::errc() || r.ptr != v.data() + v.size() || n > 0xffffffffu)
                return false;
            return t == ArgType::kNumber || n >= 256;  // RFC 4303 §2.1: 1-255 reserved
        }
        default:
            return true;
    }
}

std::string canonical_address(const std::string& a) {
    unsigned char b[16];
    char out[INET6_ADDRSTRLEN];
    const int af = a.find(':') != std::string::npos ? AF_INET6 : AF_INET;
    if (inet_pton(af, a.c_str(), b) != 1 || !inet_ntop(af, b, out, sizeof out)) return a;
    return out;
}

CommandTree::CommandTree() : root_(std::make_unique<Node>()) {}
CommandTree::~CommandTree() = default;

CommandTree::Node* CommandTree::ensure(std::string_view path) {
    Node* n = root_.get();
    for (std::string_view w : split(path)) {
        const bool arg = is_arg_word(w);
        const size_t colon = w.find(':');
        const std::string_view name = arg ? w.substr(0, colon) : w;
        const std::string_view type = colon == std::string_view::npos ? w : w.substr(colon + 1);
        Node* c = n->child(name, arg);
        if (!c) {
            n->children.push_back(std::make_unique<Node>());
            c = n->children.back().get();
            c->word = name;
            c->is_arg = arg;
            c->type = arg ? type_of(type) : ArgType::kWord;
        }
        n = c;
    }
    return n;
}

void CommandTree::add(std::string_view pattern, std::string_view help, CommandAction action) {
    Node* n = ensure(pattern);
    if (!help.empty()) n->help = help;
    n->action = std::move(action);
}

void CommandTree::describe(std::string_view path, std::string_view help) {
    ensure(path)->help = help;
}

namespace {

// IOS's `?` listing: keywords (alphabetical), then arguments, then <cr> if complete here.
std::string completions(const CommandTree::Node& n, std::string_view prefix) {
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& c : n.children)
        if (!c->is_arg && c->word.starts_with(prefix)) rows.emplace_back(c->word, c->help);
    std::sort(rows.begin(), rows.end());
    for (const auto& c : n.children)
        if (c->is_arg && prefix.empty())
            rows.emplace_back(std::string(arg_type_label(c->type)), c->help);
    if (n.action && prefix.empty()) rows.emplace_back("<cr>", "");
    size_t w = 0;
    for (const auto& r : rows)
        w = std::max(w, r.first.size());
    std::string o;
    for (const auto& [word, help] : rows) {
        o += "  " + word;
        if (!help.empty()) o += std::string(w + 2 - word.size(), ' ') + help;
        o += '\n';
    }
    return o;
}

Match fail(std::string message) {
    Match m;
    m.error = std::move(message);
    return m;
}

Match help_of(const CommandTree::Node& n, std::string_view prefix) {
    Match m;
    m.kind = Match::Kind::kHelp;
    m.help = completions(n, prefix);
    if (m.help.empty()) return fail("% Unrecognized command");
    return m;
}

const CommandTree::Node* step(const CommandTree::Node& n, const std::vector<std::string>& words,
                              size_t i, Match* err) {
    const std::string w = lower(words[i]);
    std::vector<const CommandTree::Node*> hits;
    for (const auto& c : n.children) {
        if (c->is_arg || !c->word.starts_with(w)) continue;
        if (c->word == w) return c.get();
        hits.push_back(c.get());
    }
    if (hits.size() == 1) return hits[0];
    const std::string typed = joined(words, i + 1);
    if (hits.size() > 1) {
        std::string which;
        for (const auto* h : hits)
            which += (which.empty() ? "" : ", ") + h->word;
        *err = fail("% Ambiguous command: \"" + typed + "\" (" + which + ")");
        return nullptr;
    }
    const CommandTree::Node* arg = nullptr;
    for (const auto& c : n.children)
        if (c->is_arg && !arg) arg = c.get();
    if (arg && arg_valid(arg->type, words[i])) return arg;
    const std::string before = joined(words, i);
    *err = fail("% Invalid input detected at \"" + words[i] + "\"" +
                (arg ? ": expected " + std::string(arg_type_label(arg->type))
                     : std::string(" (try \"") + (before.empty() ? "" : before + " ") + "?\")"));
    return nullptr;
}

}  // namespace

Match CommandTree::match(const std::vector<std::string>& words) const {
    const Node* n = root_.get();
    Match m;
    for (size_t i = 0; i < words.size(); ++i) {
        const std::string& w = words[i];
        const bool last = i + 1 == words.size();
        if (last && (w == "?" || w == "help")) return help_of(*n, "");
        if (last && w.size() > 1 && w.back() == '?')
            return help_of(*n, lower(w.substr(0, w.size() - 1)));
        n = step(*n, words, i, &m);
        if (!n) return m;
        m.invocation.path.push_back(n->is_arg ? w : n->word);
        if (n->is_arg)
            m.invocation.args[n->word] = w;
        else
            m.invocation.keywords.push_back(n->word);
    }
    if (!n->action) {
        const std::string typed = joined(words, words.size());
        return fail("% Incomplete command (try \"" + typed + (typed.empty() ? "" : " ") + "?\")");
    }
    m.kind = Match::Kind::kCommand;
    m.action = &*n->action;
    return m;
}

namespace {

void collect(const CommandTree::Node& n, const std::string& prefix, std::vector<std::string>* out) {
    for (const auto& c : n.children) {
        const std::string& w = c->word;
        const std::string path = prefix.empty() ? w : prefix + " " + w;
        if (c->action) out->push_back(path);
        collect(*c, path, out);
    }
}

}  // namespace

std::vector<std::string> CommandTree::commands() const {
    std::vector<std::string> out;
    collect(*root_, "", &out);
    return out;
}

}  // namespace espgw::mgmt
