// The configuration as the startup file states it, before any compilation: one plain value type
// per IOS construct, each remembering the line it came from so later checks can point at it.
// Secrets (session keys, pre-shared keys) live in crypto::KeyBytes, which wipes itself and is
// never printed; see key_export.h for the one explicit way out.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/ipv4.h"
#include "crypto/key_bytes.h"
#include "crypto/suite.h"

namespace espgw::control {

enum class FragPolicy : uint8_t { kBeforeEncryption, kAfterEncryption };
enum class DfBit : uint8_t { kCopy, kSet, kClear };
enum class IpsecMode : uint8_t { kTunnel, kTransport };

// ---- interfaces, routes, neighbours -------------------------------------------------------

enum class AddressKind : uint8_t { kNone, kStatic, kDhcp };

struct InterfaceConfig {
    int line = 0;
    std::string name;
    std::string description;
    std::optional<uint16_t> dpdk_port;
    AddressKind address_kind = AddressKind::kNone;
    Ipv4 address;
    uint8_t prefix_len = 0;
    std::optional<uint16_t> mtu;             // ip mtu
    std::optional<uint16_t> tcp_adjust_mss;  // ip tcp adjust-mss
    std::string crypto_map;
    int crypto_map_line = 0;
    std::optional<FragPolicy> frag;  // interface-level crypto ipsec fragmentation
    std::optional<DfBit> df_bit;     // interface-level crypto ipsec df-bit
    bool shutdown = false;
    bool operator==(const InterfaceConfig&) const = default;
};

struct StaticRoute {
    int line = 0;
    Prefix prefix;
    std::optional<Ipv4> next_hop;
    std::string interface;  // `ip route P M IF [NH]`
    uint8_t distance = 1;
    bool operator==(const StaticRoute&) const = default;
};

struct StaticArp {
    int line = 0;
    Ipv4 address;
    std::array<uint8_t, 6> mac{};
    bool operator==(const StaticArp&) const = default;
};

struct LocalPool {
    int line = 0;
    std::string name;
    Ipv4 first;
    Ipv4 last;
    std::string group;
    bool operator==(const LocalPool&) const = default;
};

// ---- access lists --------------------------------------------------------------------------

enum class AclAction : uint8_t { kPermit, kDeny };
enum class AclKind : uint8_t { kStandard, kExtended };

// `any` is 0.0.0.0 with wildcard 255.255.255.255, `host A` is A with wildcard 0.
struct AddrMatch {
    Ipv4 addr;
    Ipv4 wildcard{0xffffffffu};
    bool operator==(const AddrMatch&) const = default;
};

enum class PortOp : uint8_t { kAny, kEq, kNeq, kLt, kGt, kRange };

struct PortMatch {
    PortOp op = PortOp::kAny;
    uint16_t lo = 0;
    uint16_t hi = 0;  // only for kRange
    bool operator==(const PortMatch&) const = default;
};

struct AclEntry {
    int line = 0;
    uint32_t seq = 0;  // named-list sequence number, or 10, 20, ... as IOS numbers them
    AclAction action = AclAction::kPermit;
    uint8_t protocol = 0;  // IP protocol number; 0 = `ip` (any)
    AddrMatch src;
    PortMatch sport;
    AddrMatch dst;
    PortMatch dport;
    std::optional<uint8_t> icmp_type;
    std::optional<uint8_t> icmp_code;
    bool established = false;
    bool fragments = false;  // `fragments`: non-initial fragments only (sadb/spd_match.h)
    bool log = false;
    bool operator==(const AclEntry&) const = default;
};

struct AclRemark {
    int line = 0;
    std::string text;
    bool operator==(const AclRemark&) const = default;
};

struct AccessList {
    int line = 0;
    std::string name;  // "101" for numbered lists
    AclKind kind = AclKind::kExtended;
    std::vector<AclEntry> entries;
    std::vector<AclRemark> remarks;
    bool operator==(const AccessList&) const = default;

    // The line whose traffic a manually keyed SA carries: the first permit line, leaving out
    // `fragments` lines (non-initial fragments alone are no traffic selector, RFC 4301
    // §4.4.1.1). nullptr when there is none.
    const AclEntry* selector_line() const;
};

// ---- IPsec ---------------------------------------------------------------------------------

struct TransformSet {
    int line = 0;
    std::string name;
    crypto::Cipher cipher = crypto::Cipher::kNull;
    crypto::Integrity integrity = crypto::Integrity::kNone;
    IpsecMode mode = IpsecMode::kTunnel;
    std::vector<std::string> transforms;  // as written, for show output: "esp-aes 256"
    bool operator==(const TransformSet&) const = default;
};

// `set session-key inbound|outbound esp SPI [cipher HEX] [authenticator HEX]`.
struct SessionKey {
    int line = 0;
    uint32_t spi = 0;
    bool has_cipher = false;
    bool has_auth = false;
    crypto::KeyBytes cipher_key;  // for CTR and GCM: key || 4-byte salt (RFC 3686, RFC 4106)
    crypto::KeyBytes auth_key;
    bool operator==(const SessionKey&) const = default;
};

enum class MapKind : uint8_t { kManual, kIsakmp };

// One `crypto map NAME SEQ ...` or `crypto dynamic-map NAME SEQ` entry.
struct CryptoMapEntry {
    int line = 0;
    int end_line = 0;  // last line of the block: errors inside it explain what is missing
    std::string map;
    uint32_t seq = 0;
    MapKind kind = MapKind::kIsakmp;
    std::string dynamic_map;  // `ipsec-isakmp dynamic DYN`
    bool discover = false;
    std::string description;
    std::vector<Ipv4> peers;  // first is primary; the rest are backup peers
    int peer_line = 0;
    std::vector<std::string> transform_sets;
    int transform_line = 0;
    std::string match_acl;
    int match_line = 0;
    std::optional<SessionKey> inbound;
    std::optional<SessionKey> outbound;
    std::optional<uint8_t> pfs_group;  // `set pfs` alone is group 1
    std::optional<uint32_t> lifetime_seconds;
    std::optional<uint64_t> lifetime_kilobytes;
    std::optional<uint32_t> replay_window;  // 0 = `set security-association replay disable`
    std::optional<uint32_t> idle_time;      // `set security-association idle-time N` (seconds)
    std::string isakmp_profile;
    bool reverse_route = false;
    bool operator==(const CryptoMapEntry&) const = default;
};

// Map-wide commands: `crypto map NAME local-address IF`, `crypto map NAME client ...`.
struct CryptoMapSet {
    int line = 0;
    std::string name;
    std::string local_address;  // interface name
    std::string client_authentication_list;
    std::string isakmp_authorization_list;
    std::string client_configuration_address;  // respond | initiate
    bool operator==(const CryptoMapSet&) const = default;
};

struct IpsecGlobals {
    std::optional<uint32_t> replay_window;  // window-size N
    bool replay_disabled = false;
    std::optional<uint32_t> lifetime_seconds;
    std::optional<uint64_t> lifetime_kilobytes;
    int lifetime_line = 0;
    std::optional<uint32_t> idle_time;
    FragPolicy frag = FragPolicy::kBeforeEncryption;
    DfBit df_bit = DfBit::kCopy;
    bool udp_encapsulation = false;  // manual SAs in UDP 4500 (RFC 3948)
    bool operator==(const IpsecGlobals&) const = default;
};

// ---- ISAKMP (stored for the IKE issue; the compiler does not use it yet) -------------------

enum class IkeEncryption : uint8_t { kDes, k3des, kAes };
enum class IkeHash : uint8_t { kMd5, kSha, kSha256, kSha384, kSha512 };
enum class IkeAuth : uint8_t { kPreShare, kRsaSig, kRsaEncr };

// Defaults are IOS's default policy 65535 (RFC 2409 mandatory set).
struct IsakmpPolicy {
    int line = 0;
    uint32_t priority = 0;
    IkeEncryption encryption = IkeEncryption::kDes;
    uint16_t key_bits = 0;  // for AES: 128, 192, 256
    IkeHash hash = IkeHash::kSha;
    IkeAuth authentication = IkeAuth::kRsaSig;
    uint8_t group = 1;
    uint32_t lifetime = 86400;
    bool operator==(const IsakmpPolicy&) const = default;
};

// `crypto isakmp key K address A [M] [no-xauth]` and keyring `pre-shared-key` lines.
struct PresharedKey {
    int line = 0;
    crypto::KeyBytes key;
    Ipv4 address;
    Ipv4 mask{0xffffffffu};
    std::string hostname;  // `... hostname H` instead of an address
    bool no_xauth = false;
    bool operator==(const PresharedKey&) const = default;
};

struct Keyring {
    int line = 0;
    std::string name;
    std::string description;
    std::vector<PresharedKey> keys;
    bool operator==(const Keyring&) const = default;
};

enum class IdentityKind : uint8_t { kAddress, kGroup, kHost, kUser };

struct IdentityMatch {
    IdentityKind kind = IdentityKind::kAddress;
    Ipv4 address;
    Ipv4 mask{0xffffffffu};
    std::string value;  // group, host or user name
    bool operator==(const IdentityMatch&) const = default;
};

struct IsakmpProfile {
    int line = 0;
    std::string name;
    std::string description;
    std::string keyring;
    std::vector<IdentityMatch> match_identity;
    std::string client_authentication_list;
    std::string isakmp_authorization_list;
    std::string client_configuration_address;  // respond | initiate
    std::optional<uint32_t> keepalive;
    bool operator==(const IsakmpProfile&) const = default;
};

// `crypto isakmp client configuration group NAME` (mode-config for VPN clients).
struct ClientGroup {
    int line = 0;
    std::string name;
    crypto::KeyBytes key;
    std::vector<Ipv4> dns;
    std::vector<Ipv4> wins;
    std::string domain;
    std::string pool;
    std::string acl;
    bool operator==(const ClientGroup&) const = default;
};

enum class IsakmpIdentity : uint8_t { kAddress, kHostname, kDn, kAuto };

struct IsakmpGlobals {
    bool enabled = true;  // IOS enables ISAKMP by default
    std::vector<std::string> enable_interfaces;
    std::optional<uint32_t> nat_traversal_keepalive;
    std::optional<uint32_t> keepalive;
    std::optional<uint32_t> keepalive_retry;
    bool keepalive_periodic = false;
    IsakmpIdentity identity = IsakmpIdentity::kAddress;
    bool operator==(const IsakmpGlobals&) const = default;
};

// ---- logging (control/logging_parser.cc) ---------------------------------------------------

// `logging host ADDR [transport udp port N]`: a syslog server for the event log (RFC 5424 over
// UDP, RFC 5426), besides espgw-control's command-line destinations.
struct LoggingHost {
    int line = 0;
    Ipv4 address;
    uint16_t port = 514;
    bool operator==(const LoggingHost&) const = default;
};

struct LoggingConfig {
    std::vector<LoggingHost> hosts;
    int facility = -1;  // `logging facility NAME`; -1 when absent (local7, as IOS)
    int trap = 6;       // `logging trap LEVEL`: most verbose severity sent to hosts (IOS: 6)
    bool operator==(const LoggingConfig&) const = default;
};

// ---- the whole file ------------------------------------------------------------------------

struct Config {
    std::string hostname;
    std::vector<InterfaceConfig> interfaces;
    std::vector<StaticRoute> routes;
    std::vector<StaticArp> arps;
    std::vector<AccessList> access_lists;
    std::vector<TransformSet> transform_sets;
    std::vector<CryptoMapEntry> crypto_maps;
    std::vector<CryptoMapEntry> dynamic_maps;
    std::vector<CryptoMapSet> crypto_map_sets;
    IpsecGlobals ipsec;
    std::vector<IsakmpPolicy> isakmp_policies;
    std::vector<PresharedKey> isakmp_keys;
    std::vector<Keyring> keyrings;
    std::vector<IsakmpProfile> isakmp_profiles;
    std::vector<ClientGroup> client_groups;
    IsakmpGlobals isakmp;
    std::vector<LocalPool> local_pools;
    LoggingConfig logging;
    bool operator==(const Config&) const = default;

    const InterfaceConfig* find_interface(std::string_view name) const;
    const AccessList* find_acl(std::string_view name) const;
    const TransformSet* find_transform_set(std::string_view name) const;
    const CryptoMapSet* find_map_set(std::string_view name) const;
};

}  // namespace espgw::control
