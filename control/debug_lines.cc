#include "control/debug_lines.h"

#include <cstring>

#include "crypto/suite.h"
#include "sadb/wire_text.h"

namespace espgw::control {
namespace {

using wire::addr_text;
using wire::spi_text;

bool inbound(const wire::Sa& sa) {
    return sa.direction == wire::Direction::kInbound;
}

// `10.1.1.0/255.255.255.0/0/0 (type=4)`: RFC 2407 4.6.2.1 ID types, 1 = host, 4 = subnet.
std::string proxy(const wire::Addr& a, uint8_t prefix, uint8_t proto, uint16_t lo, uint16_t hi) {
    const uint16_t port = lo == hi ? lo : 0;
    return addr_text(a) + "/" + wire::mask_text(prefix) + "/" + std::to_string(proto) + "/" +
           std::to_string(port) + (prefix == 32 ? " (type=1)" : " (type=4)");
}

std::string local_proxy(const wire::Sa& sa) {
    const wire::Selector& s = sa.selector;
    return proxy(s.src, s.src_prefix, s.proto, s.sport_lo, s.sport_hi);
}

std::string remote_proxy(const wire::Sa& sa) {
    const wire::Selector& s = sa.selector;
    return proxy(s.dst, s.dst_prefix, s.proto, s.dport_lo, s.dport_hi);
}

// Where the SA's packets go: the peer for outbound, this gateway for inbound.
std::string sa_dest(const wire::Sa& sa) {
    return addr_text(inbound(sa) ? sa.local : sa.peer);
}
std::string sa_src(const wire::Sa& sa) {
    return addr_text(inbound(sa) ? sa.peer : sa.local);
}

std::string sa_block(const wire::Sa& sa) {
    return "  (sa) sa_dest= " + sa_dest(sa) + ", sa_prot= 50,\n    sa_spi= " + spi_text(sa.spi) +
           ",\n    sa_trans= " + transform_text(sa) +
           " , sa_conn_id= " + std::to_string(sa.conn_id);
}

std::string lifedur(const wire::Sa& sa, uint32_t seconds) {
    return std::to_string(seconds) + "s and " + std::to_string(sa.hard_bytes / 1024) + "kb";
}

}  // namespace

std::string transform_text(const wire::Sa& sa) {
    if (sa.cipher >= crypto::kNumCiphers || sa.integrity >= crypto::kNumIntegrity) return "?";
    std::string t(crypto::cipher_info(static_cast<crypto::Cipher>(sa.cipher)).ios_name);
    const auto i = static_cast<crypto::Integrity>(sa.integrity);
    if (i != crypto::Integrity::kNone) t += " " + std::string(crypto::integrity_info(i).ios_name);
    return t;
}

std::string debug_create_sa(const wire::Sa& sa, uint32_t lifetime_seconds) {
    const bool in = inbound(sa);
    const std::string mode = sa.mode == wire::Mode::kTunnel ? "Tunnel" : "Transport";
    return "IPSEC(initialize_sas): ,\n  (key eng. msg.) src= " + sa_src(sa) +
           ", dest= " + sa_dest(sa) +
           ",\n    src_proxy= " + (in ? remote_proxy(sa) : local_proxy(sa)) +
           ",\n    dest_proxy= " + (in ? local_proxy(sa) : remote_proxy(sa)) +
           ",\n    protocol= ESP, transform= " + transform_text(sa) + " , mode= " + mode +
           (sa.udp_encap ? ", UDP-encaps" : "") +
           ",\n    lifedur= " + lifedur(sa, lifetime_seconds) + ",\n    spi= " + spi_text(sa.spi) +
           ", conn_id= " + std::to_string(sa.conn_id) +
           ", replay window= " + std::to_string(sa.replay_window) +
           "\nIPSEC(create_sa): sa created,\n" + sa_block(sa);
}

std::string debug_delete_sa(const wire::Sa& sa) {
    return "IPSEC(delete_sa): deleting SA,\n" + sa_block(sa);
}

std::string debug_sa_event(const wire::Sa& sa, std::string_view what) {
    return "IPSEC(sa_event): " + std::string(what) + ",\n" + sa_block(sa);
}

std::string engine_key_context(const wire::Sa& sa, bool created) {
    const std::string conn = std::to_string(sa.conn_id);
    if (!created)
        return "CryptoEngine0: delete connection " + conn + " (spi " + spi_text(sa.spi) +
               "): key context zeroed and freed";
    return "CryptoEngine0: generate key context for conn id " + conn + " (" + transform_text(sa) +
           ", " + (inbound(sa) ? "inbound" : "outbound") + " spi " + spi_text(sa.spi) + ")";
}

std::string engine_failure(std::string_view what, uint32_t conn_id, uint32_t spi, uint64_t seq) {
    return "CryptoEngine0: " + std::string(what) + " for conn id " + std::to_string(conn_id) +
           ", spi " + spi_text(spi) + ", sequence number " + wire::hex_text(seq);
}

}  // namespace espgw::control
