#include "control/mgmt_capture.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <vector>

#include "control/mgmt_capture_text.h"
#include "control/mgmt_requests.h"
#include "sadb/mgmt_protocol.h"

namespace espgw::control {
namespace {

using wire::text_of;

template <size_t N>
bool copy_text(char (&field)[N], const std::string& s) {
    if (s.size() >= N) return false;
    std::memset(field, 0, N);
    std::memcpy(field, s.data(), s.size());
    return true;
}

const char* state_name(wire::CaptureState s) {
    switch (s) {
        case wire::CaptureState::kRunning:
            return "running";
        case wire::CaptureState::kStopped:
            return "stopped";
        case wire::CaptureState::kNone:
            break;
    }
    return "none";
}

const char* scope_name(wire::CaptureScope s) {
    switch (s) {
        case wire::CaptureScope::kInterface:
            return "interface";
        case wire::CaptureScope::kSa:
            return "sa";
        case wire::CaptureScope::kDrops:
            return "drops";
    }
    return "?";
}

const char* dir_name(uint8_t dir) {
    if (dir == (wire::kCaptureIn | wire::kCaptureOut)) return "both";
    return dir == wire::kCaptureIn ? "in" : dir == wire::kCaptureOut ? "out" : "none";
}

std::string spi_text(uint32_t spi) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%08X(%u)", spi, spi);
    return b;
}

uint32_t next_request_id() {
    static uint32_t id = 0;
    return ++id == 0 ? ++id : id;  // 0 marks the dataplane's unasked reports
}

bool valid_name(const std::string& n) {
    if (n.empty() || n.size() >= sizeof(wire::CaptureStart::name)) return false;
    return std::all_of(n.begin(), n.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
    });
}

// Sends `m` and collects the kCaptureStatus messages answering it (one per capture listed).
bool exchange(ControlState& st, const wire::Msg& m, uint32_t id,
              std::vector<wire::CaptureStatus>* out, std::string* error) {
    if (!st.ask) {
        *error = "control is not attached to a dataplane";
        return false;
    }
    return st.ask(
        m,
        [&](const wire::Msg& ev, bool* done) {
            if (ev.hdr.type != wire::MsgType::kCaptureStatus ||
                ev.body.capture_status.request_id != id)
                return false;
            out->push_back(ev.body.capture_status);
            *done = out->size() >= std::max<uint16_t>(ev.body.capture_status.count, 1);
            return true;
        },
        error);
}

// The dataplane's refusal as the reply's one line, or the statuses as data under `key`.
MgmtReply reply_of(const std::vector<wire::CaptureStatus>& got, bool list) {
    if (got.empty()) return MgmtReply::fail("no answer from the dataplane");
    if (got[0].result != wire::CaptureResult::kOk) return MgmtReply::fail(text_of(got[0].error));
    if (!list) return MgmtReply::of({{"capture", capture_json(got[0])}});
    Json all = Json::array();
    for (const wire::CaptureStatus& s : got)
        if (s.count != 0) all.push_back(capture_json(s));
    return MgmtReply::of({{"captures", all}});
}

// Interface by its configured name (case-insensitive, as IOS takes it).
const wire::Interface* find_interface(const ControlState& st, const std::string& name) {
    for (const wire::Interface& i : st.policy.interfaces)
        if (strcasecmp(text_of(i.name).c_str(), name.c_str()) == 0) return &i;
    return nullptr;
}

std::string interface_names(const ControlState& st) {
    std::string names;
    for (const wire::Interface& i : st.policy.interfaces)
        names += (names.empty() ? "" : ", ") + text_of(i.name);
    return names.empty() ? "none" : names;
}

// The directions in which the configuration has an SA with this SPI (0: none).
uint8_t sa_directions(const ControlState& st, uint32_t spi) {
    uint8_t dir = 0;
    for (const CompiledSa& c : st.policy.sas)
        if (c.sa.spi == spi)
            dir |=
                c.sa.direction == wire::Direction::kInbound ? wire::kCaptureIn : wire::kCaptureOut;
    return dir;
}

// Scope and its selector: "" when the request is good, else the one-line error.
std::string fill_scope(const ControlState& st, const Json& req, wire::CaptureStart* c) {
    const std::string scope = req.value("scope", "");
    if (scope == "interface") {
        const std::string name = req.value("interface", "");
        const wire::Interface* i = find_interface(st, name);
        if (i == nullptr)
            return "unknown interface " + name + " (configured: " + interface_names(st) + ")";
        c->scope = wire::CaptureScope::kInterface;
        c->port = i->port;
        std::memcpy(c->iface, i->name, sizeof c->iface);
        const std::string dir = req.value("dir", "both");
        if (dir == "in") {
            c->dir = wire::kCaptureIn;
        } else if (dir == "out") {
            c->dir = wire::kCaptureOut;
        } else if (dir == "both") {
            c->dir = wire::kCaptureIn | wire::kCaptureOut;
        } else {
            return "direction " + dir + ": in, out or both";
        }
        return {};
    }
    if (scope == "sa") {
        c->scope = wire::CaptureScope::kSa;
        c->spi = req.at("spi").get<uint32_t>();
        c->dir = sa_directions(st, c->spi);
        c->inner = req.value("inner", false) ? 1 : 0;
        return c->dir == 0 ? "no SA with SPI " + spi_text(c->spi) + " in the configuration"
                           : std::string();
    }
    if (scope == "drops") {
        c->scope = wire::CaptureScope::kDrops;
        return {};
    }
    return "capture scope " + scope + ": interface, sa or drops";
}

std::string fill_start(const ControlState& st, const Json& req, wire::CaptureStart* c) {
    const std::string name = req.value("name", "");
    if (!valid_name(name))
        return "capture name '" + name + "': 1-31 letters, digits, '-', '_' or '.'";
    copy_text(c->name, name);
    const std::string file = req.value("file", "");
    if (file.empty() || file[0] != '/') return "file '" + file + "': an absolute path is needed";
    if (!copy_text(c->path, file)) return "file " + file + ": path too long";
    c->limit_packets = req.value("limit_packets", uint64_t{0});
    c->limit_bytes = req.value("limit_bytes", uint64_t{0});
    c->snaplen = req.value("snaplen", uint32_t{0});
    return fill_scope(st, req, c);
}

MgmtReply start(ControlState& st, const Json& req) {
    wire::Msg m{};
    wire::set_header<wire::CaptureStart>(m, wire::MsgType::kCaptureStart, st.generation);
    wire::CaptureStart& c = m.body.capture_start;
    if (const std::string bad = fill_start(st, req, &c); !bad.empty()) return MgmtReply::fail(bad);
    c.request_id = next_request_id();
    std::vector<wire::CaptureStatus> got;
    std::string error;
    if (!exchange(st, m, c.request_id, &got, &error)) return MgmtReply::fail(error);
    return reply_of(got, false);
}

// capture-stop {name} and captures {name?}: the same exchange, kCaptureStop or kCaptureQuery.
MgmtReply by_name(ControlState& st, const Json& req, wire::MsgType type) {
    wire::Msg m{};
    wire::set_header<wire::CaptureRef>(m, type, st.generation);
    wire::CaptureRef& r = m.body.capture_ref;
    const std::string name = req.value("name", "");
    if (type == wire::MsgType::kCaptureStop && name.empty())
        return MgmtReply::fail("which capture? give its name");
    if (!copy_text(r.name, name)) return MgmtReply::fail("capture name " + name + " is too long");
    r.request_id = next_request_id();
    std::vector<wire::CaptureStatus> got;
    std::string error;
    if (!exchange(st, m, r.request_id, &got, &error)) return MgmtReply::fail(error);
    return reply_of(got, type == wire::MsgType::kCaptureQuery);
}

}  // namespace

Json capture_json(const wire::CaptureStatus& s) {
    const wire::CaptureStart& c = s.config;
    Json j = {{"name", text_of(c.name)},
              {"state", state_name(s.state)},
              {"stop_reason", capture_stop_reason_text(s.stop_reason)},
              {"scope", scope_name(c.scope)},
              {"file", text_of(c.path)},
              {"snaplen", c.snaplen},
              {"limit_packets", c.limit_packets},
              {"limit_bytes", c.limit_bytes},
              {"packets", s.packets},
              {"bytes", s.bytes},
              {"lost", s.lost},
              {"started_unix_ns", s.started_ns},
              {"stopped_unix_ns", s.stopped_ns},
              {"error", text_of(s.error)}};
    if (c.scope == wire::CaptureScope::kInterface) {
        j["interface"] = text_of(c.iface);
        j["port"] = c.port;
        j["direction"] = dir_name(c.dir);
    } else if (c.scope == wire::CaptureScope::kSa) {
        j["spi"] = c.spi;
        j["direction"] = dir_name(c.dir);
        j["inner"] = c.inner != 0;
    }
    return j;
}

void register_capture_requests(MgmtServer& server, ControlState& state) {
    server.handle(sadb::mgmt::kReqCaptureStart,
                  [&state](const Json& req, ClientId) { return start(state, req); });
    server.handle(sadb::mgmt::kReqCaptureStop, [&state](const Json& req, ClientId) {
        return by_name(state, req, wire::MsgType::kCaptureStop);
    });
    server.handle(sadb::mgmt::kReqCaptures, [&state](const Json& req, ClientId) {
        return by_name(state, req, wire::MsgType::kCaptureQuery);
    });
}

}  // namespace espgw::control
