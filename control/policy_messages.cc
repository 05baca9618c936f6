// A compiled policy as ring messages (sadb/wire.h): one configuration transaction.
#include "control/policy_messages.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "control/policy_compiler.h"

namespace espgw::control {

void MessageWriter::begin(bool full) {
    wire::ConfigBegin b{};
    b.full = full ? 1 : 0;
    add(wire::MsgType::kConfigBegin, b, &wire::Msg::Body::begin);
}

void MessageWriter::commit() {
    add(wire::MsgType::kConfigCommit, wire::Commit{generation_}, &wire::Msg::Body::commit);
}

void MessageWriter::globals(const wire::Globals& g) {
    add(wire::MsgType::kGlobals, g, &wire::Msg::Body::globals);
}

void MessageWriter::interface(const wire::Interface& i) {
    add(wire::MsgType::kInterface, i, &wire::Msg::Body::interface);
}

void MessageWriter::interface_delete(const wire::Interface& i) {
    add(wire::MsgType::kInterfaceDelete, i, &wire::Msg::Body::interface);
}

void MessageWriter::sa_add(const wire::Sa& sa) {
    add(wire::MsgType::kSaAdd, sa, &wire::Msg::Body::sa);
}

void MessageWriter::sa_delete(const wire::Sa& sa) {
    wire::SaRef ref{};
    ref.spi = sa.spi;
    ref.conn_id = sa.conn_id;
    ref.direction = sa.direction;
    add(wire::MsgType::kSaDelete, ref, &wire::Msg::Body::sa_ref);
}

// The snapshot is always sent as at least one message, so an empty SPD replaces a full one.
void MessageWriter::spd(const std::vector<wire::SpdRule>& rules) {
    size_t i = 0;
    do {
        wire::Msg m{};
        wire::set_header<wire::SpdRules>(m, wire::MsgType::kSpdRules, generation_);
        const size_t n = std::min(wire::kSpdRulesPerMsg, rules.size() - i);
        m.body.spd.count = static_cast<uint32_t>(n);
        std::copy_n(rules.begin() + static_cast<long>(i), n, m.body.spd.rules);
        out_.push_back(m);
        i += n;
    } while (i < rules.size());
}

void MessageWriter::route(const wire::Route& r, bool add_it) {
    add(add_it ? wire::MsgType::kRouteAdd : wire::MsgType::kRouteDelete, r,
        &wire::Msg::Body::route);
}

void MessageWriter::neighbor(const wire::Neighbor& n, bool add_it) {
    add(add_it ? wire::MsgType::kNeighborAdd : wire::MsgType::kNeighborDelete, n,
        &wire::Msg::Body::neighbor);
}

std::vector<wire::Msg> to_messages(const CompiledPolicy& p, uint64_t generation, bool full) {
    const size_t spd_msgs = p.spd.size() / wire::kSpdRulesPerMsg + 1;
    MessageWriter w(generation, 4 + p.interfaces.size() + p.sas.size() + spd_msgs +
                                    p.routes.size() + p.neighbors.size());
    w.begin(full);
    w.globals(p.globals);
    for (const wire::Interface& i : p.interfaces)
        w.interface(i);
    for (const CompiledSa& s : p.sas)
        w.sa_add(s.sa);
    w.spd(p.spd);
    for (const wire::Route& r : p.routes)
        w.route(r, true);
    for (const wire::Neighbor& n : p.neighbors)
        w.neighbor(n, true);
    w.commit();
    return w.take();
}

void wipe_keys(std::span<wire::Msg> msgs) {
    for (wire::Msg& m : msgs) {
        if (m.hdr.type != wire::MsgType::kSaAdd) continue;
        OPENSSL_cleanse(m.body.sa.cipher_key, sizeof(m.body.sa.cipher_key));
        OPENSSL_cleanse(m.body.sa.auth_key, sizeof(m.body.sa.auth_key));
    }
}

}  // namespace espgw::control
