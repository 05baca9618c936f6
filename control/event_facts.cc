#include "control/event_facts.h"

#include <cstring>

#include "control/debug_lines.h"
#include "sadb/drop_reason.h"
#include "sadb/wire_text.h"

namespace espgw::control {
namespace {

using wire::addr_text;
using wire::hex_text;

std::string proto_name(uint8_t p) {
    switch (p) {
        case 1:
            return "icmp";
        case 6:
            return "tcp";
        case 17:
            return "udp";
        case 50:
            return "esp";
        default:
            return std::to_string(p);
    }
}

// `10.32.77.67/255.255.255.255/ip/0`, as ASA 402116 writes a proxy.
std::string proxy(const wire::Addr& a, uint8_t prefix, uint8_t proto) {
    return addr_text(a) + "/" + wire::mask_text(prefix) + "/" +
           (proto == 0 ? "ip" : std::to_string(proto)) + "/0";
}

// ", spi 0x1001(4097), sequence number 0x5, connection id 7": what the generic line adds.
std::string sa_suffix(const wire::DropSample& d) {
    std::string s;
    if (d.spi != 0) s += ", spi " + wire::spi_text(d.spi) + ", sequence number " + hex_text(d.seq);
    if (d.conn_id != 0) s += ", connection id " + std::to_string(d.conn_id);
    return s;
}

void add_selector_vars(Vars& v, const CompiledSa* sa) {
    if (sa == nullptr) {
        v.emplace_back("local_proxy", "?");
        v.emplace_back("remote_proxy", "?");
        return;
    }
    const wire::Selector& s = sa->sa.selector;
    v.emplace_back("local_proxy", proxy(s.src, s.src_prefix, s.proto));
    v.emplace_back("remote_proxy", proxy(s.dst, s.dst_prefix, s.proto));
}

}  // namespace

EventFacts drop_facts(const wire::DropSample& d, const CompiledSa* sa) {
    const auto r = static_cast<sadb::DropReason>(d.reason);
    const auto& info = sadb::drop_reason_info(r);
    const bool in = d.direction == wire::Direction::kInbound;
    // After decapsulation the sample's addresses are the inner packet's (ASA 402116): the outer
    // ones are the SA's.
    const bool inner = r == sadb::DropReason::kInnerPolicyMismatch && sa != nullptr;
    const std::string src = inner ? addr_text(sa->sa.peer) : addr_text(d.src);
    const std::string dst = inner ? addr_text(sa->sa.local) : addr_text(d.dst);
    EventFacts f;
    f.peer = sa ? addr_text(sa->sa.peer) : (in ? src : dst);
    const std::string local = sa ? addr_text(sa->sa.local) : (in ? dst : src);
    f.vars = {{"spi", wire::spi_text(d.spi)},
              {"spi_hex", hex_text(d.spi)},
              {"seq", hex_text(d.seq)},
              {"src", src},
              {"dst", dst},
              {"peer", f.peer},
              {"local", local},
              {"conn", std::to_string(d.conn_id)},
              {"port", std::to_string(d.port)},
              {"prot", std::to_string(d.inner_proto)},
              {"inner_src", addr_text(d.inner_src)},
              {"inner_dst", addr_text(d.inner_dst)},
              {"inner_proto", proto_name(d.inner_proto)},
              {"help", std::string(info.help)},
              {"label", std::string(info.label)},
              {"sa_facts", sa_suffix(d)}};
    add_selector_vars(f.vars, sa);
    f.params = {{"reason", std::string(info.label)}};
    if (d.spi != 0)
        f.params.insert(f.params.end(), {{"spi", hex_text(d.spi)}, {"seq", std::to_string(d.seq)}});
    f.params.insert(f.params.end(), {{"src", src}, {"dst", dst}});
    if (d.conn_id != 0) f.params.emplace_back("conn", std::to_string(d.conn_id));
    return f;
}

EventFacts sa_facts(const wire::Sa& sa) {
    const bool in = sa.direction == wire::Direction::kInbound;
    const std::string local = addr_text(sa.local), peer = addr_text(sa.peer);
    const std::string map(sa.map_name, strnlen(sa.map_name, sizeof sa.map_name));
    EventFacts f;
    f.peer = peer;
    f.vars = {{"dir", in ? "inbound" : "outbound"},
              {"spi_hex", hex_text(sa.spi)},
              {"spi", wire::spi_text(sa.spi)},
              {"local", local},
              {"peer", peer},
              {"conn", std::to_string(sa.conn_id)},
              {"map", map.empty() ? "-" : map},
              {"map_seq", std::to_string(sa.map_seq)},
              {"transform", transform_text(sa)}};
    f.params = {{"spi", hex_text(sa.spi)},
                {"conn", std::to_string(sa.conn_id)},
                {"dir", in ? "inbound" : "outbound"},
                {"src", in ? peer : local},
                {"dst", in ? local : peer}};
    return f;
}

}  // namespace espgw::control
