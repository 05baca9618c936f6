#include "mgmt/ipsec_sa_data.h"

#include <cstring>
#include <map>
#include <set>

#include "crypto/suite.h"
#include "sadb/wire_text.h"

namespace espgw::mgmt {
namespace {

namespace wire = sadb::wire;
using wire::addr_text;

crypto::Cipher cipher_of(const wire::Sa& s) {
    return static_cast<crypto::Cipher>(s.cipher);
}
crypto::Integrity integrity_of(const wire::Sa& s) {
    return static_cast<crypto::Integrity>(s.integrity);
}

// IOS transform words of the installed SA: "esp-aes 128 esp-sha-hmac".
std::string transform(const wire::Sa& s) {
    std::string t(crypto::cipher_info(cipher_of(s)).ios_name);
    if (integrity_of(s) != crypto::Integrity::kNone)
        t += " " + std::string(crypto::integrity_info(integrity_of(s)).ios_name);
    return t;
}

// Short algorithm names, as `show crypto engine connection active` lists them: "aes128gcm",
// "aes128+sha1".
std::string algorithm(const wire::Sa& s) {
    std::string a(crypto::short_name(cipher_of(s)));
    if (integrity_of(s) != crypto::Integrity::kNone)
        a += "+" + std::string(crypto::short_name(integrity_of(s)));
    return a;
}

// ESP overhead of a full-size packet on this SA: outer headers, UDP encapsulation, ESP header,
// IV, worst-case padding, trailer and ICV (the PIX's `ipsec overhead`, RFC 4303 §2).
uint32_t overhead(const wire::Sa& s) {
    const auto& ci = crypto::cipher_info(cipher_of(s));
    const uint32_t outer = s.mode == wire::Mode::kTunnel ? (s.local.version == 6 ? 40 : 20) : 0;
    return outer + (s.udp_encap ? 8 : 0) + 8 + ci.iv_len + (ci.block_len - 1) + 2 +
           crypto::icv_len(cipher_of(s), integrity_of(s));
}

// "(198.18.1.0/255.255.255.0/0/0)" as IOS prints a proxy identity.
std::string ident(const wire::Addr& a, uint8_t prefix, uint8_t proto, uint16_t lo, uint16_t hi) {
    const uint16_t port = lo == hi ? lo : 0;
    const std::string mask =
        a.version == 6 ? "/" + std::to_string(prefix) : "/" + wire::mask_text(prefix);
    return "(" + addr_text(a) + mask + "/" + std::to_string(proto) + "/" + std::to_string(port) +
           ")";
}

// Remaining lifetime: bytes from the raw counter (the dataplane enforces it on raw counts),
// seconds from control's install time. null = no such limit or not known.
Json lifetime_json(const sadb::SaSlot& x, const Json* c, int64_t now) {
    const wire::Sa& m = x.meta;
    Json kb = nullptr, left_kb = nullptr, sec = nullptr, left_sec = nullptr;
    if (m.hard_bytes != 0) {
        kb = m.hard_bytes / 1024;
        left_kb = (m.hard_bytes > x.counters.bytes ? m.hard_bytes - x.counters.bytes : 0) / 1024;
    }
    if (c && c->value("lifetime_seconds", 0) != 0) {
        const int64_t s = c->value("lifetime_seconds", int64_t{0});
        sec = s;
        const int64_t at = c->value("installed_at", int64_t{0});
        if (at != 0) left_sec = std::max<int64_t>(0, s - (now - at));
    }
    return {{"kilobytes", kb},
            {"seconds", sec},
            {"remaining_kilobytes", left_kb},
            {"remaining_seconds", left_sec}};
}

Json counters_json(const SaCounterSet& c) {
    return {{"packets", c.packets},
            {"bytes", c.bytes},
            {"errors", c.errors},
            {"prefrag_ok", c.prefrag_ok},
            {"prefrag_fail", c.prefrag_fail},
            {"fragments_created", c.fragments_created},
            {"pmtu_sent", c.pmtu_sent},
            {"pmtu_rcvd", c.pmtu_rcvd},
            {"reassembly_needed", c.reassembly_needed},
            {"drops", drop_counts_json(c.drops)}};
}

Json sa_json(const StatsReader& r, const SaSnapshot& s, const Json* c, const SaCounterSet& n,
             int64_t now) {
    const sadb::SaSlot& x = s.slot_copy;
    const wire::Sa& m = x.meta;
    const sadb::PortStats port = r.port(m.port);
    const auto& ci = crypto::cipher_info(cipher_of(m));
    const std::string ifname =
        c && !c->value("interface", "").empty() ? c->value("interface", "")
        : port.ifname[0] ? std::string(port.ifname, strnlen(port.ifname, sizeof port.ifname))
                         : "port" + std::to_string(m.port);
    Json j = {{"conn_id", m.conn_id},
              {"pair_conn_id", m.pair_conn_id},
              {"spi", m.spi},
              {"direction", m.direction == wire::Direction::kInbound ? "inbound" : "outbound"},
              {"slot", s.slot},
              {"generation", x.generation},
              {"crypto_map", std::string(m.map_name, strnlen(m.map_name, sizeof m.map_name))},
              {"map_seq", m.map_seq},
              {"interface", ifname},
              {"port", m.port},
              {"transform", transform(m)},
              {"algorithm", algorithm(m)},
              {"encrypts", cipher_of(m) != crypto::Cipher::kNull},
              {"digests", integrity_of(m) != crypto::Integrity::kNone ||
                              ci.family == crypto::CipherFamily::kGcm},
              {"transform_set", c ? c->value("transform_set", Json()) : Json()},
              {"acl", c ? c->value("acl", Json()) : Json()},
              {"mode", m.mode == wire::Mode::kTunnel ? "tunnel" : "transport"},
              {"local", addr_text(m.local)},
              {"peer", addr_text(m.peer)},
              {"local_ident", ident(m.selector.src, m.selector.src_prefix, m.selector.proto,
                                    m.selector.sport_lo, m.selector.sport_hi)},
              {"remote_ident", ident(m.selector.dst, m.selector.dst_prefix, m.selector.proto,
                                     m.selector.dport_lo, m.selector.dport_hi)},
              {"udp_encap", m.udp_encap != 0},
              {"esn", m.esn != 0},
              {"replay_window", m.replay_window},
              {"iv_size", ci.iv_len},
              {"overhead", overhead(m)},
              {"owner_lcore", x.owner_lcore},
              {"path_mtu", x.path_mtu},
              {"media_mtu", port.mtu != 0 ? port.mtu : 1500},
              {"lifetime", lifetime_json(x, c, now)},
              {"installed_at", c ? c->value("installed_at", Json()) : Json()}};
    j.update(counters_json(n));
    return j;
}

bool wanted(const SaFilter& f, const wire::Sa& m) {
    if (f.peer && addr_text(m.peer) != *f.peer) return false;
    if (f.map && std::string(m.map_name, strnlen(m.map_name, sizeof m.map_name)) != *f.map)
        return false;
    return !f.spi || m.spi == *f.spi;
}

uint32_t tunnel_key(const wire::Sa& m) {
    return m.pair_conn_id != 0 ? std::min(m.conn_id, m.pair_conn_id) : m.conn_id;
}

}  // namespace

Json drop_counts_json(const std::array<uint64_t, sadb::kNumDropReasons>& d) {
    Json out = Json::object();
    for (const auto& info : sadb::kDropReasons)
        if (info.reason != sadb::DropReason::kNone)
            out[std::string(info.label)] = d[static_cast<size_t>(info.reason)];
    return out;
}

Json ipsec_sa_document(const StatsReader& r, const Json& control_sas,
                       const CounterBaseline& baseline, const SaFilter& filter, int64_t now) {
    std::map<uint32_t, const Json*> by_conn;
    if (control_sas.is_object() && control_sas.contains("sas"))
        for (const Json& c : control_sas["sas"])
            by_conn[c.value("conn_id", 0u)] = &c;
    const std::vector<SaSnapshot> sas = r.sas();
    std::set<uint32_t> tunnels;  // a filter selects whole tunnels
    for (const SaSnapshot& s : sas)
        if (wanted(filter, s.slot_copy.meta)) tunnels.insert(tunnel_key(s.slot_copy.meta));
    Json list = Json::array();
    for (const SaSnapshot& s : sas) {
        const wire::Sa& m = s.slot_copy.meta;
        if (!tunnels.count(tunnel_key(m))) continue;
        const auto c = by_conn.find(m.conn_id);
        list.push_back(
            sa_json(r, s, c == by_conn.end() ? nullptr : c->second, baseline.sa(s), now));
    }
    return {{"control", !control_sas.is_null()},
            {"now", now},
            {"counters_cleared_at", baseline.empty() ? Json() : Json(baseline.taken_unix())},
            {"sas", std::move(list)}};
}

}  // namespace espgw::mgmt
