// `ping` and the list of request areas.
#include "control/mgmt_requests.h"

#include <unistd.h>

#include "control/debug_requests.h"
#include "control/event_log.h"
#include "control/mgmt_capture.h"
#include "sadb/mgmt_protocol.h"

namespace espgw::control {

void register_requests(MgmtServer& server, ControlState& state) {
    // ping: is control running, which configuration and generation (the CLI's first question).
    server.handle(sadb::mgmt::kReqPing, [&state](const Json&, ClientId) {
        return MgmtReply::of({{"instance", state.instance},
                              {"pid", getpid()},
                              {"hostname", state.config.hostname},
                              {"config", state.config_path},
                              {"generation", state.generation}});
    });
    // ike-sas: the IKE SAs for `show crypto isakmp sa`; empty until the IKE engine exists.
    server.handle(sadb::mgmt::kReqIkeSas, [](const Json&, ClientId) {
        return MgmtReply::of({{"sas", Json::array()}});
    });
    register_sa_requests(server, state);
    register_capture_requests(server, state);
    register_config_requests(server, state);
    if (state.events) register_debug_requests(server, state.events->debug());
}

}  // namespace espgw::control
