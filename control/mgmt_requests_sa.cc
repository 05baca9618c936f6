// SA requests: `sas` (what control knows about each SA that the stats segment lacks), `clear-sa`
// (re-install manually keyed SAs fresh) and `keys` (the explicit key export).
#include <algorithm>
#include <ctime>
#include <set>

#include "control/event_log.h"
#include "control/key_export.h"
#include "control/mgmt_requests.h"
#include "control/policy_messages.h"
#include "sadb/mgmt_protocol.h"
#include "sadb/wire_text.h"

namespace espgw::control {
namespace {

using wire::addr_text;

const CryptoMapEntry* entry_of(const Config& cfg, const wire::Sa& sa) {
    const std::string map(sa.map_name, strnlen(sa.map_name, sizeof sa.map_name));
    for (const CryptoMapEntry& e : cfg.crypto_maps)
        if (e.map == map && e.seq == sa.map_seq) return &e;
    return nullptr;
}

// The ACL line the SA's selector came from (AccessList::selector_line), quoted from the file as
// the ASA quotes it.
Json acl_json(const ControlState& st, const CryptoMapEntry* e) {
    const AccessList* acl = e ? st.config.find_acl(e->match_acl) : nullptr;
    if (!acl) return nullptr;
    const AclEntry* a = acl->selector_line();
    if (!a) return {{"name", acl->name}};
    std::string text = st.config_line(a->line);
    text.erase(0, text.find_first_not_of(" \t"));
    return {{"name", acl->name}, {"line", a->line}, {"text", text}};
}

std::string interface_of(const Config& cfg, const wire::Sa& sa) {
    for (const InterfaceConfig& i : cfg.interfaces)
        if (i.dpdk_port && *i.dpdk_port == sa.port) return i.name;
    return "";
}

Json transform_json(const ControlState& st, const CryptoMapEntry* e) {
    if (!e || e->transform_sets.empty()) return nullptr;
    const TransformSet* ts = st.config.find_transform_set(e->transform_sets.front());
    if (!ts) return nullptr;
    std::string text;
    for (const std::string& t : ts->transforms)
        text += (text.empty() ? "" : " ") + t;
    return {{"name", ts->name}, {"text", text}};
}

Json sa_json(const ControlState& st, const CompiledSa& c) {
    const wire::Sa& s = c.sa;
    const CryptoMapEntry* e = entry_of(st.config, s);
    const auto at = st.installed_at.find(s.conn_id);
    return {{"conn_id", s.conn_id},
            {"pair_conn_id", s.pair_conn_id},
            {"direction", s.direction == wire::Direction::kInbound ? "inbound" : "outbound"},
            {"spi", s.spi},
            {"map", std::string(s.map_name, strnlen(s.map_name, sizeof s.map_name))},
            {"map_seq", s.map_seq},
            {"interface", interface_of(st.config, s)},
            {"local", addr_text(s.local)},
            {"peer", addr_text(s.peer)},
            {"acl", acl_json(st, e)},
            {"transform_set", transform_json(st, e)},
            {"keying", "manual"},
            {"config_line", c.line},
            {"lifetime_seconds", c.lifetime_seconds},
            {"lifetime_kilobytes", s.hard_bytes / 1024},
            {"installed_at", at == st.installed_at.end() ? 0 : at->second},
            {"replay_window", s.replay_window}};
}

MgmtReply sas(const ControlState& st) {
    Json list = Json::array();
    for (const CompiledSa& c : st.policy.sas)
        list.push_back(sa_json(st, c));
    return MgmtReply::of({{"now", std::time(nullptr)}, {"sas", std::move(list)}});
}

// --- clear-sa ---------------------------------------------------------------------------------

// The SAs a `clear crypto sa` selection names. A tunnel is cleared whole: an SPI selects both
// directions of its crypto map entry.
std::vector<const CompiledSa*> select(const ControlState& st, const Json& req, std::string* error) {
    std::set<std::pair<std::string, uint32_t>> entries;  // (map, seq)
    for (const CompiledSa& c : st.policy.sas) {
        const wire::Sa& s = c.sa;
        const std::string map(s.map_name, strnlen(s.map_name, sizeof s.map_name));
        bool hit = req.contains("all");
        if (req.contains("peer")) hit = addr_text(s.peer) == req["peer"].get<std::string>();
        if (req.contains("map")) hit = map == req["map"].get<std::string>();
        if (req.contains("spi")) hit = s.spi == req["spi"].get<uint32_t>();
        if (hit) entries.insert({map, s.map_seq});
    }
    if (!req.contains("all") && !req.contains("peer") && !req.contains("map") &&
        !req.contains("spi"))
        *error = "clear-sa needs one of: all, peer, map, spi";
    std::vector<const CompiledSa*> out;
    for (const CompiledSa& c : st.policy.sas) {
        const std::string map(c.sa.map_name, strnlen(c.sa.map_name, sizeof c.sa.map_name));
        if (entries.count({map, c.sa.map_seq})) out.push_back(&c);
    }
    return out;
}

std::vector<wire::Msg> reinstall_messages(const std::vector<const CompiledSa*>& sas,
                                          uint64_t generation) {
    MessageWriter w(generation, sas.size() + 2);
    w.begin(false);
    for (const CompiledSa* c : sas) {
        wire::Sa fresh = c->sa;
        fresh.flags |= wire::kSaFlagReinstall;
        w.sa_add(fresh);
        OPENSSL_cleanse(&fresh, sizeof fresh);
    }
    w.commit();
    return w.take();
}

Json cleared_json(const CompiledSa& c) {
    return {{"conn_id", c.sa.conn_id},
            {"spi", c.sa.spi},
            {"direction", c.sa.direction == wire::Direction::kInbound ? "inbound" : "outbound"},
            {"peer", addr_text(c.sa.peer)},
            {"replay_window", c.sa.replay_window}};
}

MgmtReply clear_sa(ControlState& st, const Json& req) {
    std::string error;
    const std::vector<const CompiledSa*> sas = select(st, req, &error);
    if (!error.empty()) return MgmtReply::fail(error);
    Json list = Json::array();
    bool replay = false;
    if (!sas.empty()) {
        const uint64_t gen = st.generation + 1;
        if (!st.apply(reinstall_messages(sas, gen), gen, "clear crypto sa"))
            return MgmtReply::fail(
                "the dataplane did not apply the re-installation (see the "
                "control log)");
        const std::time_t now = std::time(nullptr);
        for (const CompiledSa* c : sas) {
            st.installed_at[c->sa.conn_id] = now;
            list.push_back(cleared_json(*c));
            replay = replay || c->sa.replay_window != 0;
            if (st.events) {  // the SA is replaced by a fresh one: deleted, created (event_log.h)
                st.events->sa_deleted(c->sa, "clear crypto sa");
                st.events->sa_created(c->sa, c->lifetime_seconds, "clear crypto sa");
            }
        }
    }
    return MgmtReply::of({{"cleared", sas.size()}, {"sas", list}, {"manual_replay", replay}});
}

// --- keys -------------------------------------------------------------------------------------

Json keys_json(const CompiledSa& c, const CryptoMapEntry& e) {
    const bool in = c.sa.direction == wire::Direction::kInbound;
    const SessionKey& k = in ? *e.inbound : *e.outbound;
    return {{"conn_id", c.sa.conn_id},
            {"spi", c.sa.spi},
            {"direction", in ? "inbound" : "outbound"},
            {"src", addr_text(in ? c.sa.peer : c.sa.local)},
            {"dst", addr_text(in ? c.sa.local : c.sa.peer)},
            {"cipher", c.sa.cipher},
            {"integrity", c.sa.integrity},
            {"udp_encap", c.sa.udp_encap != 0},
            {"esn", c.sa.esn != 0},
            {"cipher_key", export_key_hex(k.cipher_key)},
            {"auth_key", export_key_hex(k.auth_key)}};
}

MgmtReply keys(const ControlState& st) {
    Json list = Json::array();
    for (const CompiledSa& c : st.policy.sas) {
        const CryptoMapEntry* e = entry_of(st.config, c.sa);
        if (e && e->inbound && e->outbound) list.push_back(keys_json(c, *e));
    }
    st.log("CRYPTO-5-KEY_EXPORT", "session keys of " + std::to_string(list.size()) +
                                      " SA(s) exported to the management socket");
    MgmtReply r = MgmtReply::of({{"sas", std::move(list)}});
    r.secret = true;
    return r;
}

}  // namespace

void register_sa_requests(MgmtServer& server, ControlState& state) {
    namespace proto = sadb::mgmt;
    server.handle(proto::kReqSas, [&state](const Json&, ClientId) { return sas(state); });
    server.handle(proto::kReqClearSa,
                  [&state](const Json& req, ClientId) { return clear_sa(state, req); });
    server.handle(proto::kReqKeys, [&state](const Json&, ClientId) { return keys(state); });
}

}  // namespace espgw::control
