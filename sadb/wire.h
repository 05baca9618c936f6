// The command/event ring protocol between espgw-control and espgw-dataplane, defined once.
//
// Every message is one fixed-size, versioned slot of kMsgSize bytes in an rte_ring living in
// POSIX shared memory (sadb/shm_region.h): the command ring carries control -> dataplane, the
// event ring dataplane -> control. Bodies are plain, trivially copyable structs with explicit
// widths; nothing here points into either process. A configuration is sent as a transaction:
// kConfigBegin(generation), the objects, kConfigCommit(generation); the dataplane applies it
// between bursts and sends kAck(generation) only after every lcore has passed a quiescent point
// with the new state (RCU), so control knows the change is live everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

namespace espgw::sadb::wire {

inline constexpr uint32_t kMagic = 0x45535057;  // "ESPW"
inline constexpr uint16_t kVersion = 3;  // 2: SpdRule.fragments_only; 3: ICMP types in selectors
inline constexpr size_t kMsgSize = 2048;
inline constexpr size_t kMaxPacket = 1920;  // punted/sent packet bytes that fit in one slot

enum class MsgType : uint16_t {
    // control -> dataplane
    kHello = 1,          // a control process attached (Hello body)
    kConfigBegin,        // transaction start; full = replace everything, else a difference
    kInterface,          // Interface body
    kGlobals,            // Globals body
    kSaAdd,              // Sa body (add or replace by direction + SPI)
    kSaDelete,           // SaRef body
    kSaExpire,           // SaRef body: control's timers (lifetime seconds, idle-time) stop an
                         // SA; outside any transaction, applied at once, answered by a kSaEvent
    kSpdRules,           // SpdRules body: rules appended to the snapshot being built
    kRouteAdd,           // Route body
    kRouteDelete,        // Route body
    kNeighborAdd,        // Neighbor body (static ARP or learnt by control)
    kNeighborDelete,     // Neighbor body
    kConfigCommit,       // apply the transaction (Commit body)
    kSendPacket,         // Packet body: transmit these bytes on a port (IKE, ARP, ICMP)
    kResyncRequest,      // a restarted control asks for the dataplane's state (no body)
    kInterfaceDelete,    // Interface body: the interface bound to `port` is gone (SIGHUP diff)
    kCaptureStart = 40,  // CaptureStart body: begin a packet capture (monitor capture)
    kCaptureStop,        // CaptureRef body: stop the named capture
    kCaptureQuery,       // CaptureRef body: status of one capture (name) or all (name "")
    // dataplane -> control
    kAck = 100,            // Ack body
    kSaEvent,              // SaEvent body: soft/hard lifetime, sequence exhausted, idle
    kAcquire,              // Acquire body: PROTECT hit without an SA (deduplicated, rate-limited)
    kDropSample,           // DropSample body
    kPuntPacket,           // Packet body: received packet for control (IKE, ...)
    kStateSa,              // Sa body without keys: one installed SA, answering kResyncRequest
    kStateEnd,             // Commit body: end of the state dump (generation the dataplane runs)
    kCaptureStatus = 140,  // CaptureStatus body: answers kCaptureStart/Stop/Query
};

struct Header {
    uint32_t magic;
    uint16_t version;
    MsgType type;
    uint32_t body_len;
    uint32_t reserved;
    uint64_t generation;  // configuration generation the message belongs to
};
static_assert(sizeof(Header) == 24);

// IPv4 or IPv6 address; IPv4 in the first 4 bytes, network order.
struct Addr {
    uint8_t version;  // 0 = none, 4, 6
    uint8_t pad[3];
    uint8_t bytes[16];
};

// Traffic selector (RFC 4301 §4.4.1): addresses as prefixes, protocol 0 = any, port ranges (for
// ICMP: type and code in the source range, sadb/spd_match.h).
struct Selector {
    Addr src;
    Addr dst;
    uint8_t src_prefix;
    uint8_t dst_prefix;
    uint8_t proto;
    uint8_t pad;
    uint16_t sport_lo, sport_hi;
    uint16_t dport_lo, dport_hi;
};

struct Hello {
    uint32_t pid;
    uint32_t reserved;
};

struct ConfigBegin {
    uint8_t full;  // 1: the transaction replaces all state; 0: a difference
    uint8_t pad[7];
};

struct Commit {
    uint64_t generation;
};

enum class FragPolicy : uint8_t { kBeforeEncryption, kAfterEncryption };
enum class DfPolicy : uint8_t { kCopy, kSet, kClear };

struct Globals {
    FragPolicy frag;
    DfPolicy df;
    uint8_t idle_backoff;  // unused: the dataplane's --idle-backoff decides (control sends 1)
    uint8_t pad;
    uint32_t replay_window;  // default for SAs that do not say
    uint32_t icmp_rate_per_s;
    uint32_t reserved;
};

struct Interface {
    uint16_t port;       // DPDK port id
    uint16_t mtu;        // ip mtu
    uint16_t mss_clamp;  // ip tcp adjust-mss, 0 = off
    uint8_t prefix;      // of addr
    uint8_t outside;     // has a crypto map
    Addr addr;
    char name[32];
    char description[64];
    char crypto_map[32];
};

enum class Direction : uint8_t { kInbound, kOutbound };
enum class Mode : uint8_t { kTunnel, kTransport };

struct Sa {
    uint32_t spi;
    uint32_t conn_id;       // unique per SA; also the SA's name in events and stats
    uint32_t pair_conn_id;  // the other direction of the same tunnel
    Direction direction;
    Mode mode;
    uint8_t cipher;     // crypto::Cipher
    uint8_t integrity;  // crypto::Integrity
    uint8_t esn;
    uint8_t udp_encap;
    DfPolicy df;
    uint8_t copy_dscp;
    uint8_t ttl;
    uint8_t cipher_key_len;
    uint8_t auth_key_len;
    uint8_t pad;
    uint16_t udp_local_port, udp_peer_port;
    uint16_t path_mtu;
    uint16_t port;           // interface the crypto map is applied to
    uint32_t replay_window;  // 0 = off
    uint64_t soft_bytes, hard_bytes, soft_packets, hard_packets;  // 0 = unlimited
    Addr local;
    Addr peer;
    Selector selector;  // local side as src; inbound packets are checked against its mirror
    char map_name[32];  // crypto map tag
    uint32_t map_seq;
    uint32_t flags;          // kSaFlag*, read by the transaction only (never stored with the SA)
    uint8_t cipher_key[36];  // wiped from the ring slot after use
    uint8_t auth_key[64];
};

// Install this SA fresh even when an identical one runs (`clear crypto sa`): new slot and
// generation, sequence numbers from 1, empty replay window, zero counters.
inline constexpr uint32_t kSaFlagReinstall = 1;

// kSoftLifetime/kHardLifetime: the dataplane's byte/packet limits, or control's time lifetime
// (soft: control logs it itself; hard: control sends kSaExpire and the dataplane answers with
// the event). kIdle: control saw no packet on either SA of a tunnel for `idle-time` seconds.
enum class SaEventType : uint8_t { kSoftLifetime, kHardLifetime, kSeqExhausted, kIdle };

struct SaRef {
    uint32_t spi;
    uint32_t conn_id;
    Direction direction;
    // kSaExpire: why control stops the SA (kHardLifetime: `lifetime seconds` ran out; kIdle:
    // `idle-time` passed without traffic); the dataplane raises this event once when it blocks
    // the SA. Ignored by kSaDelete.
    SaEventType reason;
    uint8_t pad[6];
};

enum class SpdAction : uint8_t { kProtect, kBypass, kDiscard };

struct SpdRule {
    uint32_t id;          // position in the snapshot, ordered: crypto-map sequence then ACL line
    uint32_t sa_conn_id;  // outbound SA for PROTECT, 0 if none yet (ACQUIRE)
    Selector sel;
    SpdAction action;
    // 1: the rule matches non-initial fragments only (IOS ACL keyword `fragments`); such a rule
    // has no port ranges. Semantics in sadb/spd_match.h.
    uint8_t fragments_only;
    uint16_t port;      // interface of the crypto map
    uint32_t map_seq;   // crypto map sequence number
    uint32_t acl_line;  // line of the access-list
};

inline constexpr size_t kSpdRulesPerMsg = (kMsgSize - sizeof(Header) - 8) / sizeof(SpdRule);

struct SpdRules {
    uint32_t count;
    uint32_t pad;
    SpdRule rules[kSpdRulesPerMsg];
};

struct Route {
    Addr prefix;
    uint8_t prefix_len;
    uint8_t pad;
    uint16_t port;  // egress port (control resolves the interface of the next hop)
    Addr next_hop;  // version 0 = directly connected
};

struct Neighbor {
    Addr addr;
    uint8_t mac[6];
    uint16_t port;
    uint8_t is_static;
    uint8_t pad[7];
};

struct Ack {
    uint64_t generation;
    uint32_t status;  // 0 = applied; otherwise the number of objects refused
    uint32_t pad;
    char error[200];  // first refusal, one line
};

struct SaEvent {
    SaEventType type;
    Direction direction;
    uint8_t pad[2];
    uint32_t spi;
    uint32_t conn_id;
    uint32_t reserved;
};

struct Acquire {
    uint32_t rule_id;
    uint32_t pad;
    Addr src;
    Addr dst;
    uint8_t proto;
    uint8_t pad2;
    uint16_t sport, dport;
};

struct DropSample {
    uint8_t reason;  // sadb::DropReason
    Direction direction;
    uint16_t port;
    uint32_t spi;
    uint32_t conn_id;
    uint32_t pad;
    uint64_t seq;
    Addr src;
    Addr dst;
    uint8_t inner_proto;
    uint8_t pad2[3];
    Addr inner_src;  // for inner-policy mismatches (ASA 402116 carries them)
    Addr inner_dst;
};

struct Packet {
    uint16_t port;
    uint16_t len;
    uint32_t pad;
    uint8_t bytes[kMaxPacket];  // from the Ethernet header
};

// Packet capture to pcapng (`espgw monitor capture`): control relays the CLI's request and the
// dataplane, which owns the packets, writes the file itself. Every request carries a
// request_id and is answered by kCaptureStatus messages with the same id (a query for all
// captures by one message per capture, `index` of `count`).
enum class CaptureScope : uint8_t { kInterface, kSa, kDrops };
inline constexpr uint8_t kCaptureIn = 1;   // CaptureStart::dir bits: received / entering decap
inline constexpr uint8_t kCaptureOut = 2;  // sent / leaving encap

enum class CaptureState : uint8_t { kNone, kRunning, kStopped };
enum class CaptureStopReason : uint8_t {
    kNone,         // still running
    kUser,         // `monitor capture NAME stop`
    kPacketLimit,  // `limit packets N` reached
    kByteLimit,    // `limit bytes N` reached: the next packet would have passed it
    kWriteError,   // the file could not be written (disk full, ...)
    kShutdown,     // the dataplane stopped
};
enum class CaptureResult : uint8_t {
    kOk,
    kAlreadyRunning,  // a capture runs (one at a time)
    kNotFound,        // no capture of that name
    kFileError,       // the file cannot be created or written
    kBadRequest,      // port, snap length or limits out of range
    kNoResources,     // no memory for the capture pool or ring
};

struct CaptureStart {
    uint32_t request_id;
    CaptureScope scope;
    uint8_t dir;    // kCaptureIn | kCaptureOut; for kSa: the directions the SPI exists in
    uint8_t inner;  // kSa: the clear packets of the SA too (after decap, before encap)
    uint8_t pad;
    uint16_t port;  // kInterface: DPDK port
    uint16_t pad2;
    uint32_t spi;            // kSa
    uint32_t snaplen;        // bytes kept of each packet
    uint64_t limit_packets;  // stop after this many packets written
    uint64_t limit_bytes;    // stop before the file grows past this many bytes
    char name[32];
    char iface[32];  // kInterface: the configured interface name (for status)
    char path[512];  // absolute; created mode 0600 by the dataplane
};

struct CaptureRef {
    uint32_t request_id;
    uint32_t pad;
    char name[32];  // kCaptureQuery: "" = every capture the dataplane remembers
};

struct CaptureStatus {
    uint32_t request_id;
    CaptureResult result;
    CaptureState state;
    CaptureStopReason stop_reason;
    uint8_t pad;
    uint16_t index, count;  // this capture of `count` answering one request (count 0: none)
    uint32_t pad2;
    CaptureStart config;              // as started (request_id of the start)
    uint64_t packets;                 // written to the file
    uint64_t bytes;                   // file size
    uint64_t lost;                    // copies lost: capture ring full or capture pool empty
    uint64_t started_ns, stopped_ns;  // CLOCK_REALTIME; stopped 0 while running
    char error[200];                  // result != kOk, or the write error that stopped it
};

// One ring slot.
struct Msg {
    Header hdr;
    union Body {
        Hello hello;
        ConfigBegin begin;
        Commit commit;
        Globals globals;
        Interface interface;
        Sa sa;
        SaRef sa_ref;
        SpdRules spd;
        Route route;
        Neighbor neighbor;
        Ack ack;
        SaEvent sa_event;
        Acquire acquire;
        DropSample drop;
        Packet packet;
        CaptureStart capture_start;
        CaptureRef capture_ref;
        CaptureStatus capture_status;
        uint8_t raw[kMsgSize - sizeof(Header)];
    } body;
};
static_assert(sizeof(Msg) == kMsgSize);
static_assert(std::is_trivially_copyable_v<Msg>);

// Fills the header for a message of `type` whose body is T.
template <typename T>
inline void set_header(Msg& m, MsgType type, uint64_t generation) {
    m.hdr = Header{kMagic, kVersion, type, static_cast<uint32_t>(sizeof(T)), 0, generation};
}

// A fixed-size text field of a message as a string: up to its NUL, or all of it when the sender
// left none (a slot is never trusted to be terminated).
template <size_t N>
inline std::string text_of(const char (&field)[N]) {
    return {field, strnlen(field, N)};
}

inline bool header_ok(const Msg& m) {
    return m.hdr.magic == kMagic && m.hdr.version == kVersion &&
           m.hdr.body_len <= sizeof(Msg::Body);
}

}  // namespace espgw::sadb::wire
