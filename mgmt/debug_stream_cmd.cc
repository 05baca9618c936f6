// debug crypto ipsec|engine [peer ADDR], undebug all, show debugging.
#include <cstdio>

#include "mgmt/commands.h"
#include "mgmt/debug_stream.h"
#include "mgmt/session.h"
#include "sadb/mgmt_protocol.h"

namespace espgw::mgmt {
namespace {

namespace proto = sadb::mgmt;
using namespace std::chrono_literals;

void print_line(const std::string& s) {
    std::fputs(s.c_str(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

// Prints the stream until its last line; returns when control ends it or closes.
CommandResult follow(ControlClient& c, bool json) {
    for (;;) {
        Json m;
        std::string error;
        if (!c.next(&m, 1s, &error)) {
            if (error.empty()) continue;  // nothing in the last second
            return CommandResult::fail(error);
        }
        const DebugEventText t = debug_event_text(m, json);
        if (!t.text.empty()) print_line(t.text);
        if (t.end) return CommandResult::text("");
    }
}

CommandResult debug(const Invocation& inv, const char* topic) {
    std::string error;
    ControlClient* c = inv.session->control(&error);
    if (!c) return CommandResult::fail(error);
    Json args = {{"topic", topic}, {"terminal", terminal_name()}};
    if (const auto peer = inv.arg("ADDR")) args["peer"] = *peer;
    Json data;
    if (!c->request(proto::kReqDebug, args, &data, &error)) return CommandResult::fail(error);
    print_line(inv.json ? data.dump()
                        : debugging_is_on(data.value("topic", ""), data.value("peer", "")));
    return follow(*c, inv.json);
}

CommandResult undebug_all(const Invocation& inv) {
    std::string error;
    const auto data = inv.session->request(proto::kReqUndebug, {{"all", true}}, &error);
    if (!data) return CommandResult::fail(error);
    if (inv.json) return CommandResult::text(data->dump() + "\n");
    return CommandResult::text("All possible debugging has been turned off\n");
}

CommandResult show_debug(const Invocation& inv) {
    std::string error;
    const auto data = inv.session->request(proto::kReqDebugging, &error);
    if (!data) return CommandResult::fail(error);
    return CommandResult::text(inv.json ? data->dump() + "\n" : show_debugging(*data));
}

}  // namespace

void register_debug_commands(CommandTree& tree) {
    tree.describe("debug", "Debugging functions (see also 'undebug')");
    tree.describe("debug crypto", "Cryptographic subsystem");
    tree.describe("debug crypto ipsec peer", "IPSEC debugging for one peer");
    tree.describe("debug crypto engine peer", "Crypto engine debugging for one peer");
    const auto ipsec = [](const Invocation& inv) { return debug(inv, "ipsec"); };
    const auto engine = [](const Invocation& inv) { return debug(inv, "engine"); };
    tree.add("debug crypto ipsec", "IPSEC processing (SA installs, drops, lifetimes)", ipsec);
    tree.add("debug crypto ipsec peer ADDR", "Peer's address", ipsec);
    tree.add("debug crypto engine", "Crypto engine (key contexts, crypto failures)", engine);
    tree.add("debug crypto engine peer ADDR", "Peer's address", engine);
    tree.describe("undebug", "Disable debugging functions (see also 'debug')");
    tree.add("undebug all", "Disable all debugging", undebug_all);
    tree.add("show debugging", "State of each debugging option", show_debug);
}

}  // namespace espgw::mgmt
