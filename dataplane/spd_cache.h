// A per-lcore cache of SPD answers in front of the rte_acl trie, keyed by the exact selector
// fields of a packet as the SPD reads them (protocol, addresses, ports; ports 0 where the SPD
// sees none, and whether a packet is a non-initial fragment, which the SPD answers from its
// fragment trie). RFC 4301 §4.4.1 and Appendix B allow caching SPD lookups but require
// decorrelated entries when a cache holds *rule* selectors; an exact-key cache holds answers for
// single packets, which are what the ordered first match of that snapshot gives, so it needs no
// decorrelation. Entries belong to one snapshot (its serial, never reused) and are dropped when
// another one is in force.
//
// A trie lookup costs ~30 TSC cycles per packet, a hit ~6. With more live flows than entries the
// hit rate collapses (a cyclic pattern evicts every entry before its reuse): the cache then
// turns itself off for a while and the burst goes straight to the trie.
#pragma once

#include <cstdint>
#include <memory>

#include "dataplane/spd.h"

namespace espgw::dataplane {

class SpdCache {
  public:
    // 16 Ki entries (256 KiB, in L2): ~5,000 flows cycling through a cache of 4 Ki entries hit
    // ~30% of the time, through 16 Ki ~74%.
    static constexpr uint32_t kBits = 14;
    static constexpr uint32_t kEntries = 1u << kBits;
    // Adaptation: every kWindow lookups, a hit rate below 1/kMinHitShare turns the cache off
    // for kOffBursts calls.
    static constexpr uint32_t kWindow = 4096;
    static constexpr uint32_t kMinHitShare = 4;
    static constexpr uint32_t kOffBursts = 1024;

    SpdCache();

    // As spd.lookup(): for each IPv4 header, the index of the first matching rule or kNoMatch.
    // n <= PktVec::kCapacity.
    void lookup(const SpdSnapshot& spd, const uint8_t* const* headers, uint32_t n,
                uint32_t* rule_index_out);

    uint64_t hits() const { return hits_; }
    uint64_t misses() const { return misses_; }
    bool enabled() const { return off_bursts_ == 0; }

  private:
    struct Key {
        uint32_t src, dst, ports;  // ports: source << 16 | destination (ICMP: type/code << 16)
        uint8_t proto;
        uint8_t fragment;  // 1: a non-initial fragment (ports 0, answered differently)
    };
    struct Entry {
        uint32_t src, dst, ports;
        uint32_t tag;  // kValid | proto << 23 | fragment << 22 | rule index (kNoRule: none)
    };
    static constexpr uint32_t kValid = 1u << 31;
    static constexpr uint32_t kRuleMask = (1u << 22) - 1;
    static constexpr uint32_t kNoRule = kRuleMask;

    static Key key_of(const uint8_t* ip);
    static uint32_t slot_of(const Key& k);
    static uint32_t tag_of(const Key& k);
    void adapt(uint32_t n, uint32_t hits);
    void reset(uint64_t serial);

    std::unique_ptr<Entry[]> table_;
    uint64_t serial_ = 0;  // the snapshot the entries were filled from (0: none)
    uint32_t window_lookups_ = 0, window_hits_ = 0;
    uint32_t off_bursts_ = 0;
    uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace espgw::dataplane
