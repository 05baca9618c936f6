#include "control/policy_diff.h"

#include <algorithm>

#include "control/policy_messages.h"
#include "control/wire_compare.h"

namespace espgw::control {
namespace {

// Objects of `from` that have no equal object in `against`: removed (from old) or added (from
// next). An object whose key stays but whose fields change is in both lists.
template <typename T>
std::vector<T> missing_from(const std::vector<T>& from, const std::vector<T>& against) {
    std::vector<T> out;
    for (const T& x : from)
        if (std::none_of(against.begin(), against.end(), [&](const T& y) { return same(x, y); }))
            out.push_back(x);
    return out;
}

void diff_sas(const CompiledPolicy& old, const CompiledPolicy& next, PolicyDiff* d) {
    for (const CompiledSa& n : next.sas) {
        const CompiledSa* o = old.find_sa(n.sa.conn_id);
        if (!o)
            d->sas_added.push_back(n);
        else if (!same(o->sa, n.sa) || o->lifetime_seconds != n.lifetime_seconds ||
                 o->idle_seconds != n.idle_seconds)
            d->sas_changed.push_back({*o, n});
    }
    for (const CompiledSa& o : old.sas)
        if (!next.find_sa(o.sa.conn_id)) d->sas_removed.push_back(o);
}

bool same_spd(const std::vector<wire::SpdRule>& a, const std::vector<wire::SpdRule>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const wire::SpdRule& x, const wire::SpdRule& y) { return same(x, y); });
}

// kSaAdd replaces an SA with the same direction and SPI; one whose SPI moved is a new SA, and
// the old one is deleted.
bool spi_moved(const SaChange& c) {
    return c.before.sa.spi != c.after.sa.spi || c.before.sa.direction != c.after.sa.direction;
}

size_t message_count(const PolicyDiff& d) {
    return 4 + d.interfaces_added.size() + d.interfaces_removed.size() + d.sas_added.size() +
           2 * d.sas_changed.size() + d.sas_removed.size() + d.spd.size() / wire::kSpdRulesPerMsg +
           1 + d.routes_added.size() + d.routes_removed.size() + d.neighbors_added.size() +
           d.neighbors_removed.size();
}

void sa_messages(const PolicyDiff& d, MessageWriter* w) {
    for (const CompiledSa& s : d.sas_added)
        w->sa_add(s.sa);
    for (const SaChange& c : d.sas_changed)
        w->sa_add(c.after.sa);
}

void sa_deletes(const PolicyDiff& d, MessageWriter* w) {
    for (const CompiledSa& s : d.sas_removed)
        w->sa_delete(s.sa);
    for (const SaChange& c : d.sas_changed)
        if (spi_moved(c)) w->sa_delete(c.before.sa);
}

}  // namespace

bool PolicyDiff::empty() const {
    return sas_added.empty() && sas_removed.empty() && sas_changed.empty() && !spd_changed &&
           !globals_changed && interfaces_added.empty() && interfaces_removed.empty() &&
           routes_added.empty() && routes_removed.empty() && neighbors_added.empty() &&
           neighbors_removed.empty();
}

PolicyDiff diff(const CompiledPolicy& old, const CompiledPolicy& next) {
    PolicyDiff d;
    diff_sas(old, next, &d);
    d.spd_changed = !same_spd(old.spd, next.spd);
    if (d.spd_changed) d.spd = next.spd;
    d.globals_changed = !same(old.globals, next.globals);
    d.globals = next.globals;
    d.interfaces_added = missing_from(next.interfaces, old.interfaces);
    d.interfaces_removed = missing_from(old.interfaces, next.interfaces);
    d.routes_added = missing_from(next.routes, old.routes);
    d.routes_removed = missing_from(old.routes, next.routes);
    d.neighbors_added = missing_from(next.neighbors, old.neighbors);
    d.neighbors_removed = missing_from(old.neighbors, next.neighbors);
    return d;
}

std::vector<wire::Msg> to_messages(const PolicyDiff& d, uint64_t generation) {
    MessageWriter w(generation, message_count(d));
    w.begin(false);
    if (d.globals_changed) w.globals(d.globals);
    // Deletes first: an interface readdressed or moved on one port is a delete and an add.
    for (const wire::Interface& i : d.interfaces_removed)
        w.interface_delete(i);
    for (const wire::Interface& i : d.interfaces_added)
        w.interface(i);
    sa_messages(d, &w);
    if (d.spd_changed) w.spd(d.spd);
    sa_deletes(d, &w);
    for (const wire::Route& r : d.routes_removed)
        w.route(r, false);
    for (const wire::Route& r : d.routes_added)
        w.route(r, true);
    for (const wire::Neighbor& n : d.neighbors_removed)
        w.neighbor(n, false);
    for (const wire::Neighbor& n : d.neighbors_added)
        w.neighbor(n, true);
    w.commit();
    return w.take();
}

}  // namespace espgw::control
