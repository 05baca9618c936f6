// The two SAs of each manually keyed crypto map entry (`crypto map NAME SEQ ipsec-manual`).
// IKE entries are left to the IKE engine (a later issue).
#include <algorithm>
#include <tuple>

#include "control/compiler_internal.h"
#include "control/conn_id.h"
#include "control/key_length.h"
#include "control/wire_convert.h"

namespace espgw::control {
namespace {

using crypto::CipherFamily;

std::string entry_name(const CryptoMapEntry& e) {
    return "crypto map " + e.map + " " + std::to_string(e.seq);
}

// The parts of a manual entry, found and checked; nullopt (with an error) when incomplete. The
// validator already said what is missing, so one error per entry suffices here.
struct ManualParts {
    const InterfaceConfig* itf;
    const TransformSet* ts;
    wire::Selector selector;  // of the ACL's selector_line(), local side as source
};

bool keys_fit(const CryptoMapEntry& e, const TransformSet& ts) {
    return e.inbound && e.outbound && check_key_lengths(*e.inbound, ts).empty() &&
           check_key_lengths(*e.outbound, ts).empty();
}

// The interface whose address is the tunnel's local endpoint.
const InterfaceConfig* tunnel_interface(CompileContext& ctx, const CryptoMapEntry& e) {
    const InterfaceConfig* itf = ctx.interface_of_map(e.map);
    if (!itf) {
        ctx.warning(e.line,
                    "crypto map " + e.map + " is not applied to a usable interface: " +
                        entry_name(e) + " not installed",
                    "add crypto map " + e.map + " under an interface with dpdk-port N");
        return nullptr;
    }
    if (itf->address_kind == AddressKind::kStatic) return itf;
    ctx.error(e.line, entry_name(e) + ": interface " + itf->name +
                          " has no address for the tunnel endpoint");
    return nullptr;
}

std::optional<ManualParts> manual_parts(CompileContext& ctx, const CryptoMapEntry& e) {
    const InterfaceConfig* itf = tunnel_interface(ctx, e);
    if (!itf) return std::nullopt;
    const TransformSet* ts =
        e.transform_sets.size() == 1 ? ctx.cfg.find_transform_set(e.transform_sets[0]) : nullptr;
    const AccessList* acl = ctx.cfg.find_acl(e.match_acl);
    const AclEntry* permit = acl ? acl->selector_line() : nullptr;
    if (e.peers.size() != 1 || !ts || !permit || !keys_fit(e, *ts)) {
        ctx.error(e.line, entry_name(e) + " is incomplete or invalid: not installed",
                  permit || e.match_acl.empty()
                      ? "see the errors of its lines"
                      : "access list " + e.match_acl +
                            " has no permit line without 'fragments': it selects no traffic");
        return std::nullopt;
    }
    const auto selectors = entry_selectors(*permit);
    if (!selectors) {
        ctx.error(permit->line, "wildcard mask is not contiguous: cannot be a traffic selector");
        return std::nullopt;
    }
    return ManualParts{itf, ts, selectors->front()};
}

// Anti-replay needs an ICV to trust the sequence number (RFC 4303 §3.4.3): SAs without
// integrity get none, as IOS shows "replay detection support: N".
uint32_t replay_window(const Config& cfg, const CryptoMapEntry& e, const TransformSet& ts) {
    const bool aead = crypto::cipher_info(ts.cipher).family == CipherFamily::kGcm;
    if (!aead && ts.integrity == crypto::Integrity::kNone) return 0;
    if (e.replay_window) return *e.replay_window;
    if (cfg.ipsec.replay_disabled) return 0;
    return cfg.ipsec.replay_window.value_or(kDefaultReplayWindow);
}

// IOS never expires manually keyed SAs: the lifetimes apply to IKE SAs only. espgw applies a
// lifetime or an idle time to a manual SA only when one is configured (entry, else global), and
// warns: there is no rekey, the tunnel stops when it runs out (control's timers, sa_timers.h).
void lifetimes(CompileContext& ctx, const CryptoMapEntry& e, CompiledSa* c) {
    const IpsecGlobals& g = ctx.cfg.ipsec;
    c->idle_seconds = e.idle_time ? *e.idle_time : g.idle_time.value_or(0);
    const auto kb = e.lifetime_kilobytes ? e.lifetime_kilobytes : g.lifetime_kilobytes;
    const auto seconds = e.lifetime_seconds ? e.lifetime_seconds : g.lifetime_seconds;
    if (!kb && !seconds) return;
    if (kb) {
        c->sa.hard_bytes = *kb * 1024;
        c->sa.soft_bytes = c->sa.hard_bytes - c->sa.hard_bytes / 10;  // warn at 90 %
    }
    c->lifetime_seconds = seconds.value_or(0);
}

std::string stop_reason(const CompiledSa& c) {
    const bool lifetime = c.sa.hard_bytes || c.lifetime_seconds;
    if (lifetime && c.idle_seconds) return "at the configured lifetime or idle-time";
    return lifetime ? "at the configured lifetime" : "after the configured idle-time";
}

void fill_keys(const SessionKey& k, wire::Sa* sa) {
    std::copy(k.cipher_key.span().begin(), k.cipher_key.span().end(), sa->cipher_key);
    std::copy(k.auth_key.span().begin(), k.auth_key.span().end(), sa->auth_key);
    sa->cipher_key_len = static_cast<uint8_t>(k.cipher_key.size());
    sa->auth_key_len = static_cast<uint8_t>(k.auth_key.size());
}

void fill_transform(const TransformSet& ts, wire::Sa* sa) {
    sa->mode = ts.mode == IpsecMode::kTunnel ? wire::Mode::kTunnel : wire::Mode::kTransport;
    sa->cipher = static_cast<uint8_t>(ts.cipher);
    sa->integrity = static_cast<uint8_t>(ts.integrity);
}

void fill_path(const Config& cfg, const InterfaceConfig& itf, wire::Sa* sa) {
    sa->df = static_cast<wire::DfPolicy>(itf.df_bit.value_or(cfg.ipsec.df_bit));
    sa->copy_dscp = 1;
    sa->ttl = kDefaultTtl;
    sa->path_mtu = itf.mtu.value_or(kDefaultMtu);
    sa->port = *itf.dpdk_port;
    if (!cfg.ipsec.udp_encapsulation) return;
    sa->udp_encap = 1;
    sa->udp_local_port = sa->udp_peer_port = kNatTPort;
}

CompiledSa build_sa(CompileContext& ctx, const CryptoMapEntry& e, const ManualParts& p,
                    bool inbound) {
    const SessionKey& key = inbound ? *e.inbound : *e.outbound;
    CompiledSa c;
    c.line = key.line;
    wire::Sa& sa = c.sa;
    sa.spi = key.spi;
    sa.direction = inbound ? wire::Direction::kInbound : wire::Direction::kOutbound;
    fill_transform(*p.ts, &sa);
    fill_keys(key, &sa);
    fill_path(ctx.cfg, *p.itf, &sa);
    sa.replay_window = replay_window(ctx.cfg, e, *p.ts);
    lifetimes(ctx, e, &c);
    sa.local = to_wire_addr(p.itf->address);
    sa.peer = to_wire_addr(e.peers[0]);
    sa.selector = p.selector;
    if (!copy_name(sa.map_name, e.map))
        ctx.error(e.line, "crypto map name longer than 31 characters");
    sa.map_seq = e.seq;
    return c;
}

// Entries in a stable order, so conn ids are allocated the same way on every compilation.
std::vector<const CryptoMapEntry*> manual_entries(CompileContext& ctx) {
    std::vector<const CryptoMapEntry*> v;
    for (const CryptoMapEntry& e : ctx.cfg.crypto_maps) {
        if (e.kind == MapKind::kManual)
            v.push_back(&e);
        else
            ctx.warning(e.line,
                        entry_name(e) + " needs IKE, which is not implemented yet: not installed");
    }
    std::sort(v.begin(), v.end(),
              [](auto* a, auto* b) { return std::tie(a->map, a->seq) < std::tie(b->map, b->seq); });
    return v;
}

}  // namespace

std::vector<CompiledSa> compile_sas(CompileContext& ctx, std::vector<InstalledEntry>* installed) {
    std::vector<CompiledSa> out;
    ConnIdAllocator ids;
    for (const CryptoMapEntry* e : manual_entries(ctx)) {
        const auto parts = manual_parts(ctx, *e);
        if (!parts) continue;
        CompiledSa in = build_sa(ctx, *e, *parts, true);
        CompiledSa outb = build_sa(ctx, *e, *parts, false);
        in.sa.conn_id = outb.sa.pair_conn_id = ids.allocate(e->map, e->seq, true);
        outb.sa.conn_id = in.sa.pair_conn_id = ids.allocate(e->map, e->seq, false);
        if (in.sa.hard_bytes || in.lifetime_seconds || in.idle_seconds)
            ctx.warning(e->line,
                        entry_name(*e) + ": manually keyed SAs are not rekeyed; they stop " +
                            stop_reason(in) + " and stay down until reinstalled",
                        "IOS ignores SA lifetimes and idle-time for ipsec-manual entries");
        installed->push_back({e, parts->itf, outb.sa.conn_id});
        out.push_back(std::move(in));
        out.push_back(std::move(outb));
    }
    return out;
}

}  // namespace espgw::control
