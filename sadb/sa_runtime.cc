#include "sadb/sa_runtime.h"

#include <algorithm>
#include <cstring>

#include "sadb/header_template.h"
#include "sadb/spd_match.h"

namespace espgw::sadb {
namespace {

uint64_t limit(uint64_t v) {
    return v == 0 ? kUnlimited : v;
}

bool check_config(const SaConfig& cfg, std::string* error) {
    if (cfg.spi < 256) {
        *error = "SPI " + std::to_string(cfg.spi) + " is reserved (RFC 4303 §2.1: 1-255)";
        return false;
    }
    if (!ReplayWindow::valid_size(cfg.replay_window)) {
        *error = "replay window " + std::to_string(cfg.replay_window) +
                 " out of range (0 = off, or 32..4096)";
        return false;
    }
    const Selector& sel = cfg.selector;
    if (!prefix_ok(sel.local.version, sel.local_prefix) ||
        !prefix_ok(sel.remote.version, sel.remote_prefix)) {
        *error = "selector " + sel.local.to_string() + "/" + std::to_string(sel.local_prefix) +
                 " <-> " + sel.remote.to_string() + "/" + std::to_string(sel.remote_prefix) +
                 ": prefix length out of range";
        return false;
    }
    if (cfg.mode == Mode::kTunnel &&
        (cfg.local.version == 0 || cfg.local.version != cfg.peer.version)) {
        *error = "tunnel mode needs local and peer addresses of the same IP version";
        return false;
    }
    return true;
}

SaRuntime::InnerPolicy compile_inner(const Selector& sel) {
    SaRuntime::InnerPolicy p{};
    p.any = sel.local.version != 4 || sel.remote.version != 4;
    p.src_mask = ipv4_mask(sel.remote_prefix);
    p.src_net = sel.remote.v4_host() & p.src_mask;
    p.dst_mask = ipv4_mask(sel.local_prefix);
    p.dst_net = sel.local.v4_host() & p.dst_mask;
    p.proto = sel.proto;
    if (!spd_mirror_swaps_ports(sel.proto)) {
        // One selector for both directions, kept in the local (source) range: the arriving
        // message's type and code must lie in it (sadb/spd_match.h).
        p.sport_lo = sel.local_port_lo;
        p.sport_hi = sel.local_port_hi;
        p.dport_lo = 0;
        p.dport_hi = 0xffff;
        return p;
    }
    p.sport_lo = sel.remote_port_lo;
    p.sport_hi = sel.remote_port_hi;
    p.dport_lo = sel.local_port_lo;
    p.dport_hi = sel.local_port_hi;
    return p;
}

uint8_t flags_of(const SaConfig& cfg) {
    uint8_t f = 0;
    if (cfg.esn) f |= kFlagEsn;
    if (cfg.udp_encap.enabled) f |= kFlagUdpEncap;
    if (cfg.mode == Mode::kTransport) f |= kFlagTransport;
    if (cfg.mode == Mode::kTunnel && cfg.local.version == 6) f |= kFlagOuterV6;
    return f;
}

}  // namespace

SaRuntimePtr build_sa_runtime(const SaConfig& cfg, IMB_MGR* mgr, std::string* error,
                              SaCounters* counters, std::pmr::memory_resource* mr) {
    if (!check_config(cfg, error)) return nullptr;
    crypto::SaCryptoPtr cr = crypto::make_sa_crypto(
        cfg.cipher, cfg.integrity, cfg.cipher_key.span(), cfg.auth_key.span(), mgr, error, mr);
    if (!cr) return nullptr;
    const uint32_t window = cfg.direction == Direction::kInbound ? cfg.replay_window : 0;
    SaRuntimePtr sa = crypto::pmr_new<SaRuntime>(mr, [&](void* mem) {
        return new (mem) SaRuntime{.replay = ReplayWindow(window, cfg.esn, mr)};
    });
    sa->crypto = cr.get();
    sa->spi = cfg.spi;
    sa->sa_id = cfg.conn_id;
    sa->seq = 0;
    sa->lifetime = {limit(cfg.lifetime.soft_bytes), limit(cfg.lifetime.hard_bytes),
                    limit(cfg.lifetime.soft_packets), limit(cfg.lifetime.hard_packets)};
    sa->next_limit_bytes = std::min(sa->lifetime.soft_bytes, sa->lifetime.hard_bytes);
    sa->next_limit_packets = std::min(sa->lifetime.soft_packets, sa->lifetime.hard_packets);
    sa->flags = flags_of(cfg);
    sa->direction = cfg.direction;
    sa->df = cfg.df;
    sa->ttl = cfg.ttl;
    sa->iv_len = cr->iv_len;
    sa->block_len = cr->block_len;
    sa->icv_len = cr->icv_len;
    sa->copy_dscp = cfg.copy_dscp;
    const HeaderTemplate t = build_header_template(cfg);
    std::memcpy(sa->hdr, t.bytes, sizeof sa->hdr);
    sa->hdr_len = t.len;
    sa->ip_hdr_len = t.ip_len;
    // Per-packet fields (length, ID, DS, copied DF, checksum) are zero in the template, so the
    // outer checksum is this sum plus those fields (dataplane/esp_encap.cc).
    for (uint8_t k = 0; t.ip_len == 20 && k < 20; k += 2)
        sa->hdr_sum += (uint32_t{t.bytes[k]} << 8) | t.bytes[k + 1];
    sa->path_mtu = cfg.path_mtu;
    sa->port = cfg.port;
    sa->inner = compile_inner(cfg.selector);
    sa->crypto_owner = std::move(cr);
    if (counters == nullptr) {
        sa->own_counters = crypto::pmr_make<SaCounters>(mr);
        counters = sa->own_counters.get();
    }
    *counters = SaCounters{};
    sa->counters = counters;
    return sa;
}

}  // namespace espgw::sadb
