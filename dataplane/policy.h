// The immutable part of the dataplane's state, swapped whole by the main lcore at a commit and
// read by workers through one atomic pointer: interfaces, globals, the SPD snapshot and which SA
// slot each PROTECT rule points at. Workers load the pointer once per burst; the old snapshot is
// freed after an RCU grace period.
#pragma once

#include <rte_ether.h>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "dataplane/spd.h"
#include "sadb/wire.h"

namespace espgw::dataplane {

inline constexpr uint16_t kMaxPorts = 32;

struct Iface {
    bool configured = false;
    bool outside = false;  // carries a crypto map
    uint16_t port = 0;
    uint32_t addr = 0;  // host order
    uint8_t prefix = 0;
    uint16_t mtu = 1500;
    uint16_t mss_clamp = 0;  // 0 = off
    rte_ether_addr mac{};
    char name[32] = {};
};

struct Policy {
    uint64_t generation = 0;
    std::array<Iface, kMaxPorts> ifaces{};
    sadb::wire::Globals globals{};
    std::unique_ptr<SpdSnapshot> spd;
    std::vector<uint32_t> rule_slot;  // SPD rule index -> SA table slot (kNoSlot if none)
    // Per outside port, its crypto map rules mirrored for cleartext arriving there (null: no
    // PROTECT rule on the port); spd_inbound.h.
    std::array<std::unique_ptr<SpdSnapshot>, kMaxPorts> spd_in;
    uint32_t spd_in_ports = 0;  // bit p: spd_in[p] is set (one register test per packet)
    // The configured interfaces' addresses packed together: local() runs for every received
    // packet, and scanning all kMaxPorts Ifaces touched 32 cache lines each time. Filled by
    // index_addresses() once `ifaces` is final.
    std::array<uint32_t, kMaxPorts> local_addr{};
    std::array<uint8_t, kMaxPorts> local_port{};
    uint8_t n_local = 0;

    void index_addresses() {
        n_local = 0;
        for (uint8_t p = 0; p < kMaxPorts; ++p) {
            if (!ifaces[p].configured) continue;
            local_addr[n_local] = ifaces[p].addr;
            local_port[n_local++] = p;
        }
    }
    // The interface owning `ip` (host order) as its address, or nullptr.
    const Iface* local(uint32_t ip) const {
        for (uint8_t k = 0; k < n_local; ++k)
            if (local_addr[k] == ip) return &ifaces[local_port[k]];
        return nullptr;
    }
    const Iface* iface(uint16_t port) const {
        return port < kMaxPorts && ifaces[port].configured ? &ifaces[port] : nullptr;
    }
};

}  // namespace espgw::dataplane
