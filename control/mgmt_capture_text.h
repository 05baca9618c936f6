// The log line of a packet capture that stopped by itself (a limit reached, a write error): the
// dataplane reports it unasked (kCaptureStatus with request_id 0) and the event log prints it
// as %ESPGW-5-CAPTURE_STOPPED. In the core control library, next to the event log.
#pragma once

#include <string>

#include "sadb/wire.h"

namespace espgw::control {

inline constexpr const char* kCaptureStoppedMnemonic = "ESPGW-5-CAPTURE_STOPPED";

// Why a capture stopped, as `show monitor capture` says it ("packet limit reached", ...).
const char* capture_stop_reason_text(sadb::wire::CaptureStopReason r);

// "capture NAME stopped: packet limit 100 reached; 100 packets (N bytes) in FILE, N lost".
std::string capture_stopped_text(const sadb::wire::CaptureStatus& s);

}  // namespace espgw::control
