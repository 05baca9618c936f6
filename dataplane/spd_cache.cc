#include "dataplane/spd_cache.h"

#include <algorithm>

#include "dataplane/bytes.h"
#include "dataplane/ip_header.h"
#include "dataplane/pkt_vec.h"

namespace espgw::dataplane {

SpdCache::SpdCache() : table_(new Entry[kEntries]{}) {}

// The fields SpdSnapshot::lookup classifies on, normalised as it does (spd.cc acl_input): ports
// for TCP and UDP, type and code for ICMP (sadb/spd_match.h), from behind IP options, and 0 for
// non-initial fragments (RFC 4301 §7). Non-initial fragments of every protocol are marked: the
// SPD answers them from its fragment trie. Other protocols match only rules with ANY ports, so
// their bytes 20..23 do not matter, nor do an ICMP message's checksum bytes (ANY range).
[[gnu::always_inline]] inline SpdCache::Key SpdCache::key_of(const uint8_t* ip) {
    Key k{load_be32(ip + 12), load_be32(ip + 16), 0, ip[9], ipv4_later_fragment(ip)};
    if (k.fragment != 0) return k;
    const uint8_t* l4 = ip + (ip[0] & 0xfu) * 4;
    if (k.proto == kProtoTcp || k.proto == kProtoUdp) {
        k.ports = load_be32(l4);
    } else if (k.proto == kProtoIcmp) {
        k.ports = uint32_t{load_be16(l4)} << 16;
    }
    return k;
}

// An entry's tag without its rule index: valid, protocol and fragment bit of the key.
[[gnu::always_inline]] inline uint32_t SpdCache::tag_of(const Key& k) {
    return kValid | uint32_t{k.proto} << 23 | uint32_t{k.fragment} << 22;
}

[[gnu::always_inline]] inline uint32_t SpdCache::slot_of(const Key& k) {
    uint64_t x = (uint64_t{k.src} << 32 | k.dst) * 0x9e3779b97f4a7c15ull;
    x ^= (uint64_t{k.ports} << 9 | uint64_t{k.fragment} << 8 | k.proto) * 0xc2b2ae3d27d4eb4full;
    return static_cast<uint32_t>(x >> (64 - kBits));
}

void SpdCache::reset(uint64_t serial) {
    std::fill_n(table_.get(), kEntries, Entry{});
    serial_ = serial;
    window_lookups_ = window_hits_ = off_bursts_ = 0;
}

void SpdCache::adapt(uint32_t n, uint32_t hits) {
    window_lookups_ += n;
    window_hits_ += hits;
    if (window_lookups_ < kWindow) return;
    if (window_hits_ * kMinHitShare < window_lookups_) off_bursts_ = kOffBursts;
    window_lookups_ = window_hits_ = 0;
}

void SpdCache::lookup(const SpdSnapshot& spd, const uint8_t* const* headers, uint32_t n,
                      uint32_t* out) {
    if (spd.serial() != serial_) reset(spd.serial());
    if (off_bursts_ != 0 || spd.size() >= kNoRule || n > PktVec::kCapacity) {
        off_bursts_ -= off_bursts_ != 0;
        return spd.lookup(headers, n, out);
    }
    // Keys and slots first, their entries fetched for the whole burst (the table lives in L2),
    // then the compares.
    Key keys[PktVec::kCapacity];
    uint32_t slots[PktVec::kCapacity];
    for (uint32_t i = 0; i < n; ++i) {
        keys[i] = key_of(headers[i]);
        slots[i] = slot_of(keys[i]);
        __builtin_prefetch(&table_[slots[i]]);
    }
    const uint8_t* miss_hdr[PktVec::kCapacity];
    uint32_t miss_at[PktVec::kCapacity];
    uint32_t misses = 0;
    for (uint32_t i = 0; i < n; ++i) {
        const Key& k = keys[i];
        const Entry& e = table_[slots[i]];
        const uint32_t tag = tag_of(k);
        if ((e.tag & ~kRuleMask) == tag && e.src == k.src && e.dst == k.dst && e.ports == k.ports) {
            const uint32_t rule = e.tag & kRuleMask;
            out[i] = rule == kNoRule ? SpdSnapshot::kNoMatch : rule;
            continue;
        }
        miss_hdr[misses] = headers[i];
        miss_at[misses++] = i;
    }
    adapt(n, n - misses);
    hits_ += n - misses;
    misses_ += misses;
    if (misses == 0) return;
    uint32_t found[PktVec::kCapacity];
    spd.lookup(miss_hdr, misses, found);
    for (uint32_t j = 0; j < misses; ++j) {
        const uint32_t i = miss_at[j];
        const Key& k = keys[i];
        const uint32_t rule = found[j] == SpdSnapshot::kNoMatch ? kNoRule : found[j];
        table_[slots[i]] = {k.src, k.dst, k.ports, tag_of(k) | rule};
        out[i] = found[j];
    }
}

}  // namespace espgw::dataplane
