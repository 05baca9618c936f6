// The `espgw` command tree: IOS-style words with unique-prefix abbreviations (`sh cry ips sa`),
// typed arguments, `?` / `help` listing the completions of a node, and IOS's one-line errors
// (`% Ambiguous command: "..."`, `% Invalid input detected at ...`, `% Incomplete command.`).
//
// A command is registered as a pattern of words: lower-case words are keywords, upper-case
// words are arguments, optionally named (`peer ADDR`, `SRC:ADDR DST:ADDR`):
//
//   tree.add("show crypto ipsec sa peer ADDR detail", "Detailed output", run_show_sa);
//
// Every prefix of a pattern that was itself registered is a complete command (so `show crypto
// ipsec sa`, `... peer ADDR` and `... peer ADDR detail` are three registrations sharing nodes).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace espgw::mgmt {

class Session;
// What a command prints (stdout) or the one-line error (stderr), and the exit status.
struct CommandResult {
    int status = 0;
    std::string out;
    std::string error;  // one line without "% "; printed as "% error"

    static CommandResult text(std::string out) { return {0, std::move(out), {}}; }
    static CommandResult fail(std::string error) { return {1, {}, std::move(error)}; }
};
struct Invocation;
using CommandAction = std::function<CommandResult(const Invocation&)>;

// Argument types: the word shown in `?` listings and its check.
enum class ArgType { kAddr, kName, kSpi, kNumber, kFile, kWord };

struct Invocation {
    std::vector<std::string> path;            // the full keywords and argument values
    std::map<std::string, std::string> args;  // argument name -> value as typed
    std::vector<std::string> keywords;        // the full keywords on the path
    bool json = false;
    Session* session = nullptr;  // control socket and stats segment, opened on first use

    bool has(std::string_view keyword) const;
    std::optional<std::string> arg(const std::string& name) const;
};

// The result of matching words against the tree.
struct Match {
    enum class Kind { kCommand, kHelp, kError } kind = Kind::kError;
    std::string error;                      // kError: the one-line message (starts with "% ")
    std::string help;                       // kHelp: the completion listing
    const CommandAction* action = nullptr;  // kCommand
    Invocation invocation;
};

class CommandTree {
  public:
    CommandTree();
    ~CommandTree();

    // Registers `pattern` (see above). `help` describes the pattern's last word in `?` lists.
    void add(std::string_view pattern, std::string_view help, CommandAction action);
    // Describes an intermediate keyword, e.g. describe("show crypto", "Encryption module").
    void describe(std::string_view path, std::string_view help);

    // Matches typed words. A final `?` (alone or glued: `i?`) or `help` asks for completions.
    Match match(const std::vector<std::string>& words) const;

    // Every registered command, as patterns, for `espgw help` and the README.
    std::vector<std::string> commands() const;

    struct Node;  // defined in command_tree.cc

  private:
    Node* ensure(std::string_view path);
    std::unique_ptr<Node> root_;
};

std::string_view arg_type_label(ArgType t);  // "A.B.C.D", "WORD", "<256-4294967295>", ...
bool arg_valid(ArgType t, std::string_view value);
// An address argument as the dataplane prints it (inet_ntop), so `peer 2001:DB8::1` matches.
std::string canonical_address(const std::string& value);

}  // namespace espgw::mgmt
