// Connection ids name an SA in events, stats and `show crypto ipsec sa` (`conn id`). They are
// derived from what identifies the SA in the configuration (crypto map name, sequence number,
// direction) so that compiling an unchanged entry again gives the same id, and a SIGHUP diff
// sees the SA as unchanged.
#pragma once

#include <cstdint>
#include <set>
#include <string_view>

namespace espgw::control {

// FNV-1a over the identity, 31 bits, never 0 (0 means "no SA" in an SPD rule).
uint32_t conn_id_hash(std::string_view map, uint32_t seq, bool inbound);

// Hands out ids, moving past collisions in a deterministic order (the caller allocates in
// configuration order).
class ConnIdAllocator {
  public:
    uint32_t allocate(std::string_view map, uint32_t seq, bool inbound);

  private:
    std::set<uint32_t> used_;
};

}  // namespace espgw::control
