// `show ip route` in the IOS layout: the code legend, the gateway of last resort, then one line
// per route the dataplane runs (C connected, S static, * candidate default).
#include "mgmt/show_config.h"

namespace espgw::mgmt {
namespace {

constexpr const char* kLegend =
    "Codes: C - connected, S - static, R - RIP, M - mobile, B - BGP\n"
    "       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area \n"
    "       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2\n"
    "       E1 - OSPF external type 1, E2 - OSPF external type 2\n"
    "       i - IS-IS, su - IS-IS summary, L1 - IS-IS level-1, L2 - IS-IS level-2\n"
    "       ia - IS-IS inter area, * - candidate default, U - per-user static route\n"
    "       o - ODR, P - periodic downloaded static route\n\n";

std::string route_line(const Json& r) {
    std::string code =
        r["code"].get<std::string>() + (r["candidate_default"].get<bool>() ? "*" : "");
    code.resize(5, ' ');
    const std::string net =
        r["prefix"].get<std::string>() + "/" + std::to_string(r["prefix_len"].get<int>());
    const std::string itf = r["interface"];
    if (r["next_hop"].is_null()) return code + net + " is directly connected, " + itf + "\n";
    return code + net + " [" + std::to_string(r["distance"].get<int>()) + "/" +
           std::to_string(r["metric"].get<int>()) + "] via " + r["next_hop"].get<std::string>() +
           "\n";
}

}  // namespace

std::string render_ip_route(const Json& doc) {
    std::string o = kLegend;
    const Json& g = doc["gateway_of_last_resort"];
    if (g.is_null()) {
        o += "Gateway of last resort is not set\n\n";
    } else {
        o += "Gateway of last resort is " + g["next_hop"].get<std::string>() + " to network " +
             g["network"].get<std::string>() + "\n\n";
    }
    // Networks in address order, the default route last, as IOS lists them.
    for (const Json& r : doc["routes"])
        if (r["prefix_len"] != 0) o += route_line(r);
    for (const Json& r : doc["routes"])
        if (r["prefix_len"] == 0) o += route_line(r);
    return o;
}

}  // namespace espgw::mgmt
