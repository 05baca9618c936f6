// SA configuration: the cold, control-owned description of one unidirectional ESP SA. The fast
// path never reads it; sa_runtime.h compiles it into the hot form an lcore uses.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "crypto/key_bytes.h"
#include "crypto/suite.h"
#include "sadb/ip_addr.h"

namespace espgw::sadb {

enum class Direction : uint8_t { kInbound, kOutbound };
enum class Mode : uint8_t { kTunnel, kTransport };
// Outer DF bit for IPv4 tunnels (IOS `crypto ipsec df-bit copy|set|clear`).
enum class DfMode : uint8_t { kCopy, kSet, kClear };

// Byte and packet lifetimes are enforced on the fast path; seconds are control's (RFC 4301
// §4.4.2.1). Zero means unlimited.
struct Lifetime {
    uint64_t soft_bytes = 0;
    uint64_t hard_bytes = 0;
    uint64_t soft_packets = 0;
    uint64_t hard_packets = 0;
    uint32_t soft_seconds = 0;
    uint32_t hard_seconds = 0;
    bool operator==(const Lifetime&) const = default;
};

// RFC 3948 UDP encapsulation.
struct UdpEncap {
    bool enabled = false;
    uint16_t local_port = 4500;
    uint16_t peer_port = 4500;
    bool operator==(const UdpEncap&) const = default;
};

// Traffic selector of the SA (RFC 4301 §4.4.1.1), local side first: an outbound SA protects
// packets from `local` to `remote`; an inbound SA must only deliver packets from `remote` to
// `local` (RFC 4301 §5.2, ASA 402116). Protocol 0 = any; port ranges only for TCP/UDP.
struct Selector {
    IpAddr local;
    uint8_t local_prefix = 0;
    IpAddr remote;
    uint8_t remote_prefix = 0;
    uint8_t proto = 0;
    uint16_t local_port_lo = 0, local_port_hi = 65535;
    uint16_t remote_port_lo = 0, remote_port_hi = 65535;
    bool operator==(const Selector&) const = default;
};

struct SaConfig {
    std::string name;      // crypto map tag and sequence, for display
    uint32_t conn_id = 0;  // `conn id` in show crypto ipsec sa
    uint32_t spi = 0;
    Direction direction = Direction::kOutbound;
    Mode mode = Mode::kTunnel;
    crypto::Cipher cipher = crypto::Cipher::kAes128Gcm;
    crypto::Integrity integrity = crypto::Integrity::kNone;
    crypto::KeyBytes cipher_key;  // with the 4-byte salt for CTR and GCM
    crypto::KeyBytes auth_key;
    IpAddr local;  // tunnel endpoints: outer source (outbound) / destination (inbound)
    IpAddr peer;
    UdpEncap udp_encap;
    bool esn = false;                                   // RFC 4303 §2.2.1
    uint32_t replay_window = 1024;                      // 0 disables anti-replay
    Lifetime lifetime;
    DfMode df = DfMode::kCopy;
    bool copy_dscp = true;  // tunnel: copy the inner DS field to the outer header
    uint8_t ttl = 64;       // outer TTL / hop limit in tunnel mode
    uint16_t path_mtu = 1500;
    Selector selector;     // empty (version 0 addresses) = any
    uint16_t port = 0;     // interface (DPDK port) the crypto map is applied to

    bool operator==(const SaConfig&) const = default;
};

}  // namespace espgw::sadb
