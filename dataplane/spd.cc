#include "dataplane/spd.h"

#include <rte_acl.h>
#include <rte_errno.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "dataplane/bytes.h"
#include "dataplane/ip_header.h"
#include "sadb/ip_addr.h"
#include "sadb/spd_match.h"

namespace espgw::dataplane {
namespace {

using sadb::wire::Addr;
using sadb::wire::Selector;
using sadb::wire::SpdAction;
using sadb::wire::SpdRule;

constexpr uint32_t kChunk = 64;

enum Field : uint8_t { kProto, kSrc, kDst, kSport, kDport, kNumFields };

// Input offsets from the start of the IPv4 header (RFC 791 §3.1); the ports are the first four
// bytes of the TCP (RFC 9293 §3.1) or UDP (RFC 768) header, at 20 when there are no options.
// rte_acl wants a 1-byte first field, then groups of 4 bytes: both ports share one input.
constexpr uint32_t kOffProto = 9;
constexpr uint32_t kOffSrc = 12;
constexpr uint32_t kOffDst = 16;
constexpr uint32_t kOffPorts = 20;

RTE_ACL_RULE_DEF(AclRule, kNumFields);

rte_acl_config acl_config() {
    rte_acl_config c{};
    c.num_categories = 1;
    c.num_fields = kNumFields;
    c.defs[kProto] = {RTE_ACL_FIELD_TYPE_BITMASK, 1, kProto, 0, kOffProto};
    c.defs[kSrc] = {RTE_ACL_FIELD_TYPE_MASK, 4, kSrc, 1, kOffSrc};
    c.defs[kDst] = {RTE_ACL_FIELD_TYPE_MASK, 4, kDst, 2, kOffDst};
    c.defs[kSport] = {RTE_ACL_FIELD_TYPE_RANGE, 2, kSport, 3, kOffPorts};
    c.defs[kDport] = {RTE_ACL_FIELD_TYPE_RANGE, 2, kDport, 3, kOffPorts + 2};
    return c;
}

bool any_port(uint16_t lo, uint16_t hi) {
    return lo == 0 && hi == 0xffff;
}

// Version 0 is "no address": only valid as the wildcard.
bool address_ok(const Addr& a, uint8_t prefix) {
    return a.version == 4 ? prefix <= 32 : a.version == 0 && prefix == 0;
}

// Empty when the rule can be compiled, else why not.
std::string rule_problem(const SpdRule& r) {
    const Selector& s = r.sel;
    if (!address_ok(s.src, s.src_prefix) || !address_ok(s.dst, s.dst_prefix)) {
        return "selector is not an IPv4 prefix";
    }
    if (s.sport_lo > s.sport_hi || s.dport_lo > s.dport_hi) return "empty port range";
    // IOS extended ACLs only take ports after tcp/udp and message types after icmp; an "any
    // protocol" rule with ports would silently match other protocols by whatever bytes sit where
    // ports would be.
    if (s.proto == kProtoIcmp && !any_port(s.dport_lo, s.dport_hi)) {
        return "ICMP type and code go in the source range, the destination range must be ANY";
    }
    if (sadb::spd_has_ports(s) && !has_selector_ports(s.proto)) {
        return "port ranges need protocol tcp (6) or udp (17), ICMP types protocol icmp (1)";
    }
    // Non-initial fragments carry no ports (IOS refuses `fragments` with layer-4 matches too).
    if (r.fragments_only > 1) return "fragments_only must be 0 or 1";
    if (r.fragments_only != 0 && sadb::spd_has_ports(s)) {
        return "a fragments-only rule cannot have port ranges";
    }
    return {};
}

bool validate(const std::vector<SpdRule>& rules, std::string* error) {
    for (size_t i = 0; i < rules.size(); ++i) {
        if (i > 0 && rules[i].id == rules[i - 1].id) {
            *error = "SPD rule id " + std::to_string(rules[i].id) + ": duplicate id";
            return false;
        }
        const std::string problem = rule_problem(rules[i]);
        if (!problem.empty()) {
            *error = "SPD rule id " + std::to_string(rules[i].id) + ": " + problem;
            return false;
        }
    }
    if (rules.size() >= RTE_ACL_MAX_PRIORITY) {
        *error = "SPD: too many rules";
        return false;
    }
    return true;
}

void set_prefix(rte_acl_field& f, const Addr& a, uint8_t prefix) {
    const uint32_t mask = sadb::ipv4_mask(prefix);
    f.value.u32 = a.version == 4 ? load_be32(a.bytes) & mask : 0;
    f.mask_range.u32 = prefix;
}

// A TCP/UDP port 0 stands for "no port" (non-initial fragments), so a restricted port range
// never holds it. ICMP type 0 code 0 is an echo reply: its fragments always go to the fragment
// trie instead (sadb/spd_match.h). Returns false when the range becomes empty (it was 0-0).
bool set_ports(rte_acl_field& f, uint8_t proto, uint16_t lo, uint16_t hi) {
    if (!any_port(lo, hi) && proto != kProtoIcmp) lo = std::max<uint16_t>(lo, 1);
    f.value.u16 = lo;
    f.mask_range.u16 = hi;
    return lo <= hi;
}

// False when the rule can never match and is left out of the trie. `ports` false compiles the
// rule with ANY ports (its fragment view).
bool to_acl(const SpdRule& r, uint32_t index, bool ports, AclRule* out) {
    *out = AclRule{};
    out->data.category_mask = 1;
    out->data.priority = static_cast<int32_t>(RTE_ACL_MAX_PRIORITY - index);  // lower id wins
    out->data.userdata = index + 1;  // 0 is rte_acl's "no match"
    out->field[kProto].value.u8 = r.sel.proto;
    out->field[kProto].mask_range.u8 = r.sel.proto == 0 ? 0 : 0xff;
    set_prefix(out->field[kSrc], r.sel.src, r.sel.src_prefix);
    set_prefix(out->field[kDst], r.sel.dst, r.sel.dst_prefix);
    const uint8_t proto = r.sel.proto;
    if (!ports) {
        set_ports(out->field[kSport], proto, 0, 0xffff);
        set_ports(out->field[kDport], proto, 0, 0xffff);
        return true;
    }
    const bool sport = set_ports(out->field[kSport], proto, r.sel.sport_lo, r.sel.sport_hi);
    const bool dport = set_ports(out->field[kDport], proto, r.sel.dport_lo, r.sel.dport_hi);
    return sport && dport;
}

// Most packets are classified in place. A TCP/UDP/ICMP packet whose ports (ICMP: type and code)
// are not at offset 20 gets a normalised copy in `key`: with options they move (RFC 791 IHL),
// and a non-initial fragment has none (RFC 4301 §7): it gets 0, which only ANY ranges contain
// in the trie that sees it (sadb/spd_match.h says how each rule meets fragments). Other
// protocols are matched only by ANY-port rules, so whatever sits at offset 20 is irrelevant.
const uint8_t* acl_input(const uint8_t* ip, uint8_t* key) {
    if (!has_selector_ports(ip[kOffProto])) return ip;
    const bool later_fragment = ipv4_later_fragment(ip);
    const uint32_t ihl = (ip[0] & 0xfu) * 4;
    if (ihl == kOffPorts && !later_fragment) return ip;
    std::memcpy(key, ip, kOffPorts);
    if (later_fragment) {
        std::memset(key + kOffPorts, 0, 4);
    } else {
        std::memcpy(key + kOffPorts, ip + ihl, 4);
    }
    return key;
}

std::string acl_error(const std::string& what, int rc) {
    return "SPD: " + what + ": " + rte_strerror(rc < 0 ? -rc : rte_errno);
}

// Builds one trie over `acl` into `*ctx` (left null when there is no rule: nothing can match).
bool make_trie(std::span<const AclRule> acl, const std::string& name, int socket, rte_acl_ctx** ctx,
               std::string* error) {
    if (acl.empty()) return true;
    if (name.size() >= RTE_ACL_NAMESIZE || rte_acl_find_existing(name.c_str()) != nullptr) {
        // rte_acl_create() would hand back the existing context of that name.
        *error = "SPD: ACL name '" + name + "' is too long or in use";
        return false;
    }
    const rte_acl_param param{name.c_str(), socket, RTE_ACL_RULE_SZ(kNumFields),
                              static_cast<uint32_t>(acl.size())};
    *ctx = rte_acl_create(&param);
    if (*ctx == nullptr) {
        *error = acl_error("rte_acl_create", 0);
        return false;
    }
    const auto* first = reinterpret_cast<const rte_acl_rule*>(acl.data());
    int rc = rte_acl_add_rules(*ctx, first, static_cast<uint32_t>(acl.size()));
    if (rc == 0) {
        const rte_acl_config config = acl_config();
        rc = rte_acl_build(*ctx, &config);
    }
    if (rc != 0) *error = acl_error("rte_acl_build", rc);
    return rc == 0;  // on failure the destructor frees *ctx
}

}  // namespace

std::unique_ptr<SpdSnapshot> SpdSnapshot::build(std::span<const SpdRule> rules,
                                                const std::string& name, int socket,
                                                std::string* error) {
    static std::atomic<uint64_t> last_serial{0};
    std::unique_ptr<SpdSnapshot> s(new SpdSnapshot());
    s->serial_ = last_serial.fetch_add(1, std::memory_order_relaxed) + 1;
    s->rules_.assign(rules.begin(), rules.end());
    std::stable_sort(s->rules_.begin(), s->rules_.end(),
                     [](const SpdRule& a, const SpdRule& b) { return a.id < b.id; });
    if (!validate(s->rules_, error)) return nullptr;
    for (const SpdRule& r : s->rules_)
        s->actions_.push_back(r.action);
    if (!s->compile(name, socket, error)) return nullptr;
    return s;
}

// Two tries when fragments and other packets differ (sadb/spd_match.h): `ctx_` for whole
// packets and first fragments, `fragment_ctx_` for non-initial fragments. Otherwise one trie
// answers both: a fragment's port 0 lies in no restricted range.
bool SpdSnapshot::compile(const std::string& name, int socket, std::string* error) {
    std::vector<AclRule> whole, fragments;
    bool fragments_differ = false;
    for (uint32_t i = 0; i < rules_.size(); ++i) {
        const SpdRule& rule = rules_[i];
        AclRule r;
        if (sadb::spd_matches_whole(rule) && to_acl(rule, i, true, &r)) whole.push_back(r);
        const sadb::FragmentView v = sadb::spd_fragment_view(rule);
        fragments_differ |= sadb::spd_fragments_differ(rule);
        if (v != sadb::FragmentView::kNever && to_acl(rule, i, v == sadb::FragmentView::kAsIs, &r))
            fragments.push_back(r);
    }
    if (!make_trie(whole, name, socket, &ctx_, error)) return false;
    return !fragments_differ || make_trie(fragments, name + "_f", socket, &fragment_ctx_, error);
}

SpdSnapshot::~SpdSnapshot() {
    rte_acl_free(ctx_);
    rte_acl_free(fragment_ctx_);
}

void SpdSnapshot::lookup(const uint8_t* const* ipv4_headers, uint32_t n,
                         uint32_t* rule_index_out) const {
    if (ctx_ == nullptr && fragment_ctx_ == nullptr) {
        std::fill_n(rule_index_out, n, kNoMatch);
        return;
    }
    for (uint32_t done = 0; done < n; done += kChunk) {
        lookup_chunk(ipv4_headers + done, std::min(kChunk, n - done), rule_index_out + done);
    }
}

void SpdSnapshot::lookup_chunk(const uint8_t* const* headers, uint32_t n, uint32_t* out) const {
    const uint8_t* input[kChunk];
    uint8_t keys[kChunk][kReadBytes];  // only written for packets that need normalising
    const uint8_t* fragment_input[kChunk];
    uint32_t fragment_at[kChunk], fragments = 0;
    for (uint32_t i = 0; i < n; ++i) {
        input[i] = acl_input(headers[i], keys[i]);
        if (fragment_ctx_ != nullptr && ipv4_later_fragment(headers[i])) {
            fragment_input[fragments] = input[i];
            fragment_at[fragments++] = i;
        }
    }
    if (ctx_ != nullptr) {
        rte_acl_classify(ctx_, input, out, n, 1);
    } else {
        std::fill_n(out, n, 0u);
    }
    // Non-initial fragments take their answer from the fragment trie (sadb/spd_match.h).
    if (fragments != 0) {
        uint32_t found[kChunk];
        rte_acl_classify(fragment_ctx_, fragment_input, found, fragments, 1);
        for (uint32_t j = 0; j < fragments; ++j)
            out[fragment_at[j]] = found[j];
    }
    for (uint32_t i = 0; i < n; ++i)
        out[i] -= 1;  // userdata is index + 1; 0 wraps to kNoMatch
}

}  // namespace espgw::dataplane
