// Configuration requests: the data of show crypto map, show access-lists, show interfaces, show
// ip route, show arp and show running-config (control/mgmt_views_config.h), and
// `test crypto trace` on the compiled policy (control/trace.h).
#include "control/mgmt_requests.h"
#include "control/mgmt_views_config.h"
#include "control/trace.h"
#include "sadb/mgmt_protocol.h"

namespace espgw::control {
namespace {

std::string arg(const Json& request, const char* name) {
    const auto it = request.find(name);
    return it != request.end() && it->is_string() ? it->get<std::string>() : "";
}

// trace: {src, dst, proto, sport?, dport?, fragment?} -> the trace, or a one-line error naming
// the argument.
MgmtReply trace(const ControlState& state, const Json& request) {
    std::string error;
    const auto f = request.find("fragment");
    const bool fragment = f != request.end() && f->is_boolean() && f->get<bool>();
    const auto q =
        parse_trace_query(arg(request, "src"), arg(request, "dst"), arg(request, "proto"),
                          arg(request, "sport"), arg(request, "dport"), fragment, &error);
    if (!q) return MgmtReply::fail(error);
    return MgmtReply::of(trace_view(trace_packet(state.config, state.policy, *q)));
}

}  // namespace

void register_config_requests(MgmtServer& server, ControlState& state) {
    namespace m = sadb::mgmt;
    const ControlState& st = state;
    server.handle(m::kReqConfigMaps, [&st](const Json&, ClientId) {
        return MgmtReply::of(crypto_maps_view(st.config, st.policy));
    });
    server.handle(m::kReqConfigAcls, [&st](const Json&, ClientId) {
        return MgmtReply::of(access_lists_view(st.config));
    });
    server.handle(m::kReqConfigInterfaces, [&st](const Json&, ClientId) {
        return MgmtReply::of(interfaces_view(st.config));
    });
    server.handle(m::kReqConfigRoutes, [&st](const Json&, ClientId) {
        return MgmtReply::of(routes_view(st.config, st.policy));
    });
    server.handle(m::kReqConfigArp,
                  [&st](const Json&, ClientId) { return MgmtReply::of(arp_view(st.policy)); });
    server.handle(m::kReqRunningConfig, [&st](const Json&, ClientId) {
        return MgmtReply::of(running_config_view(st.config));
    });
    server.handle(m::kReqTrace, [&st](const Json& r, ClientId) { return trace(st, r); });
}

}  // namespace espgw::control
