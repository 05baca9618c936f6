#include "dataplane/control_endpoint.h"

#include <openssl/crypto.h>
#include <rte_ethdev.h>

#include <cstring>

#include "dataplane/resource_publish.h"
#include "dataplane/spd_inbound.h"
#include "dataplane/wire_convert.h"

namespace espgw::dataplane {
namespace {

namespace wire = sadb::wire;

void append_error(std::string* first, const std::string& e) {
    if (first->empty()) *first = e;
}

// A host-order IPv4 address (ToMain) as the ring protocol's address.
wire::Addr wire_v4(uint32_t a) {
    wire::Addr w{};
    w.version = 4;
    w.bytes[0] = static_cast<uint8_t>(a >> 24);
    w.bytes[1] = static_cast<uint8_t>(a >> 16);
    w.bytes[2] = static_cast<uint8_t>(a >> 8);
    w.bytes[3] = static_cast<uint8_t>(a);
    return w;
}

std::string ipv4_text(uint32_t a) {
    return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
           std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
}

}  // namespace

void ControlEndpoint::Txn::wipe() {
    for (wire::Sa& s : sa_add)
        OPENSSL_cleanse(&s, sizeof s);
    *this = Txn{};
}

ControlEndpoint::ControlEndpoint(Dataplane& dp, void* base, crypto::MbManager& mgr,
                                 bool main_forwards, ServicesCtx& services)
    : dp_(dp),
      hdr_(static_cast<sadb::RingRegionHeader*>(base)),
      cmd_(reinterpret_cast<rte_ring*>(static_cast<uint8_t*>(base) + hdr_->cmd_off)),
      evt_(reinterpret_cast<rte_ring*>(static_cast<uint8_t*>(base) + hdr_->evt_off)),
      mgr_(mgr),
      main_forwards_(main_forwards),
      services_(services),
      capture_(dp, [this] { synchronize(); }) {
    acquire_retry_ = rte_get_tsc_hz() * 30;
}

ControlEndpoint::~ControlEndpoint() {
    txn_.wipe();
}

uint32_t ControlEndpoint::poll() {
    uint32_t n = 0;
    wire::Msg m;
    while (n < 256 && sadb::ring_take_and_wipe(cmd_, &m)) {
        handle(m);
        OPENSSL_cleanse(&m, sizeof m);  // keys leave no copy behind
        ++n;
    }
    std::optional<wire::CaptureStatus> ended;  // a capture that reached a limit: tell control
    n += capture_.poll(&ended);
    if (ended) send_capture_status(*ended);
    return n;
}

void ControlEndpoint::handle(wire::Msg& m) {
    if (!wire::header_ok(m)) return;
    switch (m.hdr.type) {
        case wire::MsgType::kHello:
            hdr_->control_pid.store(m.body.hello.pid);
            return;
        case wire::MsgType::kConfigBegin:
            txn_.wipe();
            txn_.open = true;
            txn_.full = m.body.begin.full != 0;
            txn_.generation = m.hdr.generation;
            return;
        case wire::MsgType::kConfigCommit:
            return commit(m.body.commit.generation);
        case wire::MsgType::kSendPacket:
            return send_frame(services_, m.body.packet, dp_.n_ports);
        case wire::MsgType::kResyncRequest:
            return resync();
        case wire::MsgType::kSaExpire:
            return expire_sa(m.body.sa_ref);
        case wire::MsgType::kCaptureStart:
        case wire::MsgType::kCaptureStop:
        case wire::MsgType::kCaptureQuery:
            return answer_capture(m);
        default:
            return collect(m);
    }
}

void ControlEndpoint::collect(const wire::Msg& m) {
    if (!txn_.open) return;  // objects outside a transaction are ignored
    const wire::Msg::Body& b = m.body;
    switch (m.hdr.type) {
        case wire::MsgType::kInterface:
            txn_.ifaces.push_back(b.interface);
            break;
        case wire::MsgType::kInterfaceDelete:
            txn_.iface_del.push_back(b.interface);
            break;
        case wire::MsgType::kGlobals:
            txn_.globals = b.globals;
            break;
        case wire::MsgType::kSaAdd:
            txn_.sa_add.push_back(b.sa);
            break;
        case wire::MsgType::kSaDelete:
            txn_.sa_del.push_back(b.sa_ref);
            break;
        case wire::MsgType::kSpdRules:
            txn_.spd = true;
            for (uint32_t k = 0; k < b.spd.count && k < wire::kSpdRulesPerMsg; ++k)
                txn_.spd_rules.push_back(b.spd.rules[k]);
            break;
        case wire::MsgType::kRouteAdd:
            txn_.route_add.push_back(b.route);
            break;
        case wire::MsgType::kRouteDelete:
            txn_.route_del.push_back(b.route);
            break;
        case wire::MsgType::kNeighborAdd:
            txn_.nb_add.push_back(b.neighbor);
            break;
        case wire::MsgType::kNeighborDelete:
            txn_.nb_del.push_back(b.neighbor);
            break;
        default:
            break;
    }
}

// Deletes before adds: an interface readdressed, or another one moved onto its port, is a
// delete and an add of the same port in one transaction.
void ControlEndpoint::apply_interfaces(Policy& p, std::string* error) const {
    for (const wire::Interface& w : txn_.iface_del)
        if (w.port < kMaxPorts) p.ifaces[w.port] = Iface{};
    for (const wire::Interface& w : txn_.ifaces) {
        if (w.port >= kMaxPorts || w.port >= dp_.n_ports) {
            append_error(error, "interface " + wire::text_of(w.name) + ": no DPDK port " +
                                    std::to_string(w.port));
            continue;
        }
        Iface& i = p.ifaces[w.port];
        i = Iface{true,        w.outside != 0,
                  w.port,      ipv4_of(w.addr),
                  w.prefix,    w.mtu ? w.mtu : uint16_t{1500},
                  w.mss_clamp, dp_.macs[w.port],
                  {}};
        std::strncpy(i.name, w.name, sizeof i.name - 1);
    }
}

std::unique_ptr<Policy> ControlEndpoint::next_policy(std::string* error) {
    auto p = std::make_unique<Policy>();
    if (current_ && !txn_.full) {
        p->ifaces = current_->ifaces;
        p->globals = current_->globals;
    }
    p->generation = txn_.generation;
    if (txn_.globals) p->globals = *txn_.globals;
    apply_interfaces(*p, error);
    p->index_addresses();
    const bool spd = txn_.spd || txn_.full;
    if (!spd && current_ && current_->spd) {
        std::vector<wire::SpdRule> rules;
        for (uint32_t k = 0; k < current_->spd->size(); ++k)
            rules.push_back(current_->spd->rule(k));
        p->spd = SpdSnapshot::build(rules, "spd" + std::to_string(txn_.generation), 0, error);
    } else {
        p->spd =
            SpdSnapshot::build(txn_.spd_rules, "spd" + std::to_string(txn_.generation), 0, error);
    }
    if (!p->spd || !build_inbound_spd(*p, std::to_string(txn_.generation), error)) return nullptr;
    return p;
}

uint16_t ControlEndpoint::owner_for(const wire::Sa& w) const {
    // Both directions of a tunnel on one lcore; tunnels spread over the forwarding lcores.
    const uint32_t id = w.pair_conn_id != 0 ? std::min(w.conn_id, w.pair_conn_id) : w.conn_id;
    return static_cast<uint16_t>((id * 2654435761u >> 8) % dp_.lcores.size());
}

bool ControlEndpoint::unchanged(const wire::Sa& w) const {
    bool same = false;
    // A lookup, not a scan: a full configuration checks every SA (10,000 SAs took 6 s).
    dp_.sas->with(w.conn_id, [&](const SaInfo& info, const sadb::SaRuntime& rt) {
        wire::Sa a = info.meta, b = w;
        std::memset(a.cipher_key, 0, sizeof a.cipher_key);
        std::memset(a.auth_key, 0, sizeof a.auth_key);
        std::memset(b.cipher_key, 0, sizeof b.cipher_key);
        std::memset(b.auth_key, 0, sizeof b.auth_key);
        const crypto::SaCrypto& c = *rt.crypto;
        const size_t ck = crypto::cipher_info(c.cipher).key_len;
        same =
            std::memcmp(&a, &b, sizeof a) == 0 && c.cipher_key.size() == ck &&
            CRYPTO_memcmp(c.cipher_key.data(), w.cipher_key, ck) == 0 &&
            std::memcmp(c.salt, w.cipher_key + ck, crypto::cipher_info(c.cipher).salt_len) == 0 &&
            c.auth_key.size() == w.auth_key_len &&
            CRYPTO_memcmp(c.auth_key.data(), w.auth_key, w.auth_key_len) == 0;
        OPENSSL_cleanse(&b, sizeof b);
    });
    return same;
}

uint32_t ControlEndpoint::apply_sas(std::string* error) {
    uint32_t refused = 0;
    std::set<uint32_t> keep;
    for (wire::Sa& w : txn_.sa_add) {
        keep.insert(w.conn_id);
        const bool fresh = (w.flags & wire::kSaFlagReinstall) != 0;
        w.flags = 0;  // a request to this transaction, not a property of the SA
        if (!fresh && unchanged(w)) continue;  // a resent, identical SA keeps sequence and window
        std::string e;
        if (!dp_.sas->install(w, owner_for(w), mgr_.get(), &e)) {
            ++refused;
            append_error(error, e);
        }
    }
    // Control deletes the old SA of a tunnel whose SPI moved after adding the new one under the
    // same conn id; install() already replaced it, and removing by conn id would remove the new.
    for (const wire::SaRef& r : txn_.sa_del)
        if (!keep.count(r.conn_id)) dp_.sas->remove(r.conn_id);
    if (txn_.full) {
        std::vector<uint32_t> stale;
        dp_.sas->for_each([&](const SaInfo& i, const sadb::SaRuntime&) {
            if (!keep.count(i.conn_id)) stale.push_back(i.conn_id);
        });
        for (uint32_t id : stale)
            dp_.sas->remove(id);
    }
    return refused;
}

uint32_t ControlEndpoint::apply_routes(std::string* error) {
    uint32_t refused = 0;
    std::map<std::pair<uint32_t, uint8_t>, wire::Route> next =
        txn_.full ? decltype(routes_){} : routes_;
    for (const wire::Route& r : txn_.route_del)
        next.erase({ipv4_of(r.prefix), r.prefix_len});
    for (const wire::Route& r : txn_.route_add)
        next[{ipv4_of(r.prefix), r.prefix_len}] = r;
    for (const auto& [key, r] : routes_)
        if (!next.count(key)) dp_.routes->remove(key.first, key.second);
    for (const auto& [key, r] : next) {
        if (routes_.count(key) && std::memcmp(&routes_[key], &r, sizeof r) == 0) continue;
        const RouteStatus st = dp_.routes->add(r);
        if (st != RouteStatus::kOk) {
            ++refused;
            append_error(error, "route " + ipv4_text(key.first) + "/" + std::to_string(key.second) +
                                    ": " + route_status_label(st));
        }
    }
    routes_ = std::move(next);
    return refused;
}

uint32_t ControlEndpoint::apply_neighbors(std::string* error) {
    uint32_t refused = 0;
    std::set<uint32_t> next = txn_.full ? std::set<uint32_t>{} : static_neighbors_;
    for (const wire::Neighbor& n : txn_.nb_del)
        next.erase(ipv4_of(n.addr));
    for (const wire::Neighbor& n : txn_.nb_add) {
        const NeighborStatus st = dp_.neighbors->upsert(n);
        if (st != NeighborStatus::kOk) {
            ++refused;
            append_error(error,
                         "arp " + ipv4_text(ipv4_of(n.addr)) + ": " + neighbor_status_label(st));
        } else if (n.is_static) {
            next.insert(ipv4_of(n.addr));
        }
    }
    for (uint32_t ip : static_neighbors_)
        if (!next.count(ip)) dp_.neighbors->remove(ip);
    static_neighbors_ = std::move(next);
    return refused;
}

void ControlEndpoint::bind_rules(Policy& p) const {
    p.rule_slot.assign(p.spd->size(), kNoSlot);
    for (uint32_t k = 0; k < p.spd->size(); ++k) {
        const uint32_t id = p.spd->rule(k).sa_conn_id;
        if (id != 0) p.rule_slot[k] = dp_.sas->slot_of(id);
    }
}

void ControlEndpoint::synchronize() {
    // Every forwarding lcore passes a quiescent point after the swap before anything it might
    // still hold is freed (design.md: RCU).
    const uint64_t token = rte_rcu_qsbr_start(dp_.rcu);
    if (main_forwards_) rte_rcu_qsbr_quiescent(dp_.rcu, 0);
    rte_rcu_qsbr_check(dp_.rcu, token, true);
}

void ControlEndpoint::commit(uint64_t generation) {
    std::string error;
    if (!txn_.open || generation != txn_.generation) {
        ack(generation, 1, "commit without a matching begin");
        return txn_.wipe();
    }
    uint32_t refused = apply_sas(&error);
    refused += apply_routes(&error);
    refused += apply_neighbors(&error);
    std::unique_ptr<Policy> next = next_policy(&error);
    if (!next) {
        ack(generation, refused + 1, error);
        return txn_.wipe();
    }
    bind_rules(*next);
    dp_.policy.store(next.get(), std::memory_order_release);
    std::unique_ptr<Policy> previous = std::move(current_);
    current_ = std::move(next);
    if (txn_.full) dp_.forwarding.store(true);
    synchronize();
    previous.reset();
    dp_.sas->free_retired();
    publish_interfaces();
    publish_spd_rules(dp_.stats, current_->spd.get());
    generation_ = generation;
    sadb::shm_store(dp_.stats.header()->config_generation, generation);
    sadb::shm_store(dp_.stats.header()->forwarding, dp_.forwarding.load() ? 1u : 0u);
    acquired_.clear();
    ack(generation, refused, error);
    txn_.wipe();
}

// The interfaces as configured, for show commands and the exporter (stats segment).
void ControlEndpoint::publish_interfaces() {
    for (uint16_t p = 0; p < dp_.n_ports && p < kMaxPorts; ++p) {
        const Iface& i = current_->ifaces[p];
        sadb::PortStats* s = dp_.stats.port(p);
        sadb::seq_write_begin(&s->seq);
        s->configured = i.configured;
        s->prefix = i.prefix;
        s->mtu = i.mtu;
        s->mss_clamp = i.mss_clamp;
        s->outside = i.outside;
        s->addr = i.addr;
        std::memcpy(s->mac, dp_.macs[p].addr_bytes, 6);
        std::memcpy(s->ifname, i.name, sizeof s->ifname);
        if (!i.configured) {  // a removed interface keeps no description or crypto map
            std::memset(s->description, 0, sizeof s->description);
            std::memset(s->crypto_map, 0, sizeof s->crypto_map);
        }
        sadb::seq_write_end(&s->seq);
    }
    for (const wire::Interface& w : txn_.ifaces) {
        if (w.port >= dp_.n_ports || w.port >= kMaxPorts) continue;
        sadb::PortStats* s = dp_.stats.port(w.port);
        std::memcpy(s->description, w.description, sizeof s->description);
        std::memcpy(s->crypto_map, w.crypto_map, sizeof s->crypto_map);
    }
}

void ControlEndpoint::ack(uint64_t generation, uint32_t refused, const std::string& error) {
    wire::Msg m{};
    wire::set_header<wire::Ack>(m, wire::MsgType::kAck, generation);
    m.body.ack.generation = generation;
    m.body.ack.status = refused;
    std::strncpy(m.body.ack.error, error.c_str(), sizeof m.body.ack.error - 1);
    send(m);
}

bool ControlEndpoint::send(wire::Msg& m) {
    if (sadb::ring_put(evt_, m)) return true;
    ++events_lost_;
    return false;
}

bool ControlEndpoint::punt_packet(rte_mbuf* m) {
    if (hdr_->control_pid.load() == 0 || m->pkt_len > wire::kMaxPacket) return false;
    wire::Msg msg{};
    wire::set_header<wire::Packet>(msg, wire::MsgType::kPuntPacket, generation_);
    msg.body.packet.port = m->port;
    msg.body.packet.len = static_cast<uint16_t>(m->pkt_len);
    const void* p = rte_pktmbuf_read(m, 0, m->pkt_len, msg.body.packet.bytes);
    if (p != msg.body.packet.bytes) std::memcpy(msg.body.packet.bytes, p, m->pkt_len);
    if (!send(msg)) return false;
    rte_pktmbuf_free(m);
    return true;
}

void ControlEndpoint::forward(const ToMain& t) {
    wire::Msg m{};
    if (t.kind == ToMain::kSaEvent) {
        wire::set_header<wire::SaEvent>(m, wire::MsgType::kSaEvent, generation_);
        m.body.sa_event.type = static_cast<wire::SaEventType>(t.event_type);
        m.body.sa_event.direction = static_cast<wire::Direction>(t.port);
        m.body.sa_event.spi = t.spi;
        m.body.sa_event.conn_id = t.conn_id;
        send(m);
        return;
    }
    if (t.kind == ToMain::kDropSample) return forward_drop_sample(t);
    if (t.kind == ToMain::kAcquire) forward_acquire(t);
}

// Workers rate-limit per rule and lcore; here one ACQUIRE per rule goes to control until the
// retry time passes or a commit (which may have brought the SA) starts over.
void ControlEndpoint::forward_acquire(const ToMain& t) {
    const uint64_t now = rte_get_tsc_cycles();
    const auto [it, first] = acquired_.try_emplace(t.param, now);
    if (!first) {
        if (now - it->second < acquire_retry_) return;
        it->second = now;
    }
    wire::Msg m{};
    wire::set_header<wire::Acquire>(m, wire::MsgType::kAcquire, generation_);
    wire::Acquire& a = m.body.acquire;
    a.rule_id =
        current_ && t.param < current_->spd->size() ? current_->spd->rule(t.param).id : t.param;
    a.src = wire_v4(t.src);
    a.dst = wire_v4(t.dst);
    a.proto = t.proto;
    a.sport = t.sport;
    a.dport = t.dport;
    send(m);
}

// Control's timers (`lifetime seconds`, `idle-time`) stop an SA at once, outside any
// transaction: blocked like a hard byte limit (its packets count as sa_hard_expired). The
// event, raised only when this blocked it, tells control the stop took effect.
void ControlEndpoint::expire_sa(const wire::SaRef& r) {
    wire::Msg m{};
    wire::set_header<wire::SaEvent>(m, wire::MsgType::kSaEvent, generation_);
    wire::SaEvent& e = m.body.sa_event;
    e.type = r.reason == wire::SaEventType::kIdle ? r.reason : wire::SaEventType::kHardLifetime;
    const bool known = dp_.sas->with(r.conn_id, [&](const SaInfo& i, const sadb::SaRuntime&) {
        e.direction = i.meta.direction;
        e.spi = i.meta.spi;
    });
    e.conn_id = r.conn_id;
    if (known && dp_.sas->expire(r.conn_id)) send(m);
}

void ControlEndpoint::forward_drop_sample(const ToMain& t) {
    const auto v4 = wire_v4;
    wire::Msg m{};
    wire::set_header<wire::DropSample>(m, wire::MsgType::kDropSample, generation_);
    wire::DropSample& d = m.body.drop;
    d.reason = t.event_type;
    d.direction = static_cast<wire::Direction>(t.direction == 0 ? 0 : 1);
    d.port = t.port;
    d.spi = t.spi;
    d.conn_id = t.conn_id;
    d.seq = t.seq;
    d.src = v4(t.src);
    d.dst = v4(t.dst);
    d.inner_proto = t.inner_proto != 0 ? t.inner_proto : t.proto;
    if (t.inner_src != 0) {
        d.inner_src = v4(t.inner_src);
        d.inner_dst = v4(t.inner_dst);
    }
    send(m);
}

void ControlEndpoint::answer_capture(const wire::Msg& m) {
    std::vector<wire::CaptureStatus> replies;
    if (m.hdr.type == wire::MsgType::kCaptureStart) {
        replies = capture_.start(m.body.capture_start);
    } else if (m.hdr.type == wire::MsgType::kCaptureStop) {
        replies = capture_.stop(m.body.capture_ref);
    } else {
        replies = capture_.query(m.body.capture_ref);
    }
    for (const wire::CaptureStatus& s : replies)
        send_capture_status(s);
}

void ControlEndpoint::send_capture_status(const wire::CaptureStatus& s) {
    wire::Msg m{};
    wire::set_header<wire::CaptureStatus>(m, wire::MsgType::kCaptureStatus, generation_);
    m.body.capture_status = s;
    send(m);
}

void ControlEndpoint::resync() {
    dp_.sas->for_each([&](const SaInfo& info, const sadb::SaRuntime&) {
        wire::Msg m{};
        wire::set_header<wire::Sa>(m, wire::MsgType::kStateSa, generation_);
        m.body.sa = info.meta;  // keys were wiped when it was installed
        send(m);
    });
    wire::Msg end{};
    wire::set_header<wire::Commit>(end, wire::MsgType::kStateEnd, generation_);
    end.body.commit.generation = generation_;
    send(end);
}

}  // namespace espgw::dataplane
