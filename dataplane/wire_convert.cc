#include "dataplane/wire_convert.h"

#include <cstring>

namespace espgw::dataplane {

sadb::IpAddr addr_from_wire(const sadb::wire::Addr& a) {
    sadb::IpAddr r;
    r.version = a.version;
    std::memcpy(r.bytes.data(), a.bytes, a.version == 6 ? 16 : 4);
    return r;
}

uint32_t ipv4_of(const sadb::wire::Addr& a) {
    if (a.version != 4) return 0;
    return (uint32_t{a.bytes[0]} << 24) | (uint32_t{a.bytes[1]} << 16) |
           (uint32_t{a.bytes[2]} << 8) | a.bytes[3];
}

namespace {

sadb::Selector selector_from_wire(const sadb::wire::Selector& w) {
    sadb::Selector s;
    s.local = addr_from_wire(w.src);
    s.local_prefix = w.src_prefix;
    s.remote = addr_from_wire(w.dst);
    s.remote_prefix = w.dst_prefix;
    s.proto = w.proto;
    s.local_port_lo = w.sport_lo;
    s.local_port_hi = w.sport_hi;
    s.remote_port_lo = w.dport_lo;
    s.remote_port_hi = w.dport_hi;
    return s;
}

sadb::Lifetime lifetime_from_wire(const sadb::wire::Sa& w) {
    sadb::Lifetime l;
    l.soft_bytes = w.soft_bytes;
    l.hard_bytes = w.hard_bytes;
    l.soft_packets = w.soft_packets;
    l.hard_packets = w.hard_packets;
    return l;
}

}  // namespace

sadb::SaConfig sa_config_from_wire(const sadb::wire::Sa& w) {
    sadb::SaConfig c;
    c.name = std::string(w.map_name, strnlen(w.map_name, sizeof w.map_name)) + " " +
             std::to_string(w.map_seq);
    c.conn_id = w.conn_id;
    c.spi = w.spi;
    c.direction = w.direction == sadb::wire::Direction::kInbound ? sadb::Direction::kInbound
                                                                  : sadb::Direction::kOutbound;
    c.mode = w.mode == sadb::wire::Mode::kTransport ? sadb::Mode::kTransport : sadb::Mode::kTunnel;
    c.cipher = static_cast<crypto::Cipher>(w.cipher);
    c.integrity = static_cast<crypto::Integrity>(w.integrity);
    c.cipher_key.assign({w.cipher_key, std::min<size_t>(w.cipher_key_len, sizeof w.cipher_key)});
    c.auth_key.assign({w.auth_key, std::min<size_t>(w.auth_key_len, sizeof w.auth_key)});
    c.local = addr_from_wire(w.local);
    c.peer = addr_from_wire(w.peer);
    c.udp_encap = {w.udp_encap != 0, w.udp_local_port, w.udp_peer_port};
    c.esn = w.esn != 0;
    c.replay_window = w.replay_window;
    c.lifetime = lifetime_from_wire(w);
    c.df = static_cast<sadb::DfMode>(w.df);
    c.copy_dscp = w.copy_dscp != 0;
    c.ttl = w.ttl == 0 ? 64 : w.ttl;
    c.path_mtu = w.path_mtu == 0 ? 1500 : w.path_mtu;
    c.selector = selector_from_wire(w.selector);
    c.port = w.port;
    return c;
}

}  // namespace espgw::dataplane
