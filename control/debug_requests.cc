#include "control/debug_requests.h"

#include <arpa/inet.h>

#include "sadb/mgmt_protocol.h"

namespace espgw::control {
namespace {

// The address as inet_ntop writes it (the form the log's peers have), or "" if it is none.
std::string canonical_address(const std::string& text) {
    unsigned char buf[16];
    char out[INET6_ADDRSTRLEN];
    for (int af : {AF_INET, AF_INET6})
        if (inet_pton(af, text.c_str(), buf) == 1 && inet_ntop(af, buf, out, sizeof out))
            return out;
    return "";
}

MgmtReply debug(DebugHub& hub, const Json& req, ClientId client) {
    const auto topic = topic_from_name(req.value("topic", ""));
    if (!topic) return MgmtReply::fail("debug needs topic ipsec or engine");
    DebugFilter f{*topic, ""};
    if (req.contains("peer")) {
        std::string peer = req["peer"].get<std::string>();
        f.peer = canonical_address(peer);
        if (f.peer.empty()) return MgmtReply::fail(peer.append(" is not an IP address"));
    }
    std::string terminal = req.value("terminal", std::string());
    if (terminal.empty()) terminal = std::string("client ").append(std::to_string(client));
    hub.subscribe(client, f, std::move(terminal));
    MgmtReply r = MgmtReply::of({{"topic", topic_name(*topic)}, {"peer", f.peer}});
    r.stream = true;
    return r;
}

Json debugging(const DebugHub& hub) {
    Json list = Json::array();
    for (const DebugHub::Active& a : hub.active())
        list.push_back({{"topic", topic_name(a.filter.topic)},
                        {"peer", a.filter.peer},
                        {"terminal", a.terminal}});
    return {{"debugs", std::move(list)}};
}

}  // namespace

void register_debug_requests(MgmtServer& server, DebugHub& hub) {
    namespace proto = sadb::mgmt;
    server.handle(proto::kReqDebug,
                  [&hub](const Json& req, ClientId client) { return debug(hub, req, client); });
    server.handle(proto::kReqUndebug, [&hub](const Json&, ClientId) {
        return MgmtReply::of({{"ended", hub.undebug_all()}});
    });
    server.handle(proto::kReqDebugging,
                  [&hub](const Json&, ClientId) { return MgmtReply::of(debugging(hub)); });
    server.on_stream_closed([&hub](ClientId client) { hub.unsubscribe(client); });
}

void pump_debug_streams(MgmtServer& server, DebugHub& hub) {
    std::vector<std::string> lines;
    for (uint64_t id : hub.ids()) {
        lines.clear();
        const bool open = hub.drain(id, &lines);
        for (size_t i = 0; i < lines.size(); ++i) {
            Json e = {{"line", std::move(lines[i])}};
            if (!open && i + 1 == lines.size()) e["end"] = true;
            if (!server.push(id, e)) break;  // the client is gone
        }
        if (!open) hub.unsubscribe(id);
    }
}

}  // namespace espgw::control
