// Shadowed and overlapping SPD lines. The dataplane evaluates one SPD for all crypto maps in
// first-match order (crypto map sequence, map name, then ACL line: control/spd_compiler.cc), so
// a line that an earlier one covers never matches, and traffic two entries share goes to the
// first. Only coverage by a single earlier line is detected: a line covered by the union of
// several earlier lines is not reported (conservative: no false positive).
#include <set>

#include "control/config_lint_internal.h"
#include "control/config_lint_match.h"

namespace espgw::control::lint {
namespace {

struct SpdLine {
    const CryptoMapEntry* entry;
    const AccessList* acl;
    const AclEntry* line;
    TrafficMatch match;
};

std::vector<SpdLine> spd_lines(const Config& cfg) {
    std::vector<SpdLine> v;
    for (const SpdEntry& e : spd_entries(cfg))
        for (const AclEntry& l : e.acl->entries)
            v.push_back(SpdLine{e.entry, e.acl, &l, TrafficMatch::of(l)});
    return v;
}

bool is_permit(const SpdLine& l) {
    return l.line->action == AclAction::kPermit;
}

// Same peers and transforms: traffic that goes to one entry instead of the other ends up in an
// equivalent tunnel.
bool same_tunnel(const CryptoMapEntry& a, const CryptoMapEntry& b) {
    return a.peers == b.peers && a.transform_sets == b.transform_sets;
}

std::string peer_of(const CryptoMapEntry& e) {
    return e.peers.empty() ? "no peer" : "peer " + e.peers[0].to_string();
}

// "access-list 101 line 12 (crypto map VPN 10, peer 192.0.2.2)"
std::string where(const SpdLine& l) {
    return "access-list " + l.acl->name + " line " + std::to_string(l.line->line) + " (" +
           entry_name(*l.entry) + ", " + peer_of(*l.entry) + ")";
}

constexpr const char* kDenyHint =
    "IOS tries the next crypto map entry after a deny; espgw's SPD bypasses at the first match: "
    "narrow the deny or reorder the entries";

class SpdLint {
  public:
    SpdLint(const Config& cfg, Findings& f) : lines_(spd_lines(cfg)), f_(f) {}

    void run() {
        for (const SpdLine& l : lines_)
            deny_fragments(l);
        for (size_t j = 1; j < lines_.size(); ++j)
            line(j);
    }

  private:
    // One earlier line that takes all of line j's traffic makes it dead; otherwise the first
    // earlier line of another entry that shares some of it and sends it elsewhere (another
    // peer or transform, or in clear) is worth a warning.
    void line(size_t j) {
        const SpdLine& l = lines_[j];
        const SpdLine* overlap = nullptr;
        for (size_t i = 0; i < j; ++i) {
            const SpdLine& by = lines_[i];
            if (!intersects(by.match, l.match)) continue;
            if (covers(by.match, l.match)) return report_shadow(by, l);
            if (!overlap && sends_elsewhere(by, l)) overlap = &by;
        }
        if (!overlap) return;
        if (is_permit(*overlap)) return report_overlap(*overlap, l);
        report_deny_overlap(*overlap, l);
    }

    // In an interface ACL `deny ... fragments` drops fragments; in a crypto ACL a deny line
    // only means "do not protect", so these fragments leave in clear.
    void deny_fragments(const SpdLine& l) {
        if (is_permit(l) || !l.line->fragments || !reported_lines_.insert(l.line).second) return;
        f_.warn(l.line->line,
                "access-list " + l.acl->name + " line " + std::to_string(l.line->line) + " (" +
                    entry_name(*l.entry) +
                    "): a deny line of a crypto access list bypasses IPsec: these non-initial "
                    "fragments are sent in clear, not dropped",
                "to protect them, remove the line; to drop fragments, filter them before the "
                "gateway");
    }

    static bool sends_elsewhere(const SpdLine& by, const SpdLine& l) {
        if (by.entry == l.entry || !is_permit(l)) return false;
        return !is_permit(by) || !same_tunnel(*by.entry, *l.entry);
    }

    void report_shadow(const SpdLine& by, const SpdLine& l) {
        if (by.entry == l.entry)
            return f_.warn(l.line->line,
                           "access-list " + l.acl->name + ": this line never matches: line " +
                               std::to_string(by.line->line) + " covers it (first match wins)",
                           "remove it, or move it above line " + std::to_string(by.line->line));
        if (by.acl == l.acl) return same_acl(by, l);
        if (!is_permit(by) && is_permit(l))
            return f_.warn(l.line->line,
                           "access-list " + l.acl->name + " line " + std::to_string(l.line->line) +
                               " (" + entry_name(*l.entry) + ") never protects its traffic: " +
                               where(by) + " denies all of it first and espgw sends it in clear",
                           kDenyHint);
        f_.warn(l.line->line,
                "access-list " + l.acl->name + " line " + std::to_string(l.line->line) + " (" +
                    entry_name(*l.entry) + ") never matches: " + where(by) +
                    " takes all of its traffic first",
                "reorder the crypto map entries or narrow access-list " + by.acl->name);
    }

    // requirements.md E26: an access list used by two entries gives all its traffic to the first.
    void same_acl(const SpdLine& by, const SpdLine& l) {
        if (!reported_entries_.insert(l.entry).second) return;
        f_.warn(l.entry->match_line,
                entry_name(*l.entry) + " never matches: its access-list " + l.acl->name +
                    " is also used by " + entry_name(*by.entry) + ", which matches first",
                "use a separate access list for each crypto map entry");
    }

    void report_overlap(const SpdLine& by, const SpdLine& l) {
        // Two permit lines for other ports of the same hosts share their non-initial fragments,
        // which show no ports, as does a `fragments` line: the first line takes them (IOS ACL
        // semantics, sadb/spd_match.h).
        const std::string what = whole_packets_intersect(by.match, l.match)
                                     ? "traffic matching both goes"
                                     : "their non-initial fragments go";
        f_.warn(l.line->line,
                "access-list " + l.acl->name + " line " + std::to_string(l.line->line) + " (" +
                    entry_name(*l.entry) + ", " + peer_of(*l.entry) + ") overlaps " + where(by) +
                    ": " + what + " to " + entry_name(*by.entry),
                "make the crypto access lists disjoint (crypto ACLs must not overlap)");
    }

    void report_deny_overlap(const SpdLine& by, const SpdLine& l) {
        f_.warn(l.line->line,
                "access-list " + l.acl->name + " line " + std::to_string(l.line->line) + " (" +
                    entry_name(*l.entry) + "): part of its traffic is denied first by " +
                    where(by) + " and sent in clear",
                kDenyHint);
    }

    std::vector<SpdLine> lines_;
    Findings& f_;
    std::set<const CryptoMapEntry*> reported_entries_;
    std::set<const AclEntry*> reported_lines_;
};

}  // namespace

void spd_overlaps(const Config& cfg, Findings& f) {
    SpdLint(cfg, f).run();
}

}  // namespace espgw::control::lint
