#include "dataplane/spd_inbound.h"

#include <utility>
#include <vector>

#include "dataplane/drops.h"
#include "dataplane/ip_header.h"
#include "sadb/spd_match.h"

namespace espgw::dataplane {
namespace {

using sadb::wire::SpdAction;
using sadb::wire::SpdRule;

// The rule as seen by a packet travelling the other way: an outbound PROTECT rule from the
// local to the remote network mirrors the inbound traffic its SA carries (RFC 4301 §4.4.1:
// SPD entries are bidirectional selectors; IOS crypto ACLs are mirrored for inbound). ICMP type
// and code are one selector that holds both ways and stays in the source range
// (sadb/spd_match.h).
SpdRule mirrored(const SpdRule& r) {
    SpdRule m = r;
    std::swap(m.sel.src, m.sel.dst);
    std::swap(m.sel.src_prefix, m.sel.dst_prefix);
    if (!sadb::spd_mirror_swaps_ports(m.sel.proto)) return m;
    std::swap(m.sel.sport_lo, m.sel.dport_lo);
    std::swap(m.sel.sport_hi, m.sel.dport_hi);
    return m;
}

// One port's mirrored rules, or none when the port has no PROTECT rule (nothing to check).
std::vector<SpdRule> port_rules(const SpdSnapshot& spd, uint16_t port) {
    std::vector<SpdRule> rules;
    bool protect = false;
    for (uint32_t k = 0; k < spd.size(); ++k) {
        const SpdRule& r = spd.rule(k);
        if (r.port != port) continue;
        rules.push_back(mirrored(r));
        protect |= r.action == SpdAction::kProtect;
    }
    if (!protect) rules.clear();
    return rules;
}

// Looks up the packets at `at[0..n)` of `in`, all received on `port`, and nulls the ones to drop.
void check_port(LcoreCtx& c, const SpdSnapshot& spd, PktVec& in, const uint16_t* at, uint16_t n) {
    const uint8_t* hdr[PktVec::kCapacity];
    uint32_t rule[PktVec::kCapacity];
    for (uint16_t j = 0; j < n; ++j)
        hdr[j] = rte_pktmbuf_mtod(in.pkts[at[j]], const uint8_t*);
    spd.lookup(hdr, n, rule);
    for (uint16_t j = 0; j < n; ++j) {
        if (rule[j] == SpdSnapshot::kNoMatch || spd.action(rule[j]) != SpdAction::kProtect)
            continue;
        drop_packet(c, in.pkts[at[j]], sadb::DropReason::kNotIpsec);
        in.pkts[at[j]] = nullptr;
    }
}

bool unchecked(const Policy& pol, const rte_mbuf* m) {
    static_assert(kMaxPorts <= 32, "spd_in_ports is a 32-bit mask");
    return (m->hash.usr & kViaSa) != 0 || m->port >= kMaxPorts ||
           ((pol.spd_in_ports >> m->port) & 1u) == 0;
}

// What reaches a gateway address in clear whatever the policy says: IKE (UDP to port 500 or
// 4500), which negotiates the SAs (RFC 7296 §2.23, RFC 3948 §2.2), and ICMP error messages, which
// report on packets the gateway sent, such as its ESP (RFC 4301 §6.1.1; a PMTU message from a
// router on the path, RFC 4301 §8.2, whose quote services.cc checks). Only a first fragment (or
// a whole packet) shows ports and ICMP types.
bool exempt_local(const rte_mbuf* m) {
    const uint8_t* ip = rte_pktmbuf_mtod(m, const uint8_t*);
    const uint32_t ihl = (ip[0] & 0xf) * 4u;
    if (ipv4_later_fragment(ip) || m->data_len < ihl + 4) return false;
    const uint8_t* l4 = ip + ihl;
    if (ip[9] == kProtoIcmp)
        return l4[0] == kIcmpUnreachable || l4[0] == kIcmpTimeExceeded ||
               l4[0] == kIcmpParamProblem;
    const uint16_t dport = load_be16(l4 + 2);
    return ip[9] == kProtoUdp && (dport == kIkePort || dport == kNattPort);
}

}  // namespace

bool build_inbound_spd(Policy& p, const std::string& tag, std::string* error) {
    p.spd_in_ports = 0;
    for (uint16_t port = 0; port < kMaxPorts; ++port) {
        p.spd_in[port].reset();
        if (!p.spd || !p.ifaces[port].configured || !p.ifaces[port].outside) continue;
        const std::vector<SpdRule> rules = port_rules(*p.spd, port);
        if (rules.empty()) continue;
        const std::string name = "spdin" + std::to_string(port) + "_" + tag;
        p.spd_in[port] = SpdSnapshot::build(rules, name, 0, error);
        if (!p.spd_in[port]) return false;
        p.spd_in_ports |= 1u << port;
    }
    return true;
}

void drop_unprotected(LcoreCtx& c, const Policy& pol, PktVec& in) {
    uint16_t at[PktVec::kCapacity];
    uint16_t n = 0;
    for (uint16_t k = 0; k < in.n; ++k)
        if (!unchecked(pol, in.pkts[k])) at[n++] = k;
    if (n == 0) return;
    // A burst comes from one rx queue: one lookup per port present, usually one.
    uint16_t left = n;
    while (left != 0) {
        const uint16_t port = in.pkts[at[0]]->port;
        uint16_t same[PktVec::kCapacity], m = 0, rest = 0;
        for (uint16_t j = 0; j < left; ++j) {
            if (in.pkts[at[j]]->port == port) {
                same[m++] = at[j];
            } else {
                at[rest++] = at[j];
            }
        }
        check_port(c, *pol.spd_in[port], in, same, m);
        left = rest;
    }
    uint16_t kept = 0;
    for (uint16_t k = 0; k < in.n; ++k)
        if (in.pkts[k] != nullptr) in.pkts[kept++] = in.pkts[k];
    in.n = kept;
}

bool drop_unprotected_local(LcoreCtx& c, const Policy& pol, rte_mbuf* m) {
    if (unchecked(pol, m) || exempt_local(m)) return false;
    PktVec one;
    one.push(m);
    drop_unprotected(c, pol, one);
    return one.n == 0;
}

}  // namespace espgw::dataplane
