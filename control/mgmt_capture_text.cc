#include "control/mgmt_capture_text.h"

#include <cstring>

namespace espgw::control {

namespace wire = sadb::wire;

const char* capture_stop_reason_text(wire::CaptureStopReason r) {
    switch (r) {
        case wire::CaptureStopReason::kUser:
            return "stopped by user";
        case wire::CaptureStopReason::kPacketLimit:
            return "packet limit reached";
        case wire::CaptureStopReason::kByteLimit:
            return "byte limit reached";
        case wire::CaptureStopReason::kWriteError:
            return "write error";
        case wire::CaptureStopReason::kShutdown:
            return "dataplane stopped";
        case wire::CaptureStopReason::kNone:
            break;
    }
    return "";
}

std::string capture_stopped_text(const wire::CaptureStatus& s) {
    const wire::CaptureStart& c = s.config;
    const std::string name(c.name, strnlen(c.name, sizeof c.name));
    const std::string path(c.path, strnlen(c.path, sizeof c.path));
    std::string why = capture_stop_reason_text(s.stop_reason);
    if (s.stop_reason == wire::CaptureStopReason::kPacketLimit)
        why = "packet limit " + std::to_string(c.limit_packets) + " reached";
    if (s.stop_reason == wire::CaptureStopReason::kByteLimit)
        why = "byte limit " + std::to_string(c.limit_bytes) + " reached";
    if (s.stop_reason == wire::CaptureStopReason::kWriteError)
        why = std::string(s.error, strnlen(s.error, sizeof s.error));
    return "capture " + name + " stopped: " + why + "; " + std::to_string(s.packets) +
           " packets (" + std::to_string(s.bytes) + " bytes) in " + path + ", " +
           std::to_string(s.lost) + " lost";
}

}  // namespace espgw::control
