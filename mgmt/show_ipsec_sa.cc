// One block per tunnel (the inbound and outbound SA of a crypto map entry, paired by conn id),
// grouped by interface; the ASA's skeleton (seq num, ACL line, fragmentation/PMTU counters,
// `path mtu N, ipsec overhead N, media mtu N`) with IOS's field spellings.
#include "mgmt/show_ipsec_sa.h"

#include <cstdio>
#include <map>
#include <vector>

#include "sadb/drop_reason.h"
#include "sadb/wire_text.h"

namespace espgw::mgmt {
namespace {

using Json = nlohmann::json;

struct Tunnel {
    const Json* in = nullptr;
    const Json* out = nullptr;
    const Json& any() const { return out ? *out : *in; }
};

void line(std::string& o, const char* fmt, auto... args) {
    char buf[512];
    std::snprintf(buf, sizeof buf, fmt, args...);
    o += buf;
    o += '\n';
}

unsigned long long num(const Json* sa, const char* key) {
    return sa ? sa->value(key, 0ull) : 0ull;
}

std::string text(const Json& j, const char* key) {
    return j.value(key, std::string());
}

std::string opt_num(const Json& j, const char* key) {
    return j.contains(key) && j[key].is_number() ? std::to_string(j[key].get<uint64_t>()) : "-";
}

unsigned long long sum(const Tunnel& t, const char* key) {
    return num(t.in, key) + num(t.out, key);
}

void counters(std::string& o, const Tunnel& t) {
    const Json& a = t.any();
    const bool enc = a.value("encrypts", true), dig = a.value("digests", true);
    const unsigned long long e = num(t.out, "packets"), d = num(t.in, "packets");
    line(o, "      #pkts encaps: %llu, #pkts encrypt: %llu, #pkts digest: %llu", e, enc ? e : 0,
         dig ? e : 0);
    line(o, "      #pkts decaps: %llu, #pkts decrypt: %llu, #pkts verify: %llu", d, enc ? d : 0,
         dig ? d : 0);
    o += "      #pkts compressed: 0, #pkts decompressed: 0\n";
    o += "      #pkts not compressed: 0, #pkts compr. failed: 0\n";
    o += "      #pkts not decompressed: 0, #pkts decompress failed: 0\n";
    line(o, "      #pre-frag successes: %llu, #pre-frag failures: %llu, #fragments created: %llu",
         sum(t, "prefrag_ok"), sum(t, "prefrag_fail"), sum(t, "fragments_created"));
    line(o,
         "      #PMTUs sent: %llu, #PMTUs rcvd: %llu, "
         "#decapsulated frgs needing reassembly: %llu",
         sum(t, "pmtu_sent"), sum(t, "pmtu_rcvd"), sum(t, "reassembly_needed"));
    line(o, "      #send errors %llu, #recv errors %llu", num(t.out, "errors"),
         num(t.in, "errors"));
}

void drops_by_reason(std::string& o, const Json& sa) {
    o += "         errors by reason:";
    const Json drops = sa.value("drops", Json::object());
    bool any = false;
    for (const auto& info : sadb::kDropReasons) {
        const uint64_t n = drops.value(std::string(info.label), uint64_t{0});
        if (info.reason == sadb::DropReason::kNone || n == 0) continue;
        o += any ? "" : "\n";
        any = true;
        line(o, "           %-26s %12llu", std::string(info.label).c_str(),
             static_cast<unsigned long long>(n));
    }
    if (!any) o += " none\n";
}

void sa_block(std::string& o, const Json& sa, bool detail) {
    const uint32_t spi = sa.value("spi", 0u);
    line(o, "       spi: %s", sadb::wire::spi_text(spi).c_str());
    line(o, "         transform: %s ,", text(sa, "transform").c_str());
    line(o, "         in use settings ={%s, %s}",
         text(sa, "mode") == "transport" ? "Transport" : "Tunnel",
         sa.value("udp_encap", false) ? "UDP-Encaps, " : "");
    line(o, "         slot: %u, conn id: %u, flow_id: %u, crypto map: %s",
         sa.value("owner_lcore", 0u), sa.value("conn_id", 0u), sa.value("slot", 0u) + 1,
         text(sa, "crypto_map").c_str());
    const Json life = sa.value("lifetime", Json::object());
    line(o, "         sa timing: remaining key lifetime (k/sec): (%s/%s)",
         opt_num(life, "remaining_kilobytes").c_str(), opt_num(life, "remaining_seconds").c_str());
    line(o, "         IV size: %u bytes", sa.value("iv_size", 0u));
    const uint32_t window = sa.value("replay_window", 0u);
    line(o, "         replay detection support: %s", window != 0 ? "Y" : "N");
    if (window != 0) line(o, "         replay window size: %u", window);
    o += "         Status: ACTIVE\n";
    if (detail) drops_by_reason(o, sa);
}

void endpoint_lines(std::string& o, const Tunnel& t) {
    const Json& a = t.any();
    line(o, "      local crypto endpt.: %s, remote crypto endpt.: %s", text(a, "local").c_str(),
         text(a, "peer").c_str());
    const Json& p = t.out ? *t.out : a;  // the path MTU is learnt on the outbound SA
    line(o, "      path mtu %u, ipsec overhead %u, media mtu %u", p.value("path_mtu", 0u),
         p.value("overhead", 0u), p.value("media_mtu", 0u));
    if (t.out)
        line(o, "      current outbound spi: %s",
             sadb::wire::spi_text(t.out->value("spi", 0u)).c_str());
}

void selector_lines(std::string& o, const Tunnel& t) {
    const Json& a = t.any();
    const Json acl = a.value("acl", Json());
    if (acl.is_object() && acl.contains("text")) {
        std::string l = text(acl, "text");
        if (!l.starts_with("access-list")) l = "access-list " + text(acl, "name") + " " + l;
        line(o, "      %s", l.c_str());
    }
    const Json& sel = t.out ? *t.out : a;  // selectors as seen outbound: local side first
    line(o, "      local ident (addr/mask/prot/port): %s", text(sel, "local_ident").c_str());
    line(o, "      remote ident (addr/mask/prot/port): %s", text(sel, "remote_ident").c_str());
    line(o, "      current_peer: %s", text(a, "peer").c_str());
    o += "      PERMIT, flags={origin_is_acl,}\n";
}

void tunnel_block(std::string& o, const Tunnel& t, bool detail) {
    const Json& a = t.any();
    line(o, "    Crypto map tag: %s, seq num: %u, local addr: %s", text(a, "crypto_map").c_str(),
         a.value("map_seq", 0u), text(a, "local").c_str());
    o += '\n';
    selector_lines(o, t);
    o += '\n';
    counters(o, t);
    o += '\n';
    endpoint_lines(o, t);
    o += "\n      inbound esp sas:\n";
    if (t.in) sa_block(o, *t.in, detail);
    o += "      inbound ah sas:\n      inbound pcp sas:\n      outbound esp sas:\n";
    if (t.out) sa_block(o, *t.out, detail);
    o += "      outbound ah sas:\n      outbound pcp sas:\n\n";
}

uint32_t tunnel_key(const Json& sa) {
    const uint32_t id = sa.value("conn_id", 0u), pair = sa.value("pair_conn_id", 0u);
    return pair != 0 && pair < id ? pair : id;
}

}  // namespace

std::string render_ipsec_sa(const Json& doc, const IpsecSaView& view) {
    // Tunnels in configuration order (map, sequence), grouped by interface.
    std::map<uint32_t, Tunnel> by_key;
    static const Json kNone = Json::array();
    const Json& sas = doc.contains("sas") ? doc["sas"] : kNone;  // the tunnels point into it
    for (const Json& sa : sas)
        (text(sa, "direction") == "inbound" ? by_key[tunnel_key(sa)].in
                                            : by_key[tunnel_key(sa)].out) = &sa;
    std::map<std::string, std::map<std::pair<std::string, uint32_t>, const Tunnel*>> by_if;
    for (const auto& [key, t] : by_key) {
        const Json& a = t.any();
        by_if[text(a, "interface")][{text(a, "crypto_map"), a.value("map_seq", 0u)}] = &t;
    }
    std::string o;
    if (!doc.value("control", true)) o += "(control not running: names from the dataplane)\n";
    if (view.peer_header && !by_if.empty()) line(o, "peer address: %s", view.peer_header->c_str());
    for (const auto& [ifname, tunnels] : by_if) {
        line(o, "interface: %s", ifname.c_str());
        for (const auto& [entry, t] : tunnels)
            tunnel_block(o, *t, view.detail);
    }
    return o;
}

}  // namespace espgw::mgmt
