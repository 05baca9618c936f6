// Packet capture requests (`espgw monitor capture`): capture-start, capture-stop and captures
// (sadb/mgmt_protocol.h). Control checks what only it knows (interface names, SPIs of the
// configuration), relays the request over the ring (kCaptureStart/Stop/Query, sadb/wire.h) and
// returns the dataplane's kCaptureStatus as data; the dataplane writes the file.
#pragma once

#include <string>

#include "control/control_state.h"
#include "control/mgmt_server.h"
#include "sadb/wire.h"

namespace espgw::control {

void register_capture_requests(MgmtServer& server, ControlState& state);

// The JSON of one capture's status (the `captures` reply lists these).
Json capture_json(const wire::CaptureStatus& s);

}  // namespace espgw::control
