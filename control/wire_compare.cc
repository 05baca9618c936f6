#include "control/wire_compare.h"

#include <cstring>
#include <tuple>

namespace espgw::control {
namespace wire = sadb::wire;

namespace {

template <size_t N>
bool same_array(const uint8_t (&a)[N], const uint8_t (&b)[N]) {
    return std::memcmp(a, b, N) == 0;
}

template <size_t N>
bool same_text(const char (&a)[N], const char (&b)[N]) {
    return std::strncmp(a, b, N) == 0;
}

// The scalar fields of an SA; addresses, selector, names and keys are compared apart.
auto sa_scalars(const wire::Sa& s) {
    return std::tie(s.spi, s.conn_id, s.pair_conn_id, s.direction, s.mode, s.cipher, s.integrity,
                    s.esn, s.udp_encap, s.df, s.copy_dscp, s.ttl, s.cipher_key_len, s.auth_key_len,
                    s.udp_local_port, s.udp_peer_port, s.path_mtu, s.port, s.replay_window,
                    s.soft_bytes, s.hard_bytes, s.soft_packets, s.hard_packets, s.map_seq);
}

}  // namespace

bool same(const wire::Addr& a, const wire::Addr& b) {
    return a.version == b.version && same_array(a.bytes, b.bytes);
}

bool same(const wire::Selector& a, const wire::Selector& b) {
    return same(a.src, b.src) && same(a.dst, b.dst) &&
           std::tie(a.src_prefix, a.dst_prefix, a.proto, a.sport_lo, a.sport_hi, a.dport_lo,
                    a.dport_hi) == std::tie(b.src_prefix, b.dst_prefix, b.proto, b.sport_lo,
                                            b.sport_hi, b.dport_lo, b.dport_hi);
}

bool same(const wire::Globals& a, const wire::Globals& b) {
    return std::tie(a.frag, a.df, a.idle_backoff, a.replay_window, a.icmp_rate_per_s) ==
           std::tie(b.frag, b.df, b.idle_backoff, b.replay_window, b.icmp_rate_per_s);
}

bool same(const wire::Interface& a, const wire::Interface& b) {
    return std::tie(a.port, a.mtu, a.mss_clamp, a.prefix, a.outside) ==
               std::tie(b.port, b.mtu, b.mss_clamp, b.prefix, b.outside) &&
           same(a.addr, b.addr) && same_text(a.name, b.name) &&
           same_text(a.description, b.description) && same_text(a.crypto_map, b.crypto_map);
}

bool same(const wire::Sa& a, const wire::Sa& b) {
    return sa_scalars(a) == sa_scalars(b) && same(a.local, b.local) && same(a.peer, b.peer) &&
           same(a.selector, b.selector) && same_text(a.map_name, b.map_name) &&
           same_array(a.cipher_key, b.cipher_key) && same_array(a.auth_key, b.auth_key);
}

bool same(const wire::SpdRule& a, const wire::SpdRule& b) {
    return std::tie(a.id, a.sa_conn_id, a.action, a.fragments_only, a.port, a.map_seq,
                    a.acl_line) == std::tie(b.id, b.sa_conn_id, b.action, b.fragments_only, b.port,
                                            b.map_seq, b.acl_line) &&
           same(a.sel, b.sel);
}

bool same(const wire::Route& a, const wire::Route& b) {
    return a.prefix_len == b.prefix_len && a.port == b.port && same(a.prefix, b.prefix) &&
           same(a.next_hop, b.next_hop);
}

bool same(const wire::Neighbor& a, const wire::Neighbor& b) {
    return same(a.addr, b.addr) && std::memcmp(a.mac, b.mac, 6) == 0 && a.port == b.port &&
           a.is_static == b.is_static;
}

}  // namespace espgw::control
