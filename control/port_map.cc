#include "control/port_map.h"

#include <algorithm>

#include "control/value_parsers.h"

namespace espgw::control {
namespace {

bool bind(std::string_view item, Config* cfg, std::vector<Diagnostic>* diags) {
    const size_t eq = item.find('=');
    const std::string name(item.substr(0, eq));
    const auto port = eq == std::string_view::npos ? std::nullopt : parse_u32(item.substr(eq + 1));
    if (!port || *port > 1023 || name.empty()) {
        diags->push_back({0, Severity::kError, "bad port mapping '" + std::string(item) + "'",
                          "NAME=PORT, e.g. FastEthernet0/0=0"});
        return false;
    }
    auto& v = cfg->interfaces;
    auto it = std::find_if(v.begin(), v.end(), [&](auto& i) { return i.name == name; });
    if (it == v.end()) {
        diags->push_back(
            {0, Severity::kError,
             "port mapping names interface " + name + ", which the configuration does not have"});
        return false;
    }
    it->dpdk_port = static_cast<uint16_t>(*port);
    return true;
}

}  // namespace

bool apply_port_map(std::string_view spec, Config* cfg, std::vector<Diagnostic>* diags) {
    bool ok = true;
    while (!spec.empty()) {
        const size_t comma = spec.find(',');
        ok = bind(spec.substr(0, comma), cfg, diags) && ok;
        spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    }
    return ok;
}

}  // namespace espgw::control
