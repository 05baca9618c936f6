// `test crypto trace SRC DST PROTO [SPORT DPORT]`: the way a packet would take through the
// gateway, computed on the compiled policy the dataplane runs, step by step with the reason of
// each: the interface it arrives on (route lookup of SRC), whether it is for the gateway itself,
// the first SPD rule that matches (crypto map entry, ACL line) and its action, the outbound SA,
// and the egress interface and next hop. The SPD is walked in the dataplane's order (rule id:
// crypto map sequence, then ACL line) with the dataplane's matching rules (dataplane/spd.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "control/config_model.h"
#include "control/policy_compiler.h"
#include "control/trace_routes.h"

namespace espgw::control {

struct TraceQuery {
    Ipv4 src;
    Ipv4 dst;
    uint8_t protocol = 0;  // 0 = ip (any)
    std::optional<uint16_t> sport;
    std::optional<uint16_t> dport;
    std::optional<uint8_t> icmp_type;  // icmp: the message, if given
    uint8_t icmp_code = 0;
    bool fragment = false;  // a non-initial fragment: no ports (sadb/spd_match.h)
};

// PROTO is ip|icmp|tcp|udp|... or 0-255; ports are numbers or IOS port names and only go with
// tcp and udp; for icmp the two words are TYPE (0-255 or an IOS message name such as echo)
// and CODE (0-255; default the name's code, else 0); a non-initial `fragment` has none. nullopt
// with a one-line `error` naming the wrong argument.
std::optional<TraceQuery> parse_trace_query(const std::string& src, const std::string& dst,
                                            const std::string& proto, const std::string& sport,
                                            const std::string& dport, bool fragment,
                                            std::string* error);

enum class TraceVerdict { kEncrypted, kClear, kDropped, kLocal };

// The outbound SA a PROTECT rule names (no keys).
struct TraceSa {
    uint32_t conn_id = 0;
    uint32_t spi = 0;
    std::string transform;  // IOS keywords: "esp-gcm 128", "esp-aes 128 esp-sha-hmac"
    Ipv4 local;
    Ipv4 peer;
    bool tunnel = true;
    bool udp_encap = false;
};

struct TraceSpd {
    bool matched = false;
    uint32_t rule_id = 0;
    wire::SpdAction action = wire::SpdAction::kBypass;
    uint32_t sa_conn_id = 0;  // PROTECT: the outbound SA, 0 if none
    std::string map;
    uint32_t map_seq = 0;
    std::string acl;
    std::optional<AclEntry> acl_entry;  // the ACL line the rule came from
    uint32_t acl_index = 0;             // its 1-based position in the list
};

struct TraceResult {
    TraceQuery query;
    std::optional<InstalledRoute> ingress;
    std::string ingress_why;
    std::string local_interface;  // DST is this interface's address
    TraceSpd spd;
    std::string spd_why;
    std::vector<std::string> notes;  // entries the packet would match that are not installed
    std::optional<TraceSa> sa;
    std::string sa_why;
    Ipv4 routed_to;  // DST, or the peer once encrypted
    std::optional<InstalledRoute> egress;
    std::string egress_why;
    TraceVerdict verdict = TraceVerdict::kClear;
    std::string summary;
};

TraceResult trace_packet(const Config& cfg, const CompiledPolicy& p, const TraceQuery& q);

// trace_view.cc: the data the CLI renders and prints under --json.
nlohmann::json trace_view(const TraceResult& t);

}  // namespace espgw::control
