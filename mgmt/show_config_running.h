// Shared by the two halves of the `show running-config` renderer (show_config_running*.cc).
#pragma once

#include <string>

#include "mgmt/show_config.h"

namespace espgw::mgmt {

// The text being written: whole lines; sub() writes `indent keyword value` when value is a
// non-empty string.
struct RunningText {
    std::string text;
    void line(const std::string& l);
    void sub(const std::string& keyword, const Json& value, const std::string& indent = " ");
};

std::string json_str(const Json& j);  // a JSON string, "" for anything else
std::string json_num(const Json& j);  // a JSON number in decimal, "" for anything else

// show_config_running_crypto.cc: the crypto section (IKE, transform sets, IPsec globals, dynamic
// and static crypto maps), session and pre-shared keys as <removed>.
void running_crypto(RunningText& o, const Json& doc);

}  // namespace espgw::mgmt
