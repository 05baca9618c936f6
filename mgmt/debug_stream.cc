#include "mgmt/debug_stream.h"

#include <unistd.h>

namespace espgw::mgmt {
namespace {

// IOS's capitalisation of the topics in `show debugging`.
std::string topic_title(const std::string& topic) {
    if (topic == "ipsec") return "IPSEC";
    if (topic == "engine") return "Engine";
    return topic;
}

}  // namespace

DebugEventText debug_event_text(const Json& message, bool json) {
    const Json e = message.value("event", Json::object());
    DebugEventText t;
    t.end = e.value("end", false);
    if (json) {
        t.text = e.dump();
    } else if (e.contains("line")) {
        t.text = e["line"].get<std::string>();
    } else if (e.contains("lost")) {
        t.text = std::string("%% ")
                     .append(std::to_string(e["lost"].get<uint64_t>()))
                     .append(" debug line(s) lost: the terminal did not keep up");
    }
    return t;
}

std::string debugging_is_on(const std::string& topic, const std::string& peer) {
    std::string s = "Crypto " + topic_title(topic) + " debugging is on";
    if (!peer.empty()) s.append(" for peer ").append(peer);
    return s;
}

std::string show_debugging(const Json& data) {
    std::string o = "Cryptographic Subsystem:\n";
    const Json debugs = data.value("debugs", Json::array());
    for (const Json& d : debugs)
        o.append("  ")
            .append(debugging_is_on(d.value("topic", ""), d.value("peer", "")))
            .append(" (")
            .append(d.value("terminal", ""))
            .append(")\n");
    if (debugs.empty()) o += "  no crypto debugging is on\n";
    return o;
}

std::string terminal_name() {
    std::string name = "pid " + std::to_string(getpid());
    if (const char* tty = ttyname(STDIN_FILENO)) name.append(" on ").append(tty);
    return name;
}

}  // namespace espgw::mgmt
