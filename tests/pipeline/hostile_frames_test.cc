// Hostile frames through the whole gateway (inprocess_gateway.h: real worker_poll, SPD, SA table,
// intel-ipsec-mb, net_ring ports). Thousands of frames of every kind the gateway meets (ESP for
// a tunnel, ESP whose inner packet is hostile but authentic, NAT-T ESP, outer fragments,
// cleartext to protect, discard, bypass and a PROTECT rule without an SA, ARP, ICMP echo and PMTU
// messages, IKE on 500/4500, 802.1Q, IPv6, packets too big for the tunnel or the egress, with
// and without DF) are mutated at random: bit flips, bytes overwritten,
// truncation, trailing bytes, IPv4 and ESP header fields set to edge values (the header checksum
// fixed most of the time, so the mutation reaches the layers behind it), and chained mbufs.
// A second tunnel carries bystander traffic throughout; a third (AES-CBC + HMAC-SHA1 in UDP 4500,
// NAT-T) gets its own ESP, hostile ESP, raw ESP (encap mismatch) and cleartext; two host-to-host
// SA pairs in transport mode with two more peers (one in UDP 4500) get echo requests to the
// gateway, authentic ESP whose payload and next header are hostile, and cleartext their policy
// refuses. Checked:
// - every frame ends in exactly one place: transmitted, punted to the main lcore, or one drop
//   counter (outer fragments may wait in reassembly; a big packet without DF may leave as
//   several fragments);
// - an ESP packet whose protected bytes changed never reaches the inside, and what a tunnel
//   delivers stays inside its SA's selectors (RFC 4301 §5.2);
// - no protected traffic leaves in clear, and every ESP packet the gateway sends decrypts at the
//   peer to a packet the SA's selectors cover;
// - nothing is forwarded from or to a martian address (RFC 1812 §5.3.7);
// - every bystander packet gets through both ways, byte for byte, and the bystander SAs count no
//   drop;
// - the main lcore serves what was punted (ARP and echo replies, ICMP errors quoting hostile
//   packets, PMTU messages) and its replies pass the same checks;
// - no mbuf is lost; under the sanitize suite, no invalid access.
// The PRNG seed is fixed (a failure reproduces); ESPGW_HOSTILE_SEED picks another.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tests/drops/esp_env.h"
#include "tests/pipeline/inprocess_gateway.h"

namespace espgw::dataplane {
namespace {

using namespace gw_test;
using R = DropReason;

constexpr uint32_t kInsideNet = 0xc6120100;
constexpr uint32_t kSpoofed = 0xc612070a;  // 198.18.7.10: in no tunnel's selectors

bool in_net24(uint32_t a, uint32_t net) {
    return (a & 0xffffff00u) == net;
}

// RFC 1812 §5.3.7 and §4.2.2.11: addresses a router never forwards from or to (this network,
// loopback, class E, limited broadcast; multicast as a source).
bool martian(uint32_t src, uint32_t dst) {
    const auto bad = [](uint32_t a) {
        return (a >> 24) == 0 || (a >> 24) == 127 || (a >> 28) == 0xf;
    };
    return bad(src) || bad(dst) || (src >> 28) == 0xe;
}

// Offset of the IPv4 header in an Ethernet frame (plain or one 802.1Q tag), if it carries one.
std::optional<size_t> ipv4_at(const Bytes& f) {
    if (f.size() >= 14 + 20 && load_be16(&f[12]) == RTE_ETHER_TYPE_IPV4) return 14;
    if (f.size() >= 18 + 20 && load_be16(&f[12]) == RTE_ETHER_TYPE_VLAN &&
        load_be16(&f[16]) == RTE_ETHER_TYPE_IPV4)
        return 18;
    return std::nullopt;
}

// An IPv4 fragment (MF or an offset): reassembly may hold it without counting anything yet.
bool is_fragment(const Bytes& f) {
    const auto at = ipv4_at(f);
    return at && (load_be16(&f[*at + 6]) & 0x3fff) != 0;
}

// Fragments a forwarded packet may become: pre-fragmentation (outbound.cc) makes at most 4, a
// cleartext egress at most 8 (route_tx.cc).
constexpr uint64_t kMaxSplit = 8;

// A frame from the host whose (mutated) IPv4 header sends a DF packet too big to fit any ESP
// packet into the bystander tunnel's network.
bool too_big_for_tunnel1(const Bytes& f) {
    const auto at = ipv4_at(f);
    return at && f.size() - *at > 1400 && (f[*at + 6] & 0x40) != 0 &&
           (load_be32(&f[*at + 16]) >> 8) == (kTunnels[1].remote_net >> 8);
}

// A packet without DF that may not fit its egress (kClearBig; a kPmtu message may have lowered
// tunnel 0's path MTU to as little as 576, RFC 1191) may leave as several fragments, each
// counted as transmitted. A big packet with DF ends in one counter, unless `df_clear` (`crypto
// ipsec df-bit clear`): then its ESP packet may be fragmented after encryption.
bool may_split(const Bytes& f, bool df_clear) {
    const auto at = ipv4_at(f);
    return at && f.size() - *at > 480 && ((f[*at + 6] & 0x40) == 0 || df_clear);
}

// The MSS option (RFC 9293 §3.2) of a TCP SYN in the IPv4 packet `ip`, if it has one that lies
// within the TCP header.
std::optional<uint16_t> syn_mss(const Bytes& ip) {
    if (ip.size() < 20 || ip[9] != kProtoTcp || (load_be16(&ip[6]) & 0x1fff) != 0)
        return std::nullopt;
    const size_t ihl = (ip[0] & 0xf) * 4u;
    if (ip.size() < ihl + 20 || (ip[ihl + 13] & 0x02) == 0) return std::nullopt;
    const size_t end = ihl + (ip[ihl + 12] >> 4) * 4u;
    for (size_t at = ihl + 20; at < end && end <= ip.size();) {
        if (ip[at] == 0) break;
        if (ip[at] == 1) {
            ++at;
            continue;
        }
        if (at + 1 >= end || ip[at + 1] < 2) break;
        if (ip[at] == 2 && ip[at + 1] == 4 && at + 4 <= end) return load_be16(&ip[at + 2]);
        at += ip[at + 1];
    }
    return std::nullopt;
}

// Transmitted frames with the fragments of each IPv4 packet put back together (RFC 791), as the
// peer would before decapsulating: the gateway fragments ESP packets after encryption (RFC 4459
// §3) and forwarded cleartext on egress. Fragments of a packet that is not complete stay as
// they are. `esp_merged` counts the gateway's own ESP packets (an outbound SPI from its outside
// address; transit ESP is forwarded and fragmented as any packet) put together.
std::vector<Bytes> reassembled(std::vector<Bytes> frames, uint64_t& esp_merged) {
    using Key = std::tuple<uint32_t, uint32_t, uint16_t, uint8_t>;
    std::map<Key, std::vector<size_t>> groups;
    for (size_t k = 0; k < frames.size(); ++k)
        if (is_fragment(frames[k]) && ipv4_at(frames[k]) == 14u) {
            const uint8_t* ip = &frames[k][14];
            groups[{load_be32(ip + 12), load_be32(ip + 16), load_be16(ip + 4), ip[9]}].push_back(k);
        }
    std::vector<bool> used(frames.size(), false);
    std::vector<Bytes> out;
    for (const auto& [key, idx] : groups) {
        std::map<size_t, Bytes> parts;  // by offset
        bool last_seen = false;
        for (const size_t k : idx) {
            const Bytes& f = frames[k];
            const size_t hl = (f[14] & 0xf) * 4u, off = (load_be16(&f[20]) & 0x1fff) * 8u;
            parts[off] = Bytes(f.begin() + long(14 + hl), f.begin() + 14 + load_be16(&f[16]));
            last_seen |= (f[20] & 0x20) == 0;
        }
        size_t next = 0;
        Bytes payload;
        for (const auto& [off, data] : parts) {
            if (off != next) break;
            payload.insert(payload.end(), data.begin(), data.end());
            next += data.size();
        }
        if (!last_seen || next != payload.size() || parts.begin()->first != 0 ||
            next != parts.rbegin()->first + parts.rbegin()->second.size())
            continue;
        const Bytes& first = frames[idx.front()];
        Bytes f(first.begin(), first.begin() + 14 + 20);
        f[14] = 0x45;
        f.insert(f.end(), payload.begin(), payload.end());
        store_be16(&f[16], static_cast<uint16_t>(f.size() - 14));
        store_be16(&f[20], static_cast<uint16_t>(load_be16(&f[20]) & 0x4000));
        set_ipv4_checksum(&f[14]);
        const bool ours =
            f[14 + 9] == kProtoEsp && load_be32(&f[14 + 12]) == kGatewayOut &&
            std::any_of(std::begin(kTunnels), std::end(kTunnels),
                        [&](const Tunnel& t) { return load_be32(&f[14 + 20]) == t.spi_out; });
        esp_merged += ours ? 1 : 0;
        out.push_back(std::move(f));
        for (const size_t k : idx)
            used[k] = true;
    }
    for (size_t k = 0; k < frames.size(); ++k)
        if (!used[k]) out.push_back(std::move(frames[k]));
    return out;
}

// UDP checksum 0: the header checksum does not cover the payload, so it can be replaced.
Bytes udp4(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, const Bytes& payload) {
    Bytes p = esp_test::ipv4_udp(static_cast<uint16_t>(payload.size()), sport, dport, src, dst);
    std::copy(payload.begin(), payload.end(), p.begin() + 28);
    return p;
}

// A TCP SYN with an MSS option (RFC 9293 §3.7.1).
Bytes tcp_syn(uint32_t src, uint32_t dst) {
    Bytes p(20 + 24, 0);
    p[0] = 0x45;
    p[8] = 64;
    p[9] = kProtoTcp;
    store_be16(&p[2], static_cast<uint16_t>(p.size()));
    store_be32(&p[12], src);
    store_be32(&p[16], dst);
    store_be16(&p[20], 40000);
    store_be16(&p[22], 80);
    p[32] = 6 << 4;  // data offset: 24 bytes
    p[33] = 0x02;    // SYN
    store_be16(&p[34], 65535);
    p[40] = 2;
    p[41] = 4;
    store_be16(&p[42], 1460);
    set_ipv4_checksum(p.data());
    return p;
}

Bytes ipv6_udp(const Bytes& payload) {
    Bytes p(40 + 8, 0);
    p[0] = 0x60;
    store_be16(&p[4], static_cast<uint16_t>(8 + payload.size()));
    p[6] = kProtoUdp;
    p[7] = 64;
    p[8] = 0x20;
    p[9] = 0x01;
    p[24] = 0x20;
    p[25] = 0x01;
    p[39] = 2;
    store_be16(&p[44], static_cast<uint16_t>(8 + payload.size()));
    p.insert(p.end(), payload.begin(), payload.end());
    return p;
}

// The two IPv4 fragments (RFC 791) of the IP packet in `frame`, split after `first` payload
// bytes (a multiple of 8), as Ethernet frames with the same header.
std::vector<Bytes> fragments(const Bytes& frame, size_t first) {
    const Bytes ip(frame.begin() + 14, frame.end());
    const size_t hl = 20, payload = ip.size() - hl;
    std::vector<Bytes> out;
    for (const auto& [from, len, more] :
         {std::tuple{size_t{0}, first, true}, std::tuple{first, payload - first, false}}) {
        Bytes f(ip.begin(), ip.begin() + hl);
        f.insert(f.end(), ip.begin() + hl + from, ip.begin() + hl + from + len);
        store_be16(&f[2], static_cast<uint16_t>(f.size()));
        store_be16(&f[6], static_cast<uint16_t>((more ? 0x2000 : 0) | (from / 8)));
        set_ipv4_checksum(f.data());
        out.push_back(concat(Bytes(frame.begin(), frame.begin() + 14), f));
    }
    return out;
}

constexpr size_t kNTunnels = std::size(kTunnels);
constexpr int kTransport[2] = {3, 4};  // host to host, transport mode (4: in UDP 4500)
static_assert(kTunnels[3].transport && kTunnels[4].transport && kTunnels[4].udp);

// ESP payload encryption and ICV with OpenSSL: AES-128-GCM (RFC 4106: nonce = salt || IV, AAD =
// SPI || sequence) or AES-128-CBC (RFC 3602: the IV field is the CBC IV) with HMAC-SHA1-96
// (RFC 2404) over ESP header, IV and ciphertext. `esp` holds the header and IV and has room for
// `plain` and the ICV. With `esn` the sequence number's high half (0 here: the peer never sends
// 2^32 packets) is authenticated but not sent: in the AAD between SPI and sequence (RFC 4106 §5),
// or hashed after the ciphertext (RFC 4303 §2.2.1).
bool seal(const Tunnel& t, Bytes& esp, const Bytes& plain, size_t iv_len, bool esn) {
    const bool gcm = t.cipher == crypto::Cipher::kAes128Gcm;
    uint8_t iv[16];
    std::memcpy(iv, t.key_in + 16, 4);  // GCM salt (RFC 4106 §4)
    std::memcpy(gcm ? iv + 4 : iv, &esp[8], iv_len);
    uint8_t* ct = &esp[8 + iv_len];
    uint8_t aad[12] = {};
    std::memcpy(aad, esp.data(), 4);
    std::memcpy(aad + (esn ? 8 : 4), &esp[4], 4);
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0;
    bool ok = EVP_EncryptInit_ex(ctx, gcm ? EVP_aes_128_gcm() : EVP_aes_128_cbc(), nullptr,
                                 t.key_in, iv) == 1 &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
              (!gcm || EVP_EncryptUpdate(ctx, nullptr, &len, aad, esn ? 12 : 8) == 1) &&
              EVP_EncryptUpdate(ctx, ct, &len, plain.data(), int(plain.size())) == 1 &&
              EVP_EncryptFinal_ex(ctx, ct + len, &fin) == 1;
    uint8_t* icv = ct + plain.size();
    if (gcm) {
        ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, icv) == 1;
    } else {
        uint8_t mac[EVP_MAX_MD_SIZE];
        unsigned mac_len = 0;
        Bytes covered(esp.begin(), esp.begin() + long(8 + iv_len + plain.size()));
        if (esn) covered.insert(covered.end(), 4, 0);
        ok = ok && HMAC(EVP_sha1(), t.key_in, 20, covered.data(), covered.size(), mac, &mac_len) !=
                       nullptr;
        std::memcpy(icv, mac, 12);
    }
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

// Next header of a tunnel-mode trailer kind (esp_by_hand): 3 dummy (59, RFC 4303 §2.6), 4 TCP,
// 5 IPv6 (a correct trailer for an IPv6 inner packet), else IPv4.
uint8_t tunnel_next_header(int trailer) {
    return trailer == 3 ? 59 : trailer == 4 ? kProtoTcp : trailer == 5 ? kProtoIpv6 : kProtoIpv4;
}

// The peer's ESP (RFC 4303 §2) for tunnel `t`, built with OpenSSL, not with espgw's engine, so
// that it can carry what the engine never sends: any payload, and trailers with bad padding or
// any next header. `trailer` 0 is a correct one; 1 breaks a padding byte; 2 claims more padding
// than there is; 3 to 5 as tunnel_next_header(). `nh` overrides the next header. In UDP 4500
// (RFC 3948) when the tunnel says so. In transport mode `payload` is what follows the peer's IP
// header (RFC 4303 §3.1.1).
Bytes esp_by_hand(const Tunnel& t, bool esn, uint32_t seq, const Bytes& payload, int trailer,
                  uint64_t iv, std::optional<uint8_t> nh = std::nullopt) {
    const bool gcm = t.cipher == crypto::Cipher::kAes128Gcm;
    const size_t block = gcm ? 4 : 16, iv_len = gcm ? 8 : 16, icv_len = gcm ? 16 : 12;
    Bytes plain = payload;
    const size_t pad = (block - (payload.size() + 2) % block) % block + (trailer == 1 ? block : 0);
    for (size_t i = 1; i <= pad; ++i)
        plain.push_back(static_cast<uint8_t>(i));
    if (trailer == 1) plain[payload.size() + pad / 2] ^= 0x40;
    plain.push_back(static_cast<uint8_t>(trailer == 2 ? plain.size() + 1 : pad));
    plain.push_back(nh.value_or(tunnel_next_header(trailer)));
    Bytes esp(8 + iv_len + plain.size() + icv_len, 0);
    store_be32(&esp[0], t.spi_in);
    store_be32(&esp[4], seq);
    for (size_t i = 0; i < iv_len; ++i)
        esp[8 + i] = static_cast<uint8_t>(iv >> (56 - 8 * (i % 8)));
    EXPECT_TRUE(seal(t, esp, plain, iv_len, esn));
    if (t.udp) {
        Bytes udp(8, 0);
        store_be16(&udp[0], kNattPort);
        store_be16(&udp[2], kNattPort);
        store_be16(&udp[4], static_cast<uint16_t>(8 + esp.size()));
        esp.insert(esp.begin(), udp.begin(), udp.end());
    }
    Bytes ip(20, 0);
    ip[0] = 0x45;
    ip[8] = 64;
    ip[9] = t.udp ? kProtoUdp : kProtoEsp;
    store_be32(&ip[12], t.peer);
    store_be32(&ip[16], kGatewayOut);
    ip.insert(ip.end(), esp.begin(), esp.end());
    store_be16(&ip[2], static_cast<uint16_t>(ip.size()));
    set_ipv4_checksum(ip.data());
    return ip;
}

enum class Kind {
    kEsp,               // ESP for tunnel 0 from the peer
    kEspHostileInner,   // ESP for tunnel 0 whose (authentic) inner packet was mutated
    kEspEcho,           // ESP carrying an echo request to the gateway's inside address
    kEspNatt,           // tunnel 0's ESP in UDP 4500 (the SA is not UDP-encapsulated)
    kEspReplay,         // a kEsp frame sent before
    kEspFragment,       // one of the two outer fragments of tunnel 0's ESP
    kClearProtect,      // host to the tunnel 0 network: encapsulated
    kTcpSyn,            // the same as a TCP SYN
    kClearDiscard,      // to the DISCARD rule's network
    kClearNoSa,         // to the PROTECT rule without an SA (ACQUIRE)
    kClearBypass,       // host to the peer's address: no rule, forwarded in clear
    kClearInProtected,  // cleartext from the tunnel 0 network arriving on the outside
    kArpRequest,
    kArpReply,
    kEchoOutside,  // echo request from the peer to the gateway's outside address
    kIke500,
    kIke4500,  // UDP 4500 with the non-ESP marker
    kNattKeepalive,
    kPmtu,  // ICMP fragmentation needed quoting tunnel 0's outbound ESP
    kVlan,  // 802.1Q-tagged kClearProtect
    kIpv6,
    kNatt,              // tunnel 2 (AES-CBC + HMAC-SHA1, UDP 4500) from the peer
    kNattHostileInner,  // tunnel 2 with a mutated (authentic) inner packet or trailer
    kNattRaw,           // tunnel 2's ESP without its UDP header
    kClearProtectNatt,  // host to the tunnel 2 network: encapsulated in UDP
    kEspSpoofedInner,   // tunnel 0, authentic, inner source outside its selectors
    kClearBig,          // 1328-1588 bytes from the host to tunnel 0 or the peer (bypass), DF one
                        // time in two: pre-fragmented, fragmented on egress, or refused with
                        // ICMP fragmentation needed
    kTransportEcho,     // transport-mode ESP from a host peer: echo request to the gateway
    kTransportHostile,  // the same SAs, authentic, payload mutated and any next header
    kTransportClear,    // cleartext from a host peer to the gateway: its policy says ESP
    kCount
};

// One frame to send and what the checks need to know about it.
struct Case {
    Kind kind = Kind::kEsp;
    Bytes frame;
    bool outside = false;
    int tunnel = 0;  // of kTunnels, for ESP from the peer
    // ESP templates: the protected bytes as sent (from the SPI on, or the fragment's part of
    // them), at esp_at in the frame.
    size_t esp_at = 14 + 20;
    Bytes esp;
    Bytes inner;   // the inner packet an authentic kEsp frame carries
    Bytes before;  // kEspFragment: the other fragment, sent first and never mutated

    // Whether the gateway may decapsulate it: ESP whose protected bytes are all still there
    // (header fields, such as TTL or DSCP, may have changed).
    bool authentic() const {
        return !esp.empty() && frame.size() >= esp_at + esp.size() &&
               std::equal(esp.begin(), esp.end(), frame.begin() + long(esp_at));
    }
};

class Hostile {
  public:
    Hostile(Gateway& gw, uint32_t seed) : gw_(gw), rng_(seed) {}

    Case make(Kind k) {
        Case c;
        c.kind = k;
        c.outside = true;
        const Bytes payload = random_bytes(uniform(0, 200));
        switch (k) {
            case Kind::kEsp:
            case Kind::kEspNatt:
            case Kind::kEspFragment:
                c.inner = udp4(kRemote, kHost, 1000, 2000, payload);
                c.frame = gw_.from_peer(c.inner, ++seq_);
                if (k == Kind::kEspNatt) c.frame = udp_encapsulated(c.frame);
                if (k == Kind::kEspFragment) {
                    auto two = fragments(c.frame, 24);
                    if (chance(2)) std::swap(two[0], two[1]);  // out of order
                    c.before = two[0];
                    c.frame = two[1];
                }
                break;
            case Kind::kEspHostileInner:
                c.frame = hostile_esp(kTunnels[0], ++seq_, kRemote, payload);
                break;
            case Kind::kEspReplay:  // the last kEsp frame again
                c.frame = last_esp_.empty() ? gw_.from_peer(udp4(kRemote, kHost, 1, 2, {}), ++seq_)
                                            : last_esp_;
                break;
            case Kind::kEspEcho:
                c.inner = ipv4(kRemote, kGatewayIn, kProtoIcmp, 16);
                c.frame = gw_.from_peer(c.inner, ++seq_);
                break;
            case Kind::kNatt:
            case Kind::kNattRaw:
                c.tunnel = 2;
                c.inner = udp4(kRemote3, kHost, 1000, 2000, payload);
                c.frame = gw_.from_peer(c.inner, ++seq2_, kTunnels[2]);
                if (k == Kind::kNattRaw) {  // the ESP straight after the IP header
                    c.frame.erase(c.frame.begin() + 34, c.frame.begin() + 42);
                    c.frame[14 + 9] = kProtoEsp;
                    store_be16(&c.frame[14 + 2], static_cast<uint16_t>(c.frame.size() - 14));
                    set_ipv4_checksum(&c.frame[14]);
                }
                break;
            case Kind::kNattHostileInner:
                c.tunnel = 2;
                c.frame = hostile_esp(kTunnels[2], ++seq2_, kRemote3, payload);
                break;
            case Kind::kTransportEcho:
            case Kind::kTransportHostile:
            case Kind::kTransportClear: {
                const int which = int(uniform(0, 1));
                const Tunnel& t = kTunnels[kTransport[which]];
                if (k == Kind::kTransportClear) {
                    c.frame =
                        concat(ethernet(gw_.mac(gw_.outside()), peer_mac(t), RTE_ETHER_TYPE_IPV4),
                               ipv4(t.peer, kGatewayOut, kProtoIcmp, 24));
                    break;
                }
                c.tunnel = kTransport[which];
                if (t.udp) c.esp_at += 8;  // UDP header
                if (k == Kind::kTransportHostile) {
                    c.frame = hostile_transport(t, ++transport_seq_[which], payload);
                    break;
                }
                c.inner = ipv4(t.peer, kGatewayOut, kProtoIcmp, uint16_t(uniform(8, 64)));
                c.frame = gw_.from_peer(c.inner, ++transport_seq_[which], t);
                break;
            }
            case Kind::kEspSpoofedInner:  // RFC 4301 §5.2: dropped after decryption
                c.inner = udp4(kSpoofed, kHost, 1000, 2000, payload);
                c.frame = gw_.from_peer(c.inner, ++seq_);
                break;
            case Kind::kClearProtectNatt:
                c.frame = gw_.from_host(udp4(kHost, kRemote3, 1000, 2000, payload));
                c.outside = false;
                break;
            case Kind::kClearBig: {
                // Not to tunnel 2's network: one bit flip (198.18.5.10 -> .4.10) makes it the
                // bystander tunnel's traffic, whose SA must count no drop.
                Bytes ip = udp4(kHost, chance(2) ? kRemote : kPeer, 1000, 2000,
                                random_bytes(uniform(1300, 1560)));
                if (chance(2)) {
                    ip[6] |= 0x40;  // DF
                    set_ipv4_checksum(ip.data());
                }
                c.frame = gw_.from_host(ip);
                c.outside = false;
                break;
            }
            case Kind::kClearProtect:
            case Kind::kVlan:
                c.frame = gw_.from_host(udp4(kHost, kRemote, 1000, 2000, payload));
                if (k == Kind::kVlan) {
                    const uint8_t tag[4] = {0x81, 0x00, 0x00, 0x07};
                    c.frame.insert(c.frame.begin() + 12, tag, tag + 4);
                }
                c.outside = false;
                break;
            case Kind::kTcpSyn:
                c.frame = gw_.from_host(tcp_syn(kHost, kRemote));
                c.outside = false;
                break;
            case Kind::kClearDiscard:
            case Kind::kClearNoSa:
            case Kind::kClearBypass:
                c.frame = gw_.from_host(udp4(kHost,
                                             k == Kind::kClearDiscard ? kDiscarded
                                             : k == Kind::kClearNoSa  ? kNoSaNet
                                                                      : kPeer,
                                             1000, 2000, payload));
                c.outside = false;
                break;
            case Kind::kClearInProtected:
                c.frame = from_peer_clear(udp4(kRemote, kHost, 1000, 2000, payload));
                break;
            case Kind::kArpRequest:
            case Kind::kArpReply:
                c.frame = arp_to_gateway(k == Kind::kArpRequest);
                c.outside = false;
                break;
            case Kind::kEchoOutside:
                c.frame = from_peer_clear(ipv4(kPeer, kGatewayOut, kProtoIcmp, 24));
                break;
            case Kind::kIke500:
                c.frame = from_peer_clear(udp4(kPeer, kGatewayOut, 500, 500, payload));
                break;
            case Kind::kIke4500:
                c.frame = from_peer_clear(
                    udp4(kPeer, kGatewayOut, 4500, 4500, concat(Bytes(4, 0), payload)));
                break;
            case Kind::kNattKeepalive:
                c.frame = from_peer_clear(udp4(kPeer, kGatewayOut, 4500, 4500, Bytes{0xff}));
                break;
            case Kind::kPmtu:
                c.frame = from_peer_clear(pmtu());
                break;
            case Kind::kIpv6:
                c.frame = concat(ethernet(gw_.mac(gw_.outside()), kPeerMac, RTE_ETHER_TYPE_IPV6),
                                 ipv6_udp(payload));
                break;
            case Kind::kCount:
                break;
        }
        if (k == Kind::kEsp) last_esp_ = c.frame;
        if (k == Kind::kNatt || k == Kind::kNattHostileInner) c.esp_at += 8;  // UDP header
        if (k == Kind::kEsp || k == Kind::kEspHostileInner || k == Kind::kEspEcho ||
            k == Kind::kEspSpoofedInner || k == Kind::kEspFragment || k == Kind::kEspReplay ||
            k == Kind::kNatt || k == Kind::kNattHostileInner || k == Kind::kTransportEcho ||
            k == Kind::kTransportHostile)
            c.esp.assign(c.frame.begin() + long(c.esp_at), c.frame.end());
        return c;
    }

    // Authentic ESP for tunnel `t`, built by hand, whose inner packet is mutated: IPv4 from
    // `remote`, or one time in 8 IPv6 (next header 41, RFC 4303 §3.1.2), which an SA with IPv4
    // selectors never delivers. Its trailer is broken one time in 2.
    Bytes hostile_esp(const Tunnel& t, uint32_t seq, uint32_t remote, const Bytes& payload) {
        const bool v6 = chance(8);
        Bytes inner = v6 ? ipv6_udp(payload) : udp4(remote, kHost, 1000, 2000, payload);
        mutate(inner, 0);
        int trailer = chance(2) ? 0 : int(uniform(1, 4));
        if (v6 && trailer == 0) trailer = 5;
        return from_peer_clear(esp_by_hand(t, gw_.esn(t), seq, inner, trailer, rng_()));
    }

    // Authentic transport-mode ESP from the peer of `t` to the gateway whose payload is an echo
    // request, a UDP datagram (IKE's port one time in 4) or random bytes, mutated, behind any
    // next header (ICMP, TCP, UDP, IPv4, IPv6, ESP, none, or random). Its trailer is broken one
    // time in 4.
    Bytes hostile_transport(const Tunnel& t, uint32_t seq, const Bytes& payload) {
        static constexpr uint8_t kNext[] = {kProtoIcmp, kProtoTcp, kProtoUdp, kProtoIpv4,
                                            kProtoIpv6, kProtoEsp, 59};
        Bytes l4;
        uint8_t nh = kProtoIcmp;
        switch (uniform(0, 2)) {
            case 0: {
                const Bytes echo = ipv4(t.peer, kGatewayOut, kProtoIcmp, 16);
                l4.assign(echo.begin() + 20, echo.end());
                break;
            }
            case 1: {
                const uint16_t port = chance(4) ? 500 : 2000;
                const Bytes udp = udp4(t.peer, kGatewayOut, port, port, payload);
                l4.assign(udp.begin() + 20, udp.end());
                nh = kProtoUdp;
                break;
            }
            default:
                l4 = payload;
                nh = kNext[uniform(0, std::size(kNext) - 1)];
                break;
        }
        if (!l4.empty()) mutate(l4, l4.size());  // no IPv4 header: bytes, truncation, tails
        if (chance(4))
            nh = chance(2) ? kNext[uniform(0, std::size(kNext) - 1)]
                           : static_cast<uint8_t>(uniform(0, 255));
        const int trailer = chance(4) ? int(uniform(1, 2)) : 0;
        return concat(ethernet(gw_.mac(gw_.outside()), peer_mac(t), RTE_ETHER_TYPE_IPV4),
                      esp_by_hand(t, gw_.esn(t), seq, l4, trailer, rng_(), nh));
    }

    // Mutates a case's frame as it travels: always, except authentic ESP made hostile inside
    // (kEspHostileInner, kTransportHostile), which keeps its protected bytes three times in four
    // so that its inner packet and trailer reach the checks behind the ICV.
    void mutate_outer(Case& c) {
        const bool inside = c.kind == Kind::kEspHostileInner || c.kind == Kind::kTransportHostile;
        if (!inside || chance(4)) mutate(c.frame, c.kind == Kind::kVlan ? 18 : 14);
    }

    // Applies one mutation at random (one time in 16 none: the frame as made).
    void mutate(Bytes& f, size_t l3) {
        switch (uniform(0, 15)) {
            case 0:
                break;
            case 1:
            case 2:
                for (int n = uniform(1, 4); n > 0 && !f.empty(); --n)
                    f[uniform(0, f.size() - 1)] ^= static_cast<uint8_t>(1u << uniform(0, 7));
                break;
            case 3:
            case 4:
                for (int n = uniform(1, 3); n > 0 && !f.empty(); --n)
                    f[uniform(0, f.size() - 1)] = edge_byte();
                break;
            case 5:
                f.resize(uniform(0, f.size()));
                break;
            case 6:
                f.resize(f.size() - std::min<size_t>(f.size(), uniform(1, 24)));
                break;
            case 7: {
                const Bytes tail = random_bytes(uniform(1, 64));
                f.insert(f.end(), tail.begin(), tail.end());
                break;
            }
            default:
                mutate_ipv4_field(f, l3);
                break;
        }
    }

    bool chance(int one_in) { return uniform(1, one_in) == 1; }
    size_t uniform(size_t lo, size_t hi) {
        return std::uniform_int_distribution<size_t>(lo, hi)(rng_);
    }

  private:
    Bytes random_bytes(size_t n) {
        Bytes b(n);
        for (auto& x : b)
            x = static_cast<uint8_t>(uniform(0, 255));
        return b;
    }
    uint8_t edge_byte() {
        static constexpr uint8_t kEdges[] = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff};
        return chance(2) ? kEdges[uniform(0, 5)] : static_cast<uint8_t>(uniform(0, 255));
    }
    uint16_t edge_word(uint16_t current) {
        static constexpr uint16_t kEdges[] = {0, 1, 19, 20, 21, 27, 28, 0x7fff, 0xffff};
        switch (uniform(0, 3)) {
            case 0:
                return kEdges[uniform(0, 8)];
            case 1:
                return static_cast<uint16_t>(current + 1);
            case 2:
                return static_cast<uint16_t>(current - 1);
            default:
                return static_cast<uint16_t>(uniform(0, 0xffff));
        }
    }

    // One field of the IPv4 header at `l3` (or, behind it, of ESP or UDP), the header checksum
    // made right again three times in four.
    void mutate_ipv4_field(Bytes& f, size_t l3) {
        if (f.size() < l3 + 20 || (f[l3] >> 4) != 4) {
            if (!f.empty()) f[uniform(0, f.size() - 1)] = edge_byte();
            return;
        }
        uint8_t* ip = &f[l3];
        const size_t ihl = (ip[0] & 0xf) * 4u;
        switch (uniform(0, 11)) {
            case 0:
                ip[0] = static_cast<uint8_t>(chance(2) ? 0x40 | uniform(0, 15) : edge_byte());
                break;
            case 1:
                ip[1] = edge_byte();  // DSCP and ECN (RFC 6040 on decapsulation)
                break;
            case 2:
                store_be16(ip + 2, edge_word(load_be16(ip + 2)));
                break;
            case 3: {
                static constexpr uint16_t kFrag[] = {0x2000, 0x0001, 0x2001, 0x4000,
                                                     0x8000, 0x1fff, 0x3fff};
                store_be16(ip + 6, chance(2) ? kFrag[uniform(0, 6)] : edge_word(0));
                break;
            }
            case 4:
                ip[8] = static_cast<uint8_t>(uniform(0, 2));  // TTL 0, 1, 2
                break;
            case 5: {
                static constexpr uint8_t kProtos[] = {0, 1, 4, 6, 17, 41, 50, 51, 255};
                ip[9] = kProtos[uniform(0, 8)];
                break;
            }
            case 6:
            case 7: {
                static constexpr uint32_t kAddrs[] = {
                    kGatewayOut, kGatewayIn, kHost, kRemote,    kRemote2,   kPeer,
                    0xffffffff,  0xc61201ff, 0,     0x7f000001, 0xe0000001, kDiscarded};
                const uint32_t a = chance(3) ? static_cast<uint32_t>(uniform(0, 0xffffffff))
                                             : kAddrs[uniform(0, 11)];
                store_be32(ip + (chance(2) ? 12 : 16), a);
                break;
            }
            case 8:  // options: the header grows into the payload
                ip[0] = static_cast<uint8_t>(0x40 | uniform(6, 15));
                break;
            default: {  // the first 8 bytes behind the header: SPI and sequence, or UDP
                if (f.size() < l3 + ihl + 8) break;
                uint8_t* l4 = ip + ihl;
                const size_t at = uniform(0, 3) * 2;
                store_be16(l4 + at, edge_word(load_be16(l4 + at)));
                break;
            }
        }
        // Only over a header that still fits: the IHL may now claim more than the frame holds.
        const size_t new_ihl = (ip[0] & 0xf) * 4u;
        if (new_ihl >= 20 && f.size() >= l3 + new_ihl && !chance(4)) set_ipv4_checksum(ip);
    }

    Bytes from_peer_clear(const Bytes& ip) {
        return concat(ethernet(gw_.mac(gw_.outside()), kPeerMac, RTE_ETHER_TYPE_IPV4), ip);
    }

    // ARP for the gateway's inside address (RFC 826): who-has, or an unsolicited reply.
    Bytes arp_to_gateway(bool request) {
        return arp(request ? 1 : 2, request ? test_util::kBroadcast : gw_.mac(gw_.inside()),
                   kHostMac, kHost, kGatewayIn);
    }

    // RFC 1191: fragmentation needed, next-hop MTU 1200, quoting an outbound ESP packet of
    // tunnel 0 (outer header and the first 8 bytes: SPI and sequence).
    Bytes pmtu() {
        Bytes quoted(28, 0);
        quoted[0] = 0x45;
        store_be16(&quoted[2], 1400);
        quoted[8] = 63;
        quoted[9] = kProtoEsp;
        store_be32(&quoted[12], kGatewayOut);
        store_be32(&quoted[16], kPeer);
        set_ipv4_checksum(quoted.data());
        store_be32(&quoted[20], kSpiOut);
        store_be32(&quoted[24], 1);
        Bytes icmp(8, 0);
        icmp[0] = 3;
        icmp[1] = 4;
        store_be16(&icmp[6], 1200);
        icmp.insert(icmp.end(), quoted.begin(), quoted.end());
        const uint16_t c = static_cast<uint16_t>(~rte_raw_cksum(icmp.data(), icmp.size()));
        std::memcpy(&icmp[2], &c, 2);
        Bytes p(20, 0);
        p[0] = 0x45;
        p[8] = 64;
        p[9] = kProtoIcmp;
        store_be32(&p[12], kPeer);
        store_be32(&p[16], kGatewayOut);
        p.insert(p.end(), icmp.begin(), icmp.end());
        store_be16(&p[2], static_cast<uint16_t>(p.size()));
        set_ipv4_checksum(p.data());
        return p;
    }

    Gateway& gw_;
    std::mt19937_64 rng_;
    uint32_t seq_ = 0, seq2_ = 0, transport_seq_[2] = {};
    Bytes last_esp_;
};

uint32_t seed() {
    const char* s = std::getenv("ESPGW_HOSTILE_SEED");
    return s != nullptr ? static_cast<uint32_t>(std::strtoul(s, nullptr, 0)) : 20261123u;
}

// The gateway's terminal counters over all lcores: every frame ends in exactly one of them, or
// in reassembly (merged into a whole packet, or waiting).
struct Totals {
    uint64_t tx = 0, punted = 0, drops = 0;
    std::map<std::string, uint64_t> by_reason;
    uint64_t sum() const { return tx + punted + drops; }

    // What moved since `before`, for a failure message.
    std::string since(const Totals& before) const {
        std::string out = "tx +" + std::to_string(tx - before.tx) + ", punted +" +
                          std::to_string(punted - before.punted);
        for (const auto& [label, n] : by_reason) {
            const auto was = before.by_reason.find(label);
            const uint64_t d = n - (was == before.by_reason.end() ? 0 : was->second);
            if (d != 0) out += ", " + label + " +" + std::to_string(d);
        }
        return out;
    }
};

class HostileRun {
  public:
    HostileRun(const Spec& spec, uint32_t seed)
        : spec_(spec),
          gw_(spec),
          hostile_(gw_, seed),
          df_clear_(spec.df == wire::DfPolicy::kClear),
          mss_clamp_(spec.mss_clamp) {}

    Totals totals() {
        Totals t;
        for (uint16_t i = 0; i < 2; ++i) {
            const auto* s = gw_.lcore(i).stats;
            t.tx += s->tx_packets;
            t.punted += s->punted;
            for (const auto& info : sadb::kDropReasons) {
                const uint64_t n = s->drops.count[size_t(info.reason)];
                if (n == 0) continue;
                t.drops += n;
                t.by_reason[std::string(info.label)] += n;
            }
        }
        return t;
    }

    // Hostile frames one at a time: each is accounted for, and what it produced is checked
    // against what it was. Every `bystander_every` frames the bystanders cross.
    void one_by_one(int frames, int bystander_every) {
        for (int i = 0; i < frames; ++i) {
            if (i % bystander_every == 0) bystanders();
            Case c =
                hostile_.make(static_cast<Kind>(hostile_.uniform(0, size_t(Kind::kCount) - 1)));
            hostile_.mutate_outer(c);
            const Totals before = totals();
            send(c);
            poll();
            const Totals after = totals();
            // Fragments still waiting end here, as their timeout would end them: a step starts
            // with an empty reassembly table, so two fragments merge at most once.
            const uint64_t ended = after.sum() - before.sum() + gw_.flush_reassembly();
            const uint64_t frames = c.before.empty() ? 1 : 2;
            SCOPED_TRACE("frame " + std::to_string(i) + " kind " + std::to_string(int(c.kind)) +
                         " size " + std::to_string(c.frame.size()));
            SCOPED_TRACE("before " + test_util::hex(c.before) + "\nframe " +
                         test_util::hex(c.frame));
            // Two fragments may merge into one packet; a big packet may leave in fragments.
            const bool merging = frames == 2 || is_fragment(c.frame);
            const uint64_t lo = merging ? frames - 1 : frames;
            const uint64_t hi = frames + (may_split(c.frame, df_clear_) ? kMaxSplit - 1 : 0);
            EXPECT_GE(ended, lo) << "a frame must end in exactly one counter: "
                                 << after.since(before);
            EXPECT_LE(ended, hi) << "a frame must end in exactly one counter: "
                                 << after.since(before);
            if (merging) fragments_ += frames;
            sent_ += frames;
            serve();
            check_outputs({&c});
            if (::testing::Test::HasFailure()) return;
        }
        bystanders();
    }

    // Bursts of hostile frames with one bystander pair each, in random order.
    void in_bursts(int bursts) {
        bursts_ = true;
        for (int b = 0; b < bursts; ++b) {
            std::vector<Case> cases(30);
            for (Case& c : cases) {
                c = hostile_.make(static_cast<Kind>(hostile_.uniform(0, size_t(Kind::kCount) - 1)));
                hostile_.mutate_outer(c);
            }
            const Totals before = totals();
            uint64_t frags = 0, frames = 2;  // and the bystander pair
            std::vector<const Case*> all;
            uint64_t splits = 0;  // fragments beyond the first that big packets may become
            for (const Case& c : cases) {
                send(c);
                frames += c.before.empty() ? 1 : 2;
                splits += may_split(c.frame, df_clear_) ? kMaxSplit - 1 : 0;
                frags += (is_fragment(c.frame) ? 1 : 0) + (c.before.empty() ? 0 : 1);
                all.push_back(&c);
            }
            const auto [in, out] = bystander_frames();
            gw_.receive(gw_.outside(), in);
            gw_.receive(gw_.inside(), out);
            poll();
            const uint64_t ended = totals().sum() - before.sum() + gw_.flush_reassembly();
            SCOPED_TRACE("burst " + std::to_string(b));
            EXPECT_LE(ended, frames + splits);
            EXPECT_GE(ended + frags, frames) << "frames ended in no counter";
            sent_ += frames - 2;
            fragments_ += frags;
            serve();
            check_outputs(all, /*bystanders=*/1);
            if (::testing::Test::HasFailure()) return;
        }
    }

    // After the run: the bystanders' SAs counted exactly their packets and no drop; nothing was
    // lost; the mutations reached deep into the pipeline.
    void finish() {
        const Totals t = totals();
        std::string seen;
        for (const auto& [label, n] : t.by_reason)
            seen += " " + label + "=" + std::to_string(n);
        seen += "; main lcore:";
        for (const auto& info : sadb::kDropReasons)
            if (main_drops_.count[size_t(info.reason)] != 0)
                seen += " " + std::string(info.label) + "=" +
                        std::to_string(main_drops_.count[size_t(info.reason)]);
        std::string transport;
        for (int w = 0; w < 2; ++w) {
            const Tunnel& tr = kTunnels[kTransport[w]];
            transport += " " + std::to_string(gw_.sa_packets(tr.conn_in)) + " in / " +
                         std::to_string(gw_.sa_packets(tr.conn_out)) + " out (" +
                         std::to_string(transport_replies_[w]) + " echo replies)";
        }
        std::printf(
            "hostile frames: %llu sent, %llu fragments, %llu ARP and %llu ICMP sent by the "
            "main lcore, transport mode%s, %llu ESP packets in fragments, drops:%s\n",
            static_cast<unsigned long long>(sent_), static_cast<unsigned long long>(fragments_),
            static_cast<unsigned long long>(arp_sent_), static_cast<unsigned long long>(icmp_sent_),
            transport.c_str(), static_cast<unsigned long long>(esp_merged_), seen.c_str());
        for (uint32_t conn : {kTunnels[1].conn_in, kTunnels[1].conn_out}) {
            EXPECT_EQ(gw_.sa_packets(conn), conn == kTunnels[1].conn_in ? by_in_ : tunnel1_out_)
                << "bystander SA " << conn;
            for (const auto& info : sadb::kDropReasons) {
                // A big DF packet mutated into tunnel 1's traffic is refused on its SA.
                const uint64_t allowed = conn == kTunnels[1].conn_out && info.reason == R::kDfTooBig
                                             ? tunnel1_too_big_
                                             : 0;
                EXPECT_LE(gw_.sa_drops(conn, info.reason), allowed)
                    << info.label << " on SA " << conn;
            }
        }
        // The mutations must reach every layer, or this test proves little.
        for (const char* label :
             {"malformed", "invalid_spi", "icv_mismatch", "replay_duplicate", "inner_malformed",
              "inner_policy_mismatch", "not_ipsec", "spd_discard", "no_sa", "ipv6_unsupported",
              "encap_mismatch", "ttl_expired", "martian_address", "bad_padding", "df_too_big"})
            EXPECT_GT(t.by_reason.count(label), 0u) << label << " never counted";
        // One frame at a time, reassembly starts empty at every step: a failed one is rare
        // (5 of 200 seeds saw none). Bursts keep fragments across steps and always see some.
        if (bursts_) {
            EXPECT_GT(t.by_reason.count("reassembly_failed"), 0u);
        }
        EXPECT_GT(decapsulated_, sent_ / 40) << "too few hostile frames got through";
        EXPECT_GT(encapsulated_, sent_ / 40);
        // The main lcore answered (ARP, echo) and sent ICMP errors about hostile packets.
        EXPECT_GT(arp_sent_, 0u);
        EXPECT_GT(icmp_sent_, 0u);
        // The NAT-T tunnel (AES-CBC + HMAC-SHA1 in UDP 4500) carried traffic both ways.
        EXPECT_GT(gw_.sa_packets(kTunnels[2].conn_in), sent_ / 200);
        EXPECT_GT(gw_.sa_packets(kTunnels[2].conn_out), sent_ / 200);
        EXPECT_GT(gw_.sa_drops(kTunnels[2].conn_in, R::kIcvMismatch), 0u);
        EXPECT_GT(gw_.sa_drops(kTunnels[2].conn_in, R::kBadPadding), 0u);
        EXPECT_GT(gw_.sa_drops(kTunnels[2].conn_in, R::kEncapMismatch), 0u);
        // The transport-mode SAs: echo requests in, echo replies out, hostile ESP refused.
        for (int w = 0; w < 2; ++w) {
            const Tunnel& tr = kTunnels[kTransport[w]];
            SCOPED_TRACE("transport-mode SA pair " + std::to_string(kTransport[w]));
            EXPECT_GT(gw_.sa_packets(tr.conn_in), sent_ / 400);
            EXPECT_GT(transport_replies_[w], sent_ / 800) << "no echo reply in transport mode";
            EXPECT_GE(gw_.sa_packets(tr.conn_out), transport_replies_[w]);
            EXPECT_GT(gw_.sa_drops(tr.conn_in, R::kIcvMismatch), 0u);
            EXPECT_GT(gw_.sa_drops(tr.conn_in, R::kBadPadding), 0u);
        }
        // Fragmentation after encryption happened, and only when the outer header may lose DF.
        if (df_clear_) {
            EXPECT_GT(esp_merged_, 0u) << "no ESP packet was fragmented after encryption";
        } else {
            EXPECT_EQ(esp_merged_, 0u) << "ESP fragmented although its packets keep DF";
        }
        if (mss_clamp_ != 0) {
            EXPECT_GT(syns_seen_, 0u) << "no SYN with an MSS option left";
        }
        // A hard packet lifetime stops tunnel 0's SAs at exactly that many packets; what comes
        // after is refused (sa_hard_expired).
        if (const uint64_t hard = spec_.tunnel0_hard_packets; hard != 0) {
            EXPECT_EQ(gw_.sa_packets(kConnIn), hard);
            EXPECT_EQ(gw_.sa_packets(kConnOut), hard);
            EXPECT_GT(gw_.sa_drops(kConnIn, R::kSaHardExpired), 0u);
            EXPECT_GT(gw_.sa_drops(kConnOut, R::kSaHardExpired), 0u);
        }
        EXPECT_EQ(gw_.mbufs_in_use(), 0u) << "mbuf leak";
    }

  private:
    void send(const Case& c) {
        const Port& p = c.outside ? gw_.outside() : gw_.inside();
        if (!c.outside && too_big_for_tunnel1(c.frame)) ++tunnel1_too_big_;
        if (!c.before.empty()) gw_.receive(p, c.before);
        // One frame in four as a chain of two segments, split anywhere.
        if (c.frame.size() >= 2 && hostile_.chance(4)) {
            const size_t cut = hostile_.uniform(1, c.frame.size() - 1);
            rte_mbuf* head =
                test_util::mbuf_from(gw_.pool(), Bytes(c.frame.begin(), c.frame.begin() + cut));
            rte_mbuf* tail =
                test_util::mbuf_from(gw_.pool(), Bytes(c.frame.begin() + cut, c.frame.end()));
            ASSERT_EQ(rte_pktmbuf_chain(head, tail), 0);
            gw_.receive_mbuf(p, head);
        } else {
            gw_.receive(p, c.frame);
        }
    }

    void poll() {
        gw_.poll(0);
        gw_.poll(1);
        gw_.poll(1);  // what lcore 1 handed back, if anything
        gw_.poll(0);
    }

    // The main lcore serves what was punted (ARP and echo replies, ICMP errors quoting the
    // hostile packets, PMTU messages) and the lcores send the replies, until nothing is left.
    void serve() {
        for (int round = 0; round < 4; ++round) {
            const uint32_t n = gw_.serve_main(0, main_drops_) + gw_.serve_main(1, main_drops_);
            if (n == 0) break;
            poll();
        }
        gw_.to_main(0);
        gw_.to_main(1);
    }

    std::pair<Bytes, Bytes> bystander_frames() {
        ++by_seq_;
        Bytes payload(12);
        store_be32(&payload[0], by_seq_);
        by_inner_in_ = udp4(kRemote2, kHost, 3000, 4000, payload);
        by_inner_out_ = udp4(kHost, kRemote2, 4000, 3000, payload);
        return {gw_.from_peer(by_inner_in_, by_seq_, kTunnels[1]), gw_.from_host(by_inner_out_)};
    }

    void bystanders() {
        const auto [in, out] = bystander_frames();
        gw_.receive(gw_.outside(), in);
        gw_.receive(gw_.inside(), out);
        poll();
        serve();
        check_outputs({}, 1);
    }

    static Bytes forwarded(Bytes ip) {
        --ip[8];
        set_ipv4_checksum(ip.data());
        return ip;
    }

    // Checks what the ports transmitted for `cases` (plus `bystanders` bystander pairs, whose
    // packets must all be there).
    // ARP and ICMP the main lcore sent in clear (its replies and errors).
    void count_reply(const Bytes& f) {
        const auto at = ipv4_at(f);
        if (f.size() >= 14 && load_be16(&f[12]) == RTE_ETHER_TYPE_ARP) ++arp_sent_;
        if (at && f[*at + 9] == kProtoIcmp &&
            (load_be32(&f[*at + 12]) == kGatewayIn || load_be32(&f[*at + 12]) == kGatewayOut))
            ++icmp_sent_;
    }

    // The gateway writes every frame's Ethernet header itself: ARP or IPv4, nothing else
    // (IPv6 is not forwarded yet, not even when a tunnel decrypts it).
    static void expect_ipv4_or_arp(const Bytes& f) {
        ASSERT_GE(f.size(), 14u + 20u) << "runt frame sent";
        const uint16_t type = load_be16(&f[12]);
        if (type == RTE_ETHER_TYPE_ARP) return;
        EXPECT_EQ(type, RTE_ETHER_TYPE_IPV4) << "frame of ethertype " << std::hex << type;
        EXPECT_EQ(f[14] >> 4, 4) << "IPv4 frame carrying IP version " << (f[14] >> 4);
    }

    void check_outputs(const std::vector<const Case*>& cases, int bystanders = 0) {
        int by_in = 0, by_out = 0;
        size_t authentic[kNTunnels] = {}, delivered[kNTunnels] = {};
        for (const Case* c : cases)
            authentic[c->tunnel] += c->authentic() ? 1 : 0;
        // Transport mode delivers to the gateway itself: the inbound SA's packet count says what
        // got through.
        for (int w = 0; w < 2; ++w) {
            const uint64_t now = gw_.sa_packets(kTunnels[kTransport[w]].conn_in);
            delivered[kTransport[w]] = now - transport_in_[w];
            transport_in_[w] = now;
        }
        for (const Bytes& f : gw_.transmitted(gw_.inside())) {
            expect_ipv4_or_arp(f);
            count_reply(f);
            const auto at = ipv4_at(f);
            if (!at) continue;
            const Bytes ip(f.begin() + long(*at), f.end());
            const uint32_t src = load_be32(&ip[12]), dst = load_be32(&ip[16]);
            EXPECT_FALSE(martian(src, dst)) << std::hex << src << " -> " << dst;
            if (in_net24(src, kTunnels[1].remote_net)) {
                EXPECT_EQ(ip, forwarded(by_inner_in_)) << "bystander inbound altered";
                ++by_in;
                continue;
            }
            // An inner packet outside its SA's selectors never gets through (cleartext from that
            // address arriving on the outside may: no policy covers it).
            if (cases.size() == 1 && cases[0]->kind == Kind::kEspSpoofedInner) {
                EXPECT_NE(src, kSpoofed) << "inner packet outside the SA's selectors delivered";
            }
            const int t = in_net24(src, kTunnels[0].remote_net)   ? 0
                          : in_net24(src, kTunnels[2].remote_net) ? 2
                                                                  : -1;
            if (t < 0) continue;
            // Only an authentic ESP packet of tunnel t can deliver this, within its selectors.
            ++delivered[t];
            EXPECT_TRUE(in_net24(dst, kInsideNet)) << "decapsulated packet outside the selectors";
            // Outer DSCP/ECN may reach the inner header (RFC 6040), and TTL is one less: the
            // rest must be the packet the peer sent.
            const Bytes& sent = cases.size() == 1 ? cases[0]->inner : Bytes{};
            if (!sent.empty()) {
                EXPECT_TRUE(ip.size() == sent.size() &&
                            std::equal(ip.begin() + 12, ip.end(), sent.begin() + 12))
                    << "inner packet altered";
            }
        }
        for (const int t : {0, 2, kTransport[0], kTransport[1]})
            EXPECT_LE(delivered[t], authentic[t])
                << "ESP with altered protected bytes was decapsulated, tunnel " << t;
        decapsulated_ += delivered[0] + delivered[2];
        uint64_t replies[2] = {};  // echo replies to each transport-mode peer
        for (const Bytes& f : reassembled(gw_.transmitted(gw_.outside()), esp_merged_)) {
            expect_ipv4_or_arp(f);
            count_reply(f);
            const auto at = ipv4_at(f);
            if (!at) continue;
            const uint8_t* ip = &f[*at];
            const uint32_t src = load_be32(ip + 12), dst = load_be32(ip + 16);
            EXPECT_FALSE(martian(src, dst)) << std::hex << src << " -> " << dst;
            // ESP of the gateway's outbound SAs, raw or in UDP 4500 from the gateway; other ESP
            // is transit traffic forwarded as is.
            const bool natt = ip[9] == kProtoUdp && src == kGatewayOut && f.size() >= *at + 36 &&
                              load_be16(ip + 22) == kNattPort;
            if (ip[9] != kProtoEsp && !natt) {
                EXPECT_FALSE(in_net24(src, kInsideNet) &&
                             (in_net24(dst, 0xc6120200) || in_net24(dst, 0xc6120300) ||
                              in_net24(dst, 0xc6120400) || in_net24(dst, 0xc6120500) ||
                              in_net24(dst, 0xc6120900)))
                    << "protected traffic left in clear";
                EXPECT_FALSE(src == kGatewayOut && (dst == kPeerHost || dst == kPeerHost2))
                    << "the gateway's own traffic to a transport-mode peer left in clear";
                continue;
            }
            const uint32_t spi = load_be32(ip + (natt ? 28 : 20));
            const Tunnel* t = nullptr;
            for (const Tunnel& k : kTunnels)
                if (spi == k.spi_out) t = &k;
            if (t == nullptr) continue;
            EXPECT_EQ(natt, t->udp) << "SPI " << spi;
            const auto inner = gw_.peer_decap(f);
            ASSERT_TRUE(inner.has_value()) << "ESP the peer cannot decapsulate, SPI " << spi;
            ASSERT_GE(inner->size(), 20u);
            const uint32_t isrc = load_be32(&(*inner)[12]), idst = load_be32(&(*inner)[16]);
            if (t->transport) {
                EXPECT_TRUE(isrc == kGatewayOut && idst == t->peer)
                    << "transport-mode packet outside the SA's selectors";
                const Bytes& p = *inner;
                if (p.size() >= 28 && p[9] == kProtoIcmp && p[20] == 0)
                    ++replies[t == &kTunnels[kTransport[0]] ? 0 : 1];
                continue;
            }
            EXPECT_TRUE(in_net24(isrc, kInsideNet) && in_net24(idst, t->remote_net))
                << "encapsulated packet outside the SA's selectors";
            // `ip tcp adjust-mss`: no SYN leaves offering more than the clamp (RFC 6691).
            if (const auto mss = syn_mss(*inner); mss && mss_clamp_ != 0) {
                EXPECT_LE(*mss, mss_clamp_) << "SYN not clamped";
                ++syns_seen_;
            }
            if (t == &kTunnels[1] && *inner == forwarded(by_inner_out_)) {
                ++by_out;
                continue;
            }
            if (t == &kTunnels[1]) ++tunnel1_out_;  // a mutation that became tunnel 1 traffic
            ++encapsulated_;
        }
        // RFC 4301 §5.2: only an echo request that came in ESP gets a reply; the transport-mode
        // peer's cleartext is refused (not_ipsec), not answered.
        for (int w = 0; w < 2; ++w) {
            EXPECT_LE(replies[w], delivered[kTransport[w]])
                << "echo reply to a request that came in clear, SA pair " << kTransport[w];
            transport_replies_[w] += replies[w];
        }
        EXPECT_EQ(by_in, bystanders) << "bystander inbound packet lost";
        EXPECT_EQ(by_out, bystanders) << "bystander outbound packet lost";
        by_in_ += by_in;
        tunnel1_out_ += by_out;
    }

    const Spec spec_;
    Gateway gw_;
    Hostile hostile_;
    sadb::DropCounters main_drops_{};
    uint32_t by_seq_ = 0;
    Bytes by_inner_in_, by_inner_out_;
    uint64_t by_in_ = 0, tunnel1_out_ = 0;
    uint64_t sent_ = 0, fragments_ = 0, decapsulated_ = 0, encapsulated_ = 0;
    uint64_t arp_sent_ = 0, icmp_sent_ = 0;
    bool bursts_ = false;
    uint64_t tunnel1_too_big_ = 0;        // DF frames too big for tunnel 1, a mutation's work
    const bool df_clear_;                 // crypto ipsec df-bit clear
    const uint16_t mss_clamp_;            // ip tcp adjust-mss, 0 if none
    uint64_t syns_seen_ = 0;              // SYNs with an MSS option that left in ESP
    uint64_t esp_merged_ = 0;             // ESP packets the gateway sent in fragments
    uint64_t transport_in_[2] = {};       // the transport-mode inbound SAs' packets, last seen
    uint64_t transport_replies_[2] = {};  // echo replies each peer decrypted from its SA pair
};

TEST(HostileFrames, OneAtATimeEachEndsInOneCounterAndTheBystanderTunnelPasses) {
    HostileRun run({}, seed());
    run.one_by_one(6000, 8);
    run.finish();
}

TEST(HostileFrames, InBurstsWithTheTunnelOnAnotherLcore) {
    HostileRun run({.sa_owner = 1}, seed() + 1);
    run.in_bursts(200);
    run.finish();
}

// `crypto ipsec fragmentation after-encryption` with `crypto ipsec df-bit clear`: packets too big
// for a tunnel leave as fragments of their ESP packet (RFC 4459 §3), which the peer reassembles
// before it decapsulates them. Both interfaces clamp the MSS of TCP SYNs (`ip tcp adjust-mss`),
// so mutated TCP headers and options reach that parser too.
TEST(HostileFrames, FragmentedAfterEncryptionWithDfClear) {
    HostileRun run({.frag = wire::FragPolicy::kAfterEncryption,
                    .df = wire::DfPolicy::kClear,
                    .mss_clamp = 1300},
                   seed() + 2);
    run.one_by_one(3000, 8);
    run.finish();
}

// Other SA settings, with the SAs on the other lcore: tunnel 0 with extended sequence numbers
// (RFC 4303 §2.2.1, the high half in the ICV and the window's inference, App. A) and a hard
// lifetime of 100 packets each way that runs out during the run; the NAT-T tunnel without
// anti-replay.
TEST(HostileFrames, EsnLifetimeAndNoReplayWindow) {
    HostileRun run({.sa_owner = 1,
                    .tunnel0_esn = true,
                    .tunnel0_hard_packets = 100,
                    .tunnel2_replay_window = 0},
                   seed() + 3);
    run.one_by_one(3000, 8);
    run.finish();
}

}  // namespace
}  // namespace espgw::dataplane
