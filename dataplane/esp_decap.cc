#include "dataplane/esp_decap.h"

#include <emmintrin.h>

#include "dataplane/ip_header.h"
#include "dataplane/sa_accounting.h"

namespace espgw::dataplane {
namespace {

using sadb::DropReason;
using sadb::SaRuntime;

DropReason replay_drop(sadb::ReplayResult r) {
    return r == sadb::ReplayResult::kDuplicate ? DropReason::kReplayDuplicate
                                               : DropReason::kReplayOld;
}

// Ciphertext length (payload + padding + trailer), or -1 if the ESP packet cannot be valid for
// this SA: too short for header, IV, trailer and ICV, or not block-aligned (RFC 4303 §2.4).
int32_t cipher_length(const SaRuntime& s, uint32_t esp_len) {
    const int32_t ct = static_cast<int32_t>(esp_len) - 8 - s.iv_len - s.icv_len;
    if (ct < 2 || (ct & (s.block_len - 1)) != 0) return -1;  // block_len is a power of two
    return ct;
}

// Authenticated region, received ICV and (GCM) AAD; RFC 4303 §2.2.1 for ESN.
void set_auth(EspContext& ctx, const SaRuntime& s, uint8_t* esp, uint32_t ct, uint64_t seq,
              crypto::CryptoOp& op) {
    OpScratch& sc = ctx.scratch[ctx.n_ops];
    const bool esn = s.has(sadb::kFlagEsn);
    op.base = esp;
    op.auth_len = 8u + s.iv_len + ct;
    uint8_t* icv = esp + op.auth_len;
    op.icv_in = icv;
    op.icv_out = sc.icv;
    op.aad_len = 0;
    if (s.crypto->family == crypto::CipherFamily::kGcm) {
        set_gcm_aad(esp, seq, esn, sc, op);
    } else if (esn && s.icv_len != 0) {
        // Hash seq_hi after the payload: it goes where the ICV was, so save the ICV first.
        std::memcpy(sc.icv_rx, icv, s.icv_len);
        store_be32(icv, static_cast<uint32_t>(seq >> 32));
        op.auth_len += 4;
        op.icv_in = sc.icv_rx;
    }
}

void set_cipher(EspContext& ctx, const SaRuntime& s, uint8_t* esp, uint32_t ct,
                crypto::CryptoOp& op) {
    op.cipher_offset = 8u + s.iv_len;
    op.cipher_len = ct;
    op.iv = esp + 8;  // CBC: the IV field itself
    if (s.crypto->family == crypto::CipherFamily::kCtr ||
        s.crypto->family == crypto::CipherFamily::kGcm) {
        OpScratch& sc = ctx.scratch[ctx.n_ops];
        std::memcpy(sc.nonce, s.crypto->salt, 4);
        std::memcpy(sc.nonce + 4, esp + 8, 8);
        op.iv = sc.nonce;
    }
}

void prepare_one(EspContext& ctx, EspBurst& b, uint16_t k) {
    SaRuntime& s = *b.sa[k];
    InboundMeta& in = b.in[k];
    uint8_t* esp = rte_pktmbuf_mtod(b.pkts[k], uint8_t*) + in.esp_off;
    const int32_t ct = cipher_length(s, in.esp_len);
    if (ct < 0) return mark_drop(b, k, DropReason::kEspLength);
    if (s.expired()) return mark_drop(b, k, DropReason::kSaHardExpired);
    in.seq = s.replay.infer(load_be32(esp + 4));
    const sadb::ReplayResult r = s.replay.check(in.seq);  // before any crypto (§3.4.3)
    if (r != sadb::ReplayResult::kOk) return mark_drop(b, k, replay_drop(r));
    s.replay.prefetch(in.seq);
    crypto::CryptoOp& op = ctx.ops[ctx.n_ops];
    op.sa = s.crypto;
    op.encrypt = false;
    set_cipher(ctx, s, esp, static_cast<uint32_t>(ct), op);
    set_auth(ctx, s, esp, static_cast<uint32_t>(ct), in.seq, op);
    ctx.op_pkt[ctx.n_ops++] = k;
}

// Expected last 16 bytes before the pad-length byte, for pads of up to 16 bytes: byte 16 - p + i
// holds i + 1 (the compare is masked to the last p bytes).
struct PadPatterns {
    alignas(16) uint8_t bytes[17][16];
    constexpr PadPatterns() : bytes{} {
        for (int p = 0; p <= 16; ++p)
            for (int i = 0; i < p; ++i)
                bytes[p][16 - p + i] = static_cast<uint8_t>(i + 1);
    }
};
constexpr PadPatterns kPadPatterns;

// RFC 4303 §2.4: padding bytes must read 1, 2, 3, ... Returns the pad length, or -1. Pads up to
// 16 bytes (all a sender needs for alignment) are checked with one 16-byte compare; the 16
// bytes before the pad-length byte are always inside the packet (ESP header, IV, outer IP).
int32_t check_padding(const uint8_t* plain, uint32_t ct) {
    const uint8_t pad = plain[ct - 2];
    if (pad + 2u > ct) return -1;
    const uint8_t* end = plain + ct - 2;
    if (pad <= 16) {
        const __m128i got = _mm_loadu_si128(reinterpret_cast<const __m128i*>(end - 16));
        const __m128i want =
            _mm_load_si128(reinterpret_cast<const __m128i*>(kPadPatterns.bytes[pad]));
        const uint32_t eq = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(got, want)));
        const uint32_t need = pad == 0 ? 0 : (0xffffu << (16 - pad)) & 0xffffu;
        return (eq & need) == need ? pad : -1;
    }
    for (uint8_t i = 0; i < pad; ++i)
        if (end[i - pad] != i + 1) return -1;
    return pad;
}

// Tunnel mode carries whole IP packets (RFC 4303 §3.1.2); transport mode any upper protocol.
DropReason check_next_header(const SaRuntime& s, uint8_t nh) {
    if (nh == kProtoNone) return DropReason::kDummyPacket;
    if (s.has(sadb::kFlagTransport)) return DropReason::kNone;
    return nh == kProtoIpv4 || nh == kProtoIpv6 ? DropReason::kNone : DropReason::kBadNextHeader;
}

// ECN codepoints (RFC 3168 §5).
constexpr uint8_t kNotEct = 0, kEct1 = 1, kEct0 = 2, kCe = 3;

uint8_t ecn_of(const uint8_t* ip) {
    return (ip[0] >> 4) == 4 ? ip[1] & 3 : (ip[1] >> 4) & 3;
}

// RFC 6040 §4.2 (figure 4): a congestion mark the tunnel path set on the outer header must
// reach the inner packet, or the endpoints never slow down. CE over a Not-ECT inner packet
// cannot be passed on: the packet is dropped (kEcnNotEct). ECT(1) over ECT(0) is kept.
DropReason propagate_ecn(uint8_t outer, uint8_t* ip) {
    const uint8_t inner = ecn_of(ip);
    uint8_t ecn = inner;
    if (outer == kCe) {
        if (inner == kNotEct) return DropReason::kEcnNotEct;
        ecn = kCe;
    } else if (outer == kEct1 && inner == kEct0) {
        ecn = kEct1;
    }
    if (ecn == inner) return DropReason::kNone;
    if ((ip[0] >> 4) == 4) {
        const uint16_t old_word = load_be16(ip);
        ip[1] = static_cast<uint8_t>((ip[1] & 0xfc) | ecn);
        ipv4_checksum_update(ip, old_word, load_be16(ip));
    } else {
        ip[1] = static_cast<uint8_t>((ip[1] & 0xcf) | (ecn << 4));
    }
    return DropReason::kNone;
}

// Tunnel mode: strip everything around the inner packet and check it is one.
DropReason strip_tunnel(rte_mbuf* m, const SaRuntime& s, const InboundMeta& in, uint8_t nh,
                        uint32_t inner_len) {
    const uint8_t outer_ecn = ecn_of(rte_pktmbuf_mtod(m, const uint8_t*));
    // The packet is one segment (esp_parse made it so): move the window onto the inner packet.
    m->data_off = static_cast<uint16_t>(m->data_off + in.esp_off + 8 + s.iv_len);
    uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
    const uint8_t want = nh == kProtoIpv4 ? 4 : 6;
    // Structure only: the packet was authenticated by the peer, and its header checksum is
    // checked by whoever forwards or receives it (RFC 1812 §5.2.2), as for any other packet.
    const uint32_t len = ip_packet_length(p, inner_len, false);
    if (len == 0 || (p[0] >> 4) != want) return DropReason::kInnerMalformed;
    m->data_len = static_cast<uint16_t>(len);
    m->pkt_len = len;
    return outer_ecn == kNotEct ? DropReason::kNone : propagate_ecn(outer_ecn, p);
}

// Transport mode: move the IP header up against the payload and restore its protocol field.
DropReason strip_transport(rte_mbuf* m, const SaRuntime& s, const InboundMeta& in, uint8_t nh,
                           uint32_t payload_len) {
    const uint32_t ip_len = in.esp_off - (in.udp ? 8 : 0);
    const uint32_t gap = in.esp_off - ip_len + 8 + s.iv_len;
    uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
    std::memmove(p + gap, p, ip_len);
    p = reinterpret_cast<uint8_t*>(rte_pktmbuf_adj(m, static_cast<uint16_t>(gap)));
    rte_pktmbuf_trim(m, static_cast<uint16_t>(m->pkt_len - ip_len - payload_len));
    if ((p[0] >> 4) != 4) {
        p[in.nh_field] = nh;
        store_be16(p + 4, static_cast<uint16_t>(m->pkt_len - 40));
        return DropReason::kNone;
    }
    // RFC 1624 incremental update: the header was just moved, never read it back whole.
    const uint16_t old_len = load_be16(p + 2);
    const uint16_t old_ttl_proto = load_be16(p + 8);
    p[9] = nh;
    store_be16(p + 2, static_cast<uint16_t>(m->pkt_len));
    ipv4_checksum_update(p, old_len, static_cast<uint16_t>(m->pkt_len));
    ipv4_checksum_update(p, old_ttl_proto, load_be16(p + 8));
    return DropReason::kNone;
}

void finish_one(EspContext& ctx, EspBurst& b, uint16_t i) {
    const crypto::CryptoOp& op = ctx.ops[i];
    const uint16_t k = ctx.op_pkt[i];
    SaRuntime& s = *b.sa[k];
    if (op.status == crypto::OpStatus::kIcvMismatch)
        return mark_drop(b, k, DropReason::kIcvMismatch);
    if (op.status != crypto::OpStatus::kOk) return mark_drop(b, k, DropReason::kCryptoError);
    // Only a verified packet may move the window; re-check, a burst-mate may own the number.
    const sadb::ReplayResult r = s.replay.accept(b.in[k].seq);
    if (r != sadb::ReplayResult::kOk) return mark_drop(b, k, replay_drop(r));
    const uint8_t* plain = op.base + op.cipher_offset;
    const int32_t pad = check_padding(plain, op.cipher_len);
    if (pad < 0) return mark_drop(b, k, DropReason::kBadPadding);
    const uint8_t nh = plain[op.cipher_len - 1];
    DropReason why = check_next_header(s, nh);
    if (why != DropReason::kNone) return mark_drop(b, k, why);
    const uint32_t len = op.cipher_len - 2 - static_cast<uint32_t>(pad);
    why = s.has(sadb::kFlagTransport) ? strip_transport(b.pkts[k], s, b.in[k], nh, len)
                                      : strip_tunnel(b.pkts[k], s, b.in[k], nh, len);
    if (why != DropReason::kNone) return mark_drop(b, k, why);
    // Exact per-packet lifetime check (prepare saw the counters before this burst counted).
    if (!account_packet(ctx, s, len)) return mark_drop(b, k, DropReason::kSaHardExpired);
}

}  // namespace

void esp_decap(EspContext& ctx, EspBurst& b) {
    // esp_parse prefetched each SA's runtime; its counters and keys now, for the whole burst.
    for (uint16_t k = 0; k < b.n; ++k) {
        const SaRuntime* s = b.sa[k];
        if (b.drop[k] == DropReason::kNone && (k == 0 || s != b.sa[k - 1]))
            sadb::prefetch_sa_deps(s);
    }
    run_esp_stage(ctx, b, prepare_one, finish_one);
    flush_tally(ctx.tally);
}

}  // namespace espgw::dataplane
