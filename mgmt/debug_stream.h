// The CLI's side of `debug crypto ipsec|engine [peer ADDR]`: after the `debug` request, the
// connection stays open and control sends one event per debug line (sadb/mgmt_protocol.h). The
// terminal prints them as they come, until Ctrl-C or until `undebug all` (from anywhere) sends
// the last line, IOS's "All possible debugging has been turned off".
#pragma once

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

namespace espgw::mgmt {

using Json = nlohmann::json;

// What one streamed message means for the terminal.
struct DebugEventText {
    std::string text;  // to print (without newline), empty if nothing
    bool end = false;  // the stream is over
};

// {"event":{"line":...}} -> the line; {"event":{"lost":N}} -> "%% N debug lines lost ...";
// "end": true marks the last one. `json` keeps the event object as one JSON line.
DebugEventText debug_event_text(const Json& message, bool json);

// `show debugging` from the `debugging` request's data, as IOS prints it.
std::string show_debugging(const Json& data);

// "Crypto IPSEC debugging is on" (+ " for peer ADDR"): what IOS answers to `debug crypto ...`.
std::string debugging_is_on(const std::string& topic, const std::string& peer);

// The terminal's name for `show debugging` on the other terminals: "pid N on /dev/pts/M".
std::string terminal_name();

}  // namespace espgw::mgmt
