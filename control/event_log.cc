#include "control/event_log.h"

#include <cstdio>
#include <cstring>

#include "sadb/drop_reason.h"
#include "sadb/wire_text.h"

namespace espgw::control {
namespace {

using wire::spi_text;
std::string addr(const wire::Addr& a) { return wire::addr_text(a); }
std::string hex(uint64_t v) { return wire::hex_text(v); }

std::string proxy(const wire::Addr& a, uint8_t prefix, uint8_t proto) {
    return addr(a) + "/" + wire::mask_text(prefix) + "/" +
           (proto == 0 ? "ip" : std::to_string(proto)) + "/0";
}

std::string proto_name(uint8_t p) {
    switch (p) {
        case 1: return "icmp";
        case 6: return "tcp";
        case 17: return "udp";
        case 50: return "esp";
        default: return std::to_string(p);
    }
}

// The Cisco texts of requirements.md §3 (E10, E01, E14, E76, E73), with the packet's facts.
std::string cisco_text(const wire::DropSample& d, sadb::DropReason r, const CompiledSa* sa) {
    using R = sadb::DropReason;
    const std::string conn = std::to_string(d.conn_id);
    const std::string peer = sa ? addr(sa->sa.peer) : addr(d.src);
    const std::string local = sa ? addr(sa->sa.local) : addr(d.dst);
    switch (r) {
        case R::kInvalidSpi:
            return "decaps: rec'd IPSEC packet has invalid spi for destaddr=" + addr(d.dst) +
                   ", prot=" + std::to_string(d.inner_proto) + ", spi=" + spi_text(d.spi) +
                   ", srcaddr=" + addr(d.src) + ", input interface port" + std::to_string(d.port);
        case R::kReplayDuplicate:
        case R::kReplayOld:
            return "decrypt: replay check failed connection id=" + conn + ", spi=" +
                   spi_text(d.spi) + ", sequence number=" + hex(d.seq) + ", peer " + peer +
                   (r == R::kReplayOld ? " (left of the window)" : " (duplicate)");
        case R::kIcvMismatch:
            return "decrypt: mac verify failed for connection id=" + conn + ", spi=" +
                   spi_text(d.spi) + ", sequence number=" + hex(d.seq) + ", peer " + peer;
        case R::kBadPadding:
            return "CRYPTO: Received an ESP packet (SPI = " + hex(d.spi) + ", sequence number= " +
                   hex(d.seq) + ") from " + peer + " (user= " + peer + ") to " + local +
                   " with incorrect IPsec padding";
        case R::kInnerPolicyMismatch:
            return "IPSEC: Received an ESP packet (SPI= " + hex(d.spi) + ", sequence number= " +
                   hex(d.seq) + ") from " + peer + " (user= " + peer + ") to " + local +
                   ". The decapsulated inner packet doesn't match the negotiated policy in the "
                   "SA. The packet specifies its destination as " + addr(d.inner_dst) +
                   ", its source as " + addr(d.inner_src) + ", and its protocol as " +
                   proto_name(d.inner_proto) + ". The SA specifies its local proxy as " +
                   (sa ? proxy(sa->sa.selector.src, sa->sa.selector.src_prefix,
                               sa->sa.selector.proto)
                       : "?") +
                   " and its remote_proxy as " +
                   (sa ? proxy(sa->sa.selector.dst, sa->sa.selector.dst_prefix,
                               sa->sa.selector.proto)
                       : "?") +
                   ".";
        default:
            break;
    }
    const auto& info = sadb::drop_reason_info(r);
    std::string t = std::string(info.help) + ": src " + addr(d.src) + ", dst " + addr(d.dst);
    if (d.spi != 0) t += ", spi " + spi_text(d.spi) + ", sequence number " + hex(d.seq);
    if (d.conn_id != 0) t += ", connection id " + conn;
    return t;
}

}  // namespace

LogLine drop_sample_line(const wire::DropSample& d, const CompiledPolicy& policy) {
    const auto r = static_cast<sadb::DropReason>(d.reason);
    if (d.reason >= sadb::kNumDropReasons) return {"ESPGW-4-DROP", "unknown drop reason"};
    const CompiledSa* sa = d.conn_id != 0 ? policy.find_sa(d.conn_id) : nullptr;
    return {std::string(sadb::drop_reason_info(r).mnemonic), cisco_text(d, r, sa)};
}

}  // namespace espgw::control
