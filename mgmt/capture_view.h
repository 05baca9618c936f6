// Text of the packet capture commands (IOS-XE `monitor capture` / `show monitor capture`
// layout), from control's capture data (control/mgmt_capture.cc: capture_json). Pure: data in,
// text out.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace espgw::mgmt {

using Json = nlohmann::json;

// `show monitor capture [NAME]`: one "Status Information for Capture NAME" block per capture.
std::string render_captures(const Json& captures);

// `monitor capture NAME start`: "Started capture point : NAME" and where it writes.
std::string render_capture_started(const Json& capture);

// `monitor capture NAME stop`: "Stopped capture point : NAME" with what was written, or how it
// had already ended.
std::string render_capture_stopped(const Json& capture, bool was_running);

}  // namespace espgw::mgmt
