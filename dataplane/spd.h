// The IPv4 security policy database (RFC 4301 §4.4.1) as an immutable snapshot compiled into
// an rte_acl trie: ordered first match over (protocol, source, destination, ports). Control
// sends the rules; the main lcore builds a snapshot off the fast path and swaps it in whole.
//
// Semantics the trie keeps (the naive reference in tests/dataplane/spd_test.cc is the spec):
// - Order: the rule with the lowest `id` among those that match wins.
// - Ports are selectors of TCP and UDP, ICMP type and code of ICMP (in the source range,
//   sadb/spd_match.h), as in IOS extended ACLs: a rule with a port range and protocol 0 (any)
//   or another protocol is refused at build time.
// - A non-initial fragment has no ports (RFC 4301 §7). As an IOS ACL treats it
//   (sadb/spd_match.h), a PROTECT rule (permit entry) with port ranges matches it on addresses
//   and protocol alone, a BYPASS or DISCARD rule (deny entry) with port ranges never does, and
//   a fragments-only rule (IOS `fragments`) matches nothing else. Non-initial fragments are
//   classified in a second trie, built only when some rule treats them apart.
// - TCP/UDP port 0 is never inside a restricted range (RFC 6335 §6 reserves it): a TCP/UDP
//   packet with port 0 matches only ANY ranges there. ICMP type 0 code 0 (echo reply) is.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sadb/wire.h"

struct rte_acl_ctx;

namespace espgw::dataplane {

class SpdSnapshot {
  public:
    static constexpr uint32_t kNoMatch = UINT32_MAX;
    // lookup() reads this many bytes from each header (through the first 4 bytes after a
    // 20-byte header), and for a TCP/UDP/ICMP initial fragment with options the 4 bytes after
    // its IHL: the classify stage must have checked they are inside the packet.
    static constexpr uint32_t kReadBytes = 24;

    // Compiles `rules` (any order; ids unique). `name` must be unique among the live snapshots
    // of the process (rte_acl names contexts process-wide): alternate two names or add the
    // generation. Returns nullptr with `error` set when a rule is invalid or rte_acl fails.
    static std::unique_ptr<SpdSnapshot> build(std::span<const sadb::wire::SpdRule> rules,
                                              const std::string& name, int socket,
                                              std::string* error);
    ~SpdSnapshot();
    SpdSnapshot(const SpdSnapshot&) = delete;
    SpdSnapshot& operator=(const SpdSnapshot&) = delete;

    // For each IPv4 header (validated by the caller: IHL >= 5), the index of the first matching
    // rule in rule(), or kNoMatch. No allocation; safe from any number of lcores at once.
    void lookup(const uint8_t* const* ipv4_headers, uint32_t n, uint32_t* rule_index_out) const;

    // Rules sorted by id: index order is match order.
    const sadb::wire::SpdRule& rule(uint32_t index) const { return rules_[index]; }
    // The rule's action alone, from a dense array: the fast path reads one byte per packet
    // instead of a rule's whole cache line.
    sadb::wire::SpdAction action(uint32_t index) const { return actions_[index]; }
    uint32_t size() const { return static_cast<uint32_t>(rules_.size()); }
    // Unique per snapshot built in this process (never reused, unlike an address): what a
    // cache of answers is tagged with.
    uint64_t serial() const { return serial_; }

  private:
    SpdSnapshot() = default;
    bool compile(const std::string& name, int socket, std::string* error);
    void lookup_chunk(const uint8_t* const* headers, uint32_t n, uint32_t* out) const;

    std::vector<sadb::wire::SpdRule> rules_;
    std::vector<sadb::wire::SpdAction> actions_;  // rules_[i].action
    rte_acl_ctx* ctx_ = nullptr;                  // null when no rule matches whole packets
    rte_acl_ctx* fragment_ctx_ = nullptr;         // non-initial fragments, if they differ
    uint64_t serial_ = 0;
};

}  // namespace espgw::dataplane
