// `show crypto ipsec sa` in the IOS layout (requirements.md §1.6-1.9): one block per tunnel
// (inbound + outbound SA of a crypto map entry), grouped by interface.
#include "mgmt/show_ipsec_sa.h"

#include <algorithm>
#include <cstring>
#include <cstdio>
#include <map>

#include "crypto/suite.h"
#include "sadb/wire_text.h"

#include <nlohmann/json.hpp>

namespace espgw::mgmt {
namespace {

namespace wire = sadb::wire;

using wire::addr_text;
using wire::mask_text;

std::string ident(const wire::Addr& a, uint8_t prefix, uint8_t proto, uint16_t lo, uint16_t hi) {
    const uint16_t port = lo == hi ? lo : 0;
    return "(" + addr_text(a) + "/" + mask_text(prefix) + "/" + std::to_string(proto) + "/" +
           std::to_string(port) + ")";
}

std::string transform(const wire::Sa& s) {
    const auto c = static_cast<crypto::Cipher>(s.cipher);
    const auto i = static_cast<crypto::Integrity>(s.integrity);
    std::string t(crypto::cipher_info(c).ios_name);
    if (i != crypto::Integrity::kNone) t += " " + std::string(crypto::integrity_info(i).ios_name);
    return t + " ,";
}

struct Tunnel {
    const SaSnapshot* in = nullptr;
    const SaSnapshot* out = nullptr;
    const wire::Sa& meta() const { return (out ? out : in)->slot_copy.meta; }
};

void line(std::string& o, const char* fmt, auto... args) {
    char buf[512];
    std::snprintf(buf, sizeof buf, fmt, args...);
    o += buf;
    o += '\n';
}

uint64_t pkts(const Tunnel& t, bool outbound) {
    const SaSnapshot* s = outbound ? t.out : t.in;
    return s ? s->slot_copy.counters.packets : 0;
}

uint64_t errors(const SaSnapshot* s) { return s ? s->slot_copy.counters.errors : 0; }

uint64_t slot_sum(const Tunnel& t, uint64_t sadb::SaSlot::*field) {
    return (t.in ? t.in->slot_copy.*field : 0) + (t.out ? t.out->slot_copy.*field : 0);
}

// ESP overhead of the tunnel's outbound SA for a full-size packet: outer headers, IV, maximum
// padding, trailer and ICV (the PIX's `ipsec overhead`).
uint32_t overhead(const wire::Sa& s) {
    const auto& ci = crypto::cipher_info(static_cast<crypto::Cipher>(s.cipher));
    const uint32_t icv = crypto::icv_len(static_cast<crypto::Cipher>(s.cipher),
                                         static_cast<crypto::Integrity>(s.integrity));
    const uint32_t outer = s.mode == wire::Mode::kTunnel ? (s.local.version == 6 ? 40 : 20) : 0;
    return outer + (s.udp_encap ? 8 : 0) + 8 + ci.iv_len + (ci.block_len - 1) + 2 + icv;
}

void counters(std::string& o, const Tunnel& t, bool ciphered, bool digested) {
    const uint64_t e = pkts(t, true), d = pkts(t, false);
    line(o, "    #pkts encaps: %llu, #pkts encrypt: %llu, #pkts digest: %llu",
         (unsigned long long)e, (unsigned long long)(ciphered ? e : 0),
         (unsigned long long)(digested ? e : 0));
    line(o, "    #pkts decaps: %llu, #pkts decrypt: %llu, #pkts verify: %llu",
         (unsigned long long)d, (unsigned long long)(ciphered ? d : 0),
         (unsigned long long)(digested ? d : 0));
    line(o, "    #pkts compressed: 0, #pkts decompressed: 0");
    line(o, "    #pkts not compressed: 0, #pkts compr. failed: 0");
    line(o, "    #pkts not decompressed: 0, #pkts decompress failed: 0");
    line(o, "    #pre-frag successes: %llu, #pre-frag failures: %llu, #fragments created: %llu",
         (unsigned long long)slot_sum(t, &sadb::SaSlot::prefrag_ok),
         (unsigned long long)slot_sum(t, &sadb::SaSlot::prefrag_fail),
         (unsigned long long)slot_sum(t, &sadb::SaSlot::fragments_created));
    line(o,
         "    #PMTUs sent: %llu, #PMTUs rcvd: %llu, #decapsulated frgs needing reassembly: %llu",
         (unsigned long long)slot_sum(t, &sadb::SaSlot::pmtu_sent),
         (unsigned long long)slot_sum(t, &sadb::SaSlot::pmtu_rcvd),
         (unsigned long long)slot_sum(t, &sadb::SaSlot::reassembly_needed));
    line(o, "    #send errors %llu, #recv errors %llu", (unsigned long long)errors(t.out),
         (unsigned long long)errors(t.in));
}

std::string lifetime(const wire::Sa& s) {
    const unsigned long long kb = s.hard_bytes == 0 ? 0 : s.hard_bytes / 1024;
    return "(" + std::to_string(kb) + "/-)";  // seconds: manual SAs have no time lifetime
}

void sa_block(std::string& o, const SaSnapshot& snap, const char* map) {
    const wire::Sa& s = snap.slot_copy.meta;
    const auto& ci = crypto::cipher_info(static_cast<crypto::Cipher>(s.cipher));
    line(o, "      spi: 0x%X(%u)", s.spi, s.spi);
    line(o, "        transform: %s", transform(s).c_str());
    line(o, "        in use settings ={%s, %s}", s.mode == wire::Mode::kTunnel ? "Tunnel" : "Transport",
         s.udp_encap ? "UDP-Encaps," : "");
    line(o, "        conn id: %u, flow_id: %u, crypto map: %s", s.conn_id, snap.slot + 1, map);
    line(o, "        sa timing: remaining key lifetime (k/sec): %s", lifetime(s).c_str());
    line(o, "        IV size: %u bytes", unsigned{ci.iv_len});
    line(o, "        replay detection support: %s", s.replay_window != 0 ? "Y" : "N");
    if (s.replay_window != 0) line(o, "        replay window size: %u", s.replay_window);
    line(o, "        Status: ACTIVE");
    o += '\n';
}

void tunnel_block(std::string& o, const Tunnel& t) {
    const wire::Sa& s = t.meta();
    const auto i = static_cast<crypto::Integrity>(s.integrity);
    const auto c = static_cast<crypto::Cipher>(s.cipher);
    const bool aead = crypto::cipher_info(c).family == crypto::CipherFamily::kGcm;
    std::string map(s.map_name, strnlen(s.map_name, sizeof s.map_name));
    o += "\n   protected vrf: (none)\n";
    line(o, "   local  ident (addr/mask/prot/port): %s",
         ident(s.selector.src, s.selector.src_prefix, s.selector.proto, s.selector.sport_lo,
               s.selector.sport_hi).c_str());
    line(o, "   remote ident (addr/mask/prot/port): %s",
         ident(s.selector.dst, s.selector.dst_prefix, s.selector.proto, s.selector.dport_lo,
               s.selector.dport_hi).c_str());
    line(o, "   current_peer %s port %u", addr_text(s.peer).c_str(), s.udp_encap ? 4500u : 500u);
    line(o, "     PERMIT, flags={origin_is_acl,}");
    counters(o, t, c != crypto::Cipher::kNull, i != crypto::Integrity::kNone || aead);
    o += '\n';
    line(o, "     local crypto endpt.: %s, remote crypto endpt.: %s", addr_text(s.local).c_str(),
         addr_text(s.peer).c_str());
    const uint16_t pmtu = t.out ? t.out->slot_copy.path_mtu : s.path_mtu;
    line(o, "     path mtu %u, ip mtu %u, ipsec overhead %u, media mtu 1500", pmtu, pmtu,
         overhead(s));
    if (t.out) line(o, "     current outbound spi: 0x%X(%u)", t.out->slot_copy.meta.spi,
                    t.out->slot_copy.meta.spi);
    o += "\n     inbound esp sas:\n";
    if (t.in) sa_block(o, *t.in, map.c_str());
    o += "\n     inbound ah sas:\n\n     inbound pcp sas:\n\n     outbound esp sas:\n";
    if (t.out) sa_block(o, *t.out, map.c_str());
    o += "\n     outbound ah sas:\n\n     outbound pcp sas:\n";
}

}  // namespace

std::string show_crypto_ipsec_sa(const StatsReader& r) {
    const std::vector<SaSnapshot> sas = r.sas();
    // Pair the two directions of each tunnel by conn id, group tunnels by interface.
    std::map<uint32_t, Tunnel> by_tunnel;
    for (const SaSnapshot& s : sas) {
        const wire::Sa& m = s.slot_copy.meta;
        const uint32_t key = m.pair_conn_id != 0 ? std::min(m.conn_id, m.pair_conn_id) : m.conn_id;
        Tunnel& t = by_tunnel[key];
        (m.direction == wire::Direction::kInbound ? t.in : t.out) = &s;
    }
    std::map<uint16_t, std::vector<const Tunnel*>> by_port;
    for (const auto& [key, t] : by_tunnel) by_port[t.meta().port].push_back(&t);
    std::string o;
    for (const auto& [port, tunnels] : by_port) {
        const sadb::PortStats p = r.port(port);
        const std::string name = p.ifname[0] ? p.ifname : "port" + std::to_string(port);
        line(o, "interface: %s", name.c_str());
        const wire::Sa& first = tunnels.front()->meta();
        line(o, "    Crypto map tag: %s, local addr %s",
             std::string(first.map_name, strnlen(first.map_name, sizeof first.map_name)).c_str(),
             addr_text(first.local).c_str());
        for (const Tunnel* t : tunnels) tunnel_block(o, *t);
        o += '\n';
    }
    return o;
}

std::string show_crypto_drops(const StatsReader& r) {
    const sadb::DropCounters d = r.drops();
    std::string o = "Dataplane drops (all lcores):\n";
    for (const auto& info : sadb::kDropReasons) {
        const uint64_t n = d.count[static_cast<size_t>(info.reason)];
        if (info.reason == sadb::DropReason::kNone || n == 0) continue;
        line(o, "  %-28s %12llu  %s", std::string(info.label).c_str(), (unsigned long long)n,
             std::string(info.help).c_str());
    }
    return o;
}

namespace {

nlohmann::json drops_json(const std::array<uint64_t, sadb::kNumDropReasons>& d) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& info : sadb::kDropReasons)
        if (info.reason != sadb::DropReason::kNone)
            out[std::string(info.label)] = d[static_cast<size_t>(info.reason)];
    return out;
}

nlohmann::json sa_json(const SaSnapshot& s) {
    const sadb::SaSlot& x = s.slot_copy;
    const wire::Sa& m = x.meta;
    return {{"conn_id", m.conn_id},
            {"pair_conn_id", m.pair_conn_id},
            {"spi", m.spi},
            {"direction", m.direction == wire::Direction::kInbound ? "inbound" : "outbound"},
            {"crypto_map", std::string(m.map_name, strnlen(m.map_name, sizeof m.map_name))},
            {"map_seq", m.map_seq},
            {"transform", transform(m)},
            {"mode", m.mode == wire::Mode::kTunnel ? "tunnel" : "transport"},
            {"local", addr_text(m.local)},
            {"peer", addr_text(m.peer)},
            {"udp_encap", m.udp_encap != 0},
            {"replay_window", m.replay_window},
            {"owner_lcore", x.owner_lcore},
            {"path_mtu", x.path_mtu},
            {"packets", x.counters.packets},
            {"bytes", x.counters.bytes},
            {"errors", x.counters.errors},
            {"prefrag_ok", x.prefrag_ok},
            {"prefrag_fail", x.prefrag_fail},
            {"fragments_created", x.fragments_created},
            {"pmtu_sent", x.pmtu_sent},
            {"pmtu_rcvd", x.pmtu_rcvd},
            {"reassembly_needed", x.reassembly_needed},
            {"drops", drops_json(x.counters.drops)}};
}

}  // namespace

std::string show_crypto_ipsec_sa_json(const StatsReader& r) {
    nlohmann::json sas = nlohmann::json::array();
    for (const SaSnapshot& s : r.sas()) sas.push_back(sa_json(s));
    return nlohmann::json{{"sas", sas}}.dump(1) + "\n";
}

std::string show_crypto_drops_json(const StatsReader& r) {
    nlohmann::json lcores = nlohmann::json::array();
    for (uint32_t l = 0; l < r.header().max_lcores; ++l) {
        const sadb::LcoreStats s = r.lcore(l);
        if (!s.active) continue;
        lcores.push_back({{"lcore", s.lcore_id}, {"rx_packets", s.rx_packets},
                          {"tx_packets", s.tx_packets}, {"punted", s.punted},
                          {"handoff_in", s.handoff_in}, {"handoff_out", s.handoff_out},
                          {"drops", drops_json(s.drops.count)}});
    }
    return nlohmann::json{{"drops", drops_json(r.drops().count)}, {"lcores", lcores}}.dump(1) + "\n";
}

}  // namespace espgw::mgmt
