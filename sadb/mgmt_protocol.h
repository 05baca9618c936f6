// The management protocol between the `espgw` CLI and espgw-control, defined once (the third
// process contract, next to the ring messages of wire.h and the stats segment).
//
// Transport: a unix stream socket /run/espgw/<instance>.sock (directory 0700, socket 0600,
// root only; control checks the peer's SO_PEERCRED uid as well).
// Framing: newline-delimited JSON, one object per line, UTF-8, at most kMaxRequestBytes per
// request line.
//   request:  {"v":1,"request":"NAME", ...arguments}
//   reply:    {"ok":true,"data":{...}}   or   {"ok":false,"error":"one line"}
// A client may send several requests on one connection; replies come in order. A streaming
// request (debug) answers with one reply line, then sends further {"event":{...}} lines until
// the client closes the connection.
//
// Requests carry data, never pre-formatted text: the CLI (mgmt/) renders them. Only names live
// here (no JSON library): both sides include this header and neither includes the other's code.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <string>

namespace espgw::sadb::mgmt {

inline constexpr int kProtocolVersion = 1;
inline constexpr size_t kMaxRequestBytes = 64 * 1024;

// Keys of every message.
inline constexpr const char* kVersionKey = "v";
inline constexpr const char* kRequestKey = "request";
inline constexpr const char* kOkKey = "ok";
inline constexpr const char* kDataKey = "data";
inline constexpr const char* kErrorKey = "error";
inline constexpr const char* kEventKey = "event";  // further lines of a streaming request

// Request names (add yours here; document them in control/README.md).
inline constexpr const char* kReqPing = "ping";         // -> {instance, pid, generation}
inline constexpr const char* kReqSas = "sas";           // -> {sas:[...]} see control/README
inline constexpr const char* kReqClearSa = "clear-sa";  // {peer|map|spi|all} -> {cleared,...}
inline constexpr const char* kReqKeys = "keys";         // -> {sas:[{spi, keys...}]}
// Packet capture to pcapng (control/mgmt_capture.cc): capture-start {name, scope: interface|sa|
// drops, interface?, dir?, spi?, inner?, file, limit_packets?, limit_bytes?, snaplen?},
// capture-stop {name} and captures {name?} -> {captures:[{name, state, stop_reason, ...}]}.
inline constexpr const char* kReqCaptureStart = "capture-start";
inline constexpr const char* kReqCaptureStop = "capture-stop";
inline constexpr const char* kReqCaptures = "captures";
// The configuration views (control/mgmt_views_config.h) and test crypto trace (control/trace.h):
// no arguments -> data; trace: {src, dst, proto, sport?, dport?} -> the trace.
inline constexpr const char* kReqConfigMaps = "config-maps";
inline constexpr const char* kReqConfigAcls = "config-acls";
inline constexpr const char* kReqConfigInterfaces = "config-interfaces";
inline constexpr const char* kReqConfigRoutes = "config-routes";
inline constexpr const char* kReqConfigArp = "config-arp";
inline constexpr const char* kReqRunningConfig = "running-config";
inline constexpr const char* kReqTrace = "trace";
inline constexpr const char* kReqIkeSas = "ike-sas";  // -> {sas:[]} (no IKE engine yet)
// debug: {topic: ipsec|engine, peer?, terminal?} -> {topic, peer}, then stream events
// {line} ... {line, end: true} (after undebug); undebug: {all: true} -> {ended: N};
// debugging: -> {debugs: [{topic, peer, terminal}]} (control/debug_requests.cc).
inline constexpr const char* kReqDebug = "debug";
inline constexpr const char* kReqUndebug = "undebug";
inline constexpr const char* kReqDebugging = "debugging";

// The directory of the sockets and baselines; ESPGW_RUN_DIR overrides it (tests, non-root
// development).
inline std::string run_dir() {
    const char* d = std::getenv("ESPGW_RUN_DIR");
    return d != nullptr && *d != '\0' ? d : "/run/espgw";
}

inline std::string socket_path(const std::string& instance) {
    return run_dir() + "/" + instance + ".sock";
}

// Zeroes every string inside a JSON value (nlohmann::json) before it is freed: the `keys` reply
// carries session keys (both sides call it once the reply is written or used).
template <typename Json>
void wipe_strings(Json& j) {
    if (j.is_string()) {
        auto& s = j.template get_ref<std::string&>();
        volatile char* p = s.data();
        for (size_t k = 0; k < s.size(); ++k)
            p[k] = 0;
        return;
    }
    if (j.is_structured())
        for (auto& v : j)
            wipe_strings(v);
}

// Zeroes a buffer's whole allocation (also the bytes past size() that erase() left behind).
inline void wipe_buffer(std::string& s) {
    s.resize(s.capacity());  // value-initialises the tail
    volatile char* p = s.data();
    for (size_t k = 0; k < s.size(); ++k)
        p[k] = 0;
    s.clear();
}

// `clear crypto counters` baseline that shows subtract (mgmt/counter_baseline.h).
inline std::string baseline_path(const std::string& instance) {
    return run_dir() + "/" + instance + ".baseline";
}

}  // namespace espgw::sadb::mgmt
