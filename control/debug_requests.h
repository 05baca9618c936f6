// The debug requests of the management socket (sadb/mgmt_protocol.h): `debug` opens a stream
// of live debug lines for one client (a DebugHub stream under the client's id), `undebug` ends
// them all, `debugging` lists them. pump_debug_streams() moves queued lines to the clients;
// control's main loop calls it after handling the ring's events.
#pragma once

#include "control/debug_hub.h"
#include "control/mgmt_server.h"

namespace espgw::control {

// `hub` must outlive `server`'s handlers.
void register_debug_requests(MgmtServer& server, DebugHub& hub);

// Pushes each stream's waiting lines to its client as {"line": ...} events; an ended stream's
// last line carries "end": true and the stream is forgotten (the CLI then closes).
void pump_debug_streams(MgmtServer& server, DebugHub& hub);

}  // namespace espgw::control
