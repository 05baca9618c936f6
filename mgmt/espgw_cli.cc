// espgw: the operator's CLI in IOS form. Words are matched against the command tree
// (mgmt/commands.h) with IOS abbreviations; each command fetches what it needs from
// espgw-control's socket and the dataplane's stats segment, and prints IOS text or JSON.
//
//   espgw [--instance NAME] [--json] WORDS...      (`espgw ?` lists the commands)
#include <cstdio>
#include <string>
#include <vector>

#include "mgmt/commands.h"
#include "mgmt/session.h"

namespace {

using espgw::mgmt::CommandTree;
using espgw::mgmt::Match;

constexpr const char* kUsage =
    "usage: espgw [--instance NAME] [--json] WORDS...   (espgw ? lists the commands)\n";

int print_error(const std::string& e) {
    std::fprintf(stderr, "%s%s\n", e.starts_with("%") ? "" : "% ", e.c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::string instance = "default";
    bool json = false;
    std::vector<std::string> words;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--instance" && i + 1 < argc) {
            instance = argv[++i];
        } else if (a == "--json") {
            json = true;
        } else if (a == "-h" || a == "--help") {
            std::fputs(kUsage, stdout);
            words = {"?"};
        } else {
            words.push_back(a);
        }
    }
    if (words.empty()) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    CommandTree tree;
    espgw::mgmt::register_all_commands(tree);
    Match m = tree.match(words);
    if (m.kind == Match::Kind::kHelp) {
        std::fputs(m.help.c_str(), stdout);
        return 0;
    }
    if (m.kind == Match::Kind::kError) return print_error(m.error);
    espgw::mgmt::Session session(instance);
    m.invocation.json = json;
    m.invocation.session = &session;
    espgw::mgmt::CommandResult r;
    try {
        r = (*m.action)(m.invocation);
    } catch (const std::exception& e) {  // a bug or an unexpected answer: one line, never a trace
        return print_error(std::string("internal error: ") + e.what());
    }
    std::fputs(r.out.c_str(), stdout);
    if (!r.error.empty()) print_error(r.error);
    return r.status;
}
