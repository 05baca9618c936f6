// Outbound ESP (RFC 4303 §3.3): sequence number, padding and trailer, outer header from the SA's
// template, then one crypto burst, then the ICV and checksums that depend on its result.
#include "dataplane/esp_encap.h"

#include <emmintrin.h>

#include <algorithm>

#include "dataplane/contiguous.h"
#include "dataplane/ip_header.h"
#include "dataplane/sa_accounting.h"

namespace espgw::dataplane {
namespace {

using sadb::DropReason;
using sadb::SaRuntime;

constexpr uint8_t kZeroIv[16] = {};

// Where the headers of one packet ended up after prepend/append.
struct Layout {
    uint8_t* ip;         // outer IP header (tunnel) or the packet's own (transport)
    uint8_t* esp;        // ESP header
    uint32_t plain_len;  // payload + padding + pad length + next header
    uint32_t prot_len;   // protected bytes (inner packet or transport payload)
    uint16_t udp6_off;   // UDP header offset when it needs a checksum (IPv6), else 0
    uint8_t nh;          // next header written into the trailer
    uint8_t inner_ver;   // inner IP version (tunnel mode)
};

bool reserve_seq(EspContext& ctx, SaRuntime& s, uint64_t* seq) {
    // Without ESN the counter must never cycle (RFC 4303 §3.3.3); with ESN it is 64 bits.
    const uint64_t max = s.has(sadb::kFlagEsn) ? UINT64_MAX : UINT32_MAX;
    if (s.seq < max) {
        *seq = ++s.seq;
        return true;
    }
    if (!s.has(sadb::kFlagSeqExhausted)) {
        s.flags |= sadb::kFlagSeqExhausted;
        raise_event(ctx, s, sadb::SaEventType::kSeqExhausted);
    }
    return false;
}

// RFC 4303 §2.4: pad so that payload + pad + 2 fills whole cipher blocks (and 4 bytes).
uint8_t pad_length(uint32_t len, uint8_t block) {
    return static_cast<uint8_t>((0u - (len + 2)) & (block - 1u));  // block is a power of two
}

// The first 16 trailer bytes for each pad length p: 1, 2, ..., p (RFC 4303 §2.4 default
// padding), then the pad length p; nh_at[p] marks byte p + 1, where the next header goes.
struct TrailerPatterns {
    alignas(16) uint8_t body[16][16];
    alignas(16) uint8_t nh_at[16][16];
    constexpr TrailerPatterns() : body{}, nh_at{} {
        for (int p = 0; p < 16; ++p) {
            for (int i = 0; i < p; ++i)
                body[p][i] = static_cast<uint8_t>(i + 1);
            body[p][p] = static_cast<uint8_t>(p);
            if (p < 15) nh_at[p][p + 1] = 0xff;
        }
    }
};
constexpr TrailerPatterns kTrailer;

// Padding, pad length and next header. The pad is at most 15 bytes (blocks of at most 16), so
// one 16-byte store writes the trailer when the buffer has room past it (the bytes beyond
// pad + 2 land where the ICV or tailroom is): a single store that the cipher's later load of the
// last block can forward from, instead of a pad store overlapped by two byte stores.
void write_trailer(rte_mbuf* m, uint8_t* t, uint8_t pad, uint8_t nh) {
    const uint8_t* buf_end = static_cast<const uint8_t*>(m->buf_addr) + m->buf_len;
    if (t + 16 <= buf_end) [[likely]] {
        const __m128i body = _mm_load_si128(reinterpret_cast<const __m128i*>(kTrailer.body[pad]));
        const __m128i at = _mm_load_si128(reinterpret_cast<const __m128i*>(kTrailer.nh_at[pad]));
        // nh broadcast through a general register: _mm_set1_epi8 made GCC reload it from a
        // one-byte stack slot with a 4-byte load, which cannot be store-forwarded.
        const __m128i nh4 = _mm_cvtsi32_si128(static_cast<int>(nh * 0x01010101u));
        const __m128i nhv = _mm_and_si128(at, _mm_shuffle_epi32(nh4, 0));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(t), _mm_or_si128(body, nhv));
        if (pad == 15) t[16] = nh;
        return;
    }
    for (uint8_t k = 0; k < pad; ++k)
        t[k] = static_cast<uint8_t>(k + 1);
    t[pad] = pad;
    t[pad + 1] = nh;
}

// Copies the SA's header template (8 to kMaxHeaderTemplate bytes) with two overlapping
// fixed-size copies instead of a libc call with a variable length.
void copy_template(uint8_t* dst, const uint8_t* src, uint32_t len) {
    static_assert(sadb::kMaxHeaderTemplate <= 64);
    if (len >= 32) {
        std::memcpy(dst, src, 32);
        std::memcpy(dst + len - 32, src + len - 32, 32);
    } else if (len >= 16) {
        std::memcpy(dst, src, 16);
        std::memcpy(dst + len - 16, src + len - 16, 16);
    } else {
        std::memcpy(dst, src, 8);  // the ESP header alone is 8 bytes
        std::memcpy(dst + len - 8, src + len - 8, 8);
    }
}

// Checks the inner packet's structure and drops link padding after it. Returns its length, 0 if
// invalid. Its header checksum is not verified: that is the receiving host's job, and the
// classify stage already read the header.
uint32_t inner_length(rte_mbuf* m) {
    const uint32_t len = ip_packet_length(rte_pktmbuf_mtod(m, const uint8_t*), m->pkt_len, false);
    if (len != 0 && len < m->pkt_len) rte_pktmbuf_trim(m, static_cast<uint16_t>(m->pkt_len - len));
    return len;
}

uint8_t inner_tos(const uint8_t* inner) {
    return (inner[0] >> 4) == 4 ? inner[1]
                                : static_cast<uint8_t>((inner[0] << 4) | (inner[1] >> 4));
}

// The checksum is the template's precomputed sum plus the fields written here: the header is
// never read back.
void fill_outer_v4(uint8_t* ip, const uint8_t* inner, uint32_t len, const SaRuntime& s,
                   uint16_t id) {
    uint32_t sum = s.hdr_sum + len + id;
    store_be16(ip + 2, static_cast<uint16_t>(len));
    store_be16(ip + 4, id);
    if (s.copy_dscp) {  // RFC 4301 §5.1.2.1, ECN copied too (RFC 6040 normal mode)
        const uint8_t tos = inner_tos(inner);
        ip[1] = tos;
        sum += tos;
    }
    if (s.df == sadb::DfMode::kCopy && (inner[0] >> 4) == 4 && (inner[6] & 0x40) != 0) {
        ip[6] |= 0x40;
        sum += 0x4000;
    }
    store_be16(ip + 10, static_cast<uint16_t>(~fold_sum(sum)));
}

void fill_outer_v6(uint8_t* ip, const uint8_t* inner, uint32_t len, const SaRuntime& s) {
    store_be16(ip + 4, static_cast<uint16_t>(len - 40));
    if (!s.copy_dscp) return;
    const uint8_t tc = inner_tos(inner);
    ip[0] = static_cast<uint8_t>(0x60 | (tc >> 4));
    ip[1] = static_cast<uint8_t>((tc << 4) | (ip[1] & 0x0f));
}

// Tunnel mode: the whole inner packet is the payload; the template is the full outer header.
bool layout_tunnel(EspContext& ctx, rte_mbuf* m, const SaRuntime& s, Layout* l) {
    const uint32_t inner_len = m->pkt_len;
    uint8_t* inner = rte_pktmbuf_mtod(m, uint8_t*);
    l->inner_ver = inner[0] >> 4;
    l->nh = l->inner_ver == 4 ? kProtoIpv4 : kProtoIpv6;
    const uint8_t pad = pad_length(inner_len, s.block_len);
    uint8_t* trailer = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, pad + 2 + s.icv_len));
    uint8_t* hdr = trailer
                       ? reinterpret_cast<uint8_t*>(rte_pktmbuf_prepend(m, s.hdr_len + s.iv_len))
                       : nullptr;
    if (hdr == nullptr) return false;
    write_trailer(m, trailer, pad, l->nh);
    copy_template(hdr, s.hdr, s.hdr_len);
    l->ip = hdr;
    l->esp = hdr + s.hdr_len - 8;
    l->plain_len = inner_len + pad + 2;
    l->prot_len = inner_len;
    inner = hdr + s.hdr_len + s.iv_len;
    if (s.has(sadb::kFlagOuterV6)) {
        fill_outer_v6(hdr, inner, m->pkt_len, s);
    } else {
        fill_outer_v4(hdr, inner, m->pkt_len, s, ctx.ip_id++);
    }
    if (s.has(sadb::kFlagUdpEncap)) {
        store_be16(hdr + s.ip_hdr_len + 4, static_cast<uint16_t>(m->pkt_len - s.ip_hdr_len));
        if (s.has(sadb::kFlagOuterV6)) l->udp6_off = s.ip_hdr_len;
    }
    return true;
}

// Length of the IP header(s) ESP is inserted behind in transport mode, and the protocol byte.
uint32_t transport_split(const uint8_t* p, uint32_t len, uint32_t* nh_field, uint8_t* nh) {
    if ((p[0] >> 4) == 4) {
        *nh_field = 9;
        *nh = p[9];
        return (p[0] & 0xf) * 4u;
    }
    bool fragment = false;
    const uint32_t off = ipv6_skip_ext(p, len, nh_field, nh, &fragment);
    return fragment ? 0 : off;
}

// Sets the new protocol and length; IPv4's checksum is updated incrementally (RFC 1624).
void fix_transport_ip(uint8_t* ip, uint32_t len, uint32_t nh_field, uint8_t proto) {
    if ((ip[0] >> 4) != 4) {
        ip[nh_field] = proto;
        store_be16(ip + 4, static_cast<uint16_t>(len - 40));
        return;
    }
    const uint16_t old_len = load_be16(ip + 2);
    const uint16_t old_ttl_proto = load_be16(ip + 8);
    ip[9] = proto;
    store_be16(ip + 2, static_cast<uint16_t>(len));
    ipv4_checksum_update(ip, old_len, static_cast<uint16_t>(len));
    ipv4_checksum_update(ip, old_ttl_proto, load_be16(ip + 8));
}

// Transport mode (RFC 4303 §3.1.1): ESP goes between the IP header and its payload.
bool layout_transport(rte_mbuf* m, const SaRuntime& s, Layout* l, DropReason* why) {
    uint32_t nh_field = 0;
    const uint32_t hlen =
        transport_split(rte_pktmbuf_mtod(m, uint8_t*), m->pkt_len, &nh_field, &l->nh);
    if (hlen == 0 || hlen > m->pkt_len) {
        *why = DropReason::kInnerMalformed;
        return false;
    }
    const uint32_t payload = m->pkt_len - hlen;
    const uint8_t pad = pad_length(payload, s.block_len);
    const uint16_t insert = s.hdr_len + s.iv_len;
    uint8_t* trailer = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, pad + 2 + s.icv_len));
    uint8_t* ip = trailer ? reinterpret_cast<uint8_t*>(rte_pktmbuf_prepend(m, insert)) : nullptr;
    if (ip == nullptr) {
        *why = DropReason::kNoRoom;
        return false;
    }
    std::memmove(ip, ip + insert, hlen);
    write_trailer(m, trailer, pad, l->nh);
    copy_template(ip + hlen, s.hdr, s.hdr_len);
    const bool udp = s.has(sadb::kFlagUdpEncap);
    fix_transport_ip(ip, m->pkt_len, nh_field, udp ? kProtoUdp : kProtoEsp);
    if (udp) {
        store_be16(ip + hlen + 4, static_cast<uint16_t>(m->pkt_len - hlen));
        if ((ip[0] >> 4) == 6) l->udp6_off = static_cast<uint16_t>(hlen);
    }
    l->ip = ip;
    l->esp = ip + hlen + s.hdr_len - 8;
    l->plain_len = payload + pad + 2;
    l->prot_len = payload;
    return true;
}

// Fills the IV field and the crypto op's cipher region for the SA's cipher family.
void set_iv(EspContext& ctx, uint16_t k, const SaRuntime& s, uint64_t seq, const Layout& l,
            crypto::CryptoOp& op) {
    const crypto::SaCrypto& c = *s.crypto;
    uint8_t* iv = l.esp + 8;
    const uint8_t* pinned = ctx.iv_override ? ctx.iv_override[k] : nullptr;
    op.cipher_offset = 8u + s.iv_len;
    op.cipher_len = l.plain_len;
    op.iv = kZeroIv;
    if (c.family == crypto::CipherFamily::kCbc) {
        if (pinned != nullptr) {
            std::memcpy(iv, pinned, s.iv_len);
            op.iv = iv;
            return;
        }
        // NIST SP 800-38A App. C: IV = E_K(nonce). Encrypting nonce||payload under a zero IV
        // leaves E_K(nonce) in the IV field and the payload CBC-encrypted under it: an
        // unpredictable IV (RFC 3602 §3) with no RNG call per packet.
        store_be64(iv, seq ^ c.iv_seed);
        if (s.iv_len == 16) store_be64(iv + 8, c.iv_seed);
        op.cipher_offset = 8;
        op.cipher_len = s.iv_len + l.plain_len;
    } else if (s.iv_len == 8) {
        // RFC 3686 §3 / RFC 4106 §3.1: the IV must not repeat under a key; the sequence number
        // never does.
        if (pinned != nullptr) {
            std::memcpy(iv, pinned, 8);
        } else {
            store_be64(iv, seq);
        }
        OpScratch& sc = ctx.scratch[ctx.n_ops];
        std::memcpy(sc.nonce, c.salt, 4);
        std::memcpy(sc.nonce + 4, iv, 8);
        op.iv = sc.nonce;
    }
}

// Authenticated region, ICV destination and (GCM) AAD, RFC 4303 §2.2.1 and RFC 4106 §5.
void set_auth(EspContext& ctx, const SaRuntime& s, uint64_t seq, const Layout& l,
              crypto::CryptoOp& op) {
    OpScratch& sc = ctx.scratch[ctx.n_ops];
    const bool esn = s.has(sadb::kFlagEsn);
    op.base = l.esp;
    op.auth_len = 8u + s.iv_len + l.plain_len;
    uint8_t* icv = l.esp + op.auth_len;
    op.icv_out = icv;
    op.icv_in = nullptr;
    op.aad_len = 0;
    if (s.crypto->family == crypto::CipherFamily::kGcm) {
        set_gcm_aad(l.esp, seq, esn, sc, op);  // the ESP header is written by now
    } else if (esn && s.icv_len != 0) {
        // The high-order 32 bits are hashed after the payload but never sent (§2.2.1).
        store_be32(icv, static_cast<uint32_t>(seq >> 32));
        op.auth_len += 4;
        op.icv_out = sc.icv;
    }
}

void prepare_one(EspContext& ctx, EspBurst& b, uint16_t k) {
    SaRuntime& s = *b.sa[k];
    rte_mbuf* m = b.pkts[k];
    uint64_t seq = 0;
    DropReason why = DropReason::kNoRoom;
    Layout l{};
    if (m->nb_segs != 1) {
        if (const DropReason r = make_contiguous(&b.pkts[k]); r != DropReason::kNone)
            return mark_drop(b, k, r);
        m = b.pkts[k];
    }
    if (inner_length(m) == 0) return mark_drop(b, k, DropReason::kInnerMalformed);
    if (s.expired()) return mark_drop(b, k, DropReason::kSaHardExpired);
    if (!reserve_seq(ctx, s, &seq)) return mark_drop(b, k, DropReason::kSeqExhausted);
    const bool ok = s.has(sadb::kFlagTransport) ? layout_transport(m, s, &l, &why)
                                                : layout_tunnel(ctx, m, s, &l);
    if (!ok) return mark_drop(b, k, why);
    store_be32(l.esp + 4, static_cast<uint32_t>(seq));
    crypto::CryptoOp& op = ctx.ops[ctx.n_ops];
    op.sa = s.crypto;
    op.encrypt = true;
    set_iv(ctx, k, s, seq, l, op);
    set_auth(ctx, s, seq, l, op);
    ctx.prot_len[ctx.n_ops] = l.prot_len;
    ctx.udp6_off[ctx.n_ops] = l.udp6_off;
    ctx.op_pkt[ctx.n_ops++] = k;
}

// RFC 3948 §2.1 allows a zero UDP checksum over IPv4 only; IPv6 needs the real one.
void udp6_checksum(rte_mbuf* m, uint16_t udp_off) {
    uint8_t* ip = rte_pktmbuf_mtod(m, uint8_t*);
    uint8_t* udp = ip + udp_off;
    const uint32_t len = m->pkt_len - udp_off;
    uint32_t sum = __rte_raw_cksum(ip + 8, 32, 0);  // source and destination addresses
    // RFC 8200 §8.1 pseudo-header: 32-bit upper-layer length, whose high half is 0 here.
    sum += rte_cpu_to_be_16(static_cast<uint16_t>(len));
    sum += rte_cpu_to_be_16(kProtoUdp);
    sum = __rte_raw_cksum(udp, len, sum);
    uint16_t c = static_cast<uint16_t>(~__rte_raw_cksum_reduce(sum));
    if (c == 0) c = 0xffff;
    std::memcpy(udp + 6, &c, 2);
}

void finish_one(EspContext& ctx, EspBurst& b, uint16_t i) {
    const crypto::CryptoOp& op = ctx.ops[i];
    const uint16_t k = ctx.op_pkt[i];
    SaRuntime& s = *b.sa[k];
    if (op.status != crypto::OpStatus::kOk) return mark_drop(b, k, DropReason::kCryptoError);
    if (op.icv_out != op.base + op.auth_len)  // ESN: ICV computed aside, over seq_hi
        std::memcpy(op.base + op.auth_len - 4, op.icv_out, s.icv_len);
    // Lifetimes are checked per packet here: prepare ran for the whole burst before any packet
    // was counted, so only this check is exact.
    if (!account_packet(ctx, s, ctx.prot_len[i]))
        return mark_drop(b, k, DropReason::kSaHardExpired);
    if (ctx.udp6_off[i] != 0) udp6_checksum(b.pkts[k], ctx.udp6_off[i]);
}

}  // namespace

void esp_encap(EspContext& ctx, EspBurst& b) {
    run_esp_stage(ctx, b, prepare_one, finish_one);
    flush_tally(ctx.tally);
}

}  // namespace espgw::dataplane
