#include "bench/floor_impl.h"

#include <cstring>

#include "crypto/sa_crypto.h"

namespace espgw::bench {
namespace {

constexpr uint32_t kOuterIp = 20;
constexpr uint32_t kEspHdr = 8;

uint32_t padded_plain_len(uint32_t inner, uint8_t block) {
    const uint32_t pad = (block - (inner + 2) % block) % block;
    return inner + pad + 2;
}

}  // namespace

FloorImpl::FloorImpl(const EspgwSas& sas, bool encap, FloorApi api, crypto::MbManager& mgr)
    : sas_(sas), encap_(encap), api_(api), mgr_(mgr.get()) {}

void FloorImpl::prepare(rte_mbuf* m, const crypto::SaCrypto& c, Scratch& s) const {
    uint8_t* data = rte_pktmbuf_mtod(m, uint8_t*);
    s.sa = &c;
    if (encap_) {
        s.esp = data - kEspHdr - c.iv_len;  // headroom
        s.cipher_len = padded_plain_len(m->data_len, c.block_len);
    } else {
        s.esp = data + kOuterIp;
        s.cipher_len = m->data_len - kOuterIp - kEspHdr - c.iv_len - c.icv_len;
    }
    s.auth_len = kEspHdr + c.iv_len + s.cipher_len;
    if (c.family != crypto::CipherFamily::kGcm) return;
    std::memcpy(s.nonce, c.salt, 4);
    std::memcpy(s.nonce + 4, s.esp + kEspHdr, 8);
}

bool FloorImpl::submit(Scratch& s) {
    const crypto::SaCrypto& c = *s.sa;
    IMB_JOB* job = IMB_GET_NEXT_JOB(mgr_);
    const uint32_t cofs = kEspHdr + c.iv_len;
    job->chain_order = encap_ ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
    job->cipher_direction = encap_ ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
    job->cipher_mode = c.mb_cipher;
    job->hash_alg = c.mb_hash;
    job->enc_keys = c.enc_keys;
    job->dec_keys = c.dec_keys;
    job->key_len_in_bytes = c.aes_key_len;
    job->src = s.esp;
    job->dst = s.esp + cofs;
    job->cipher_start_src_offset_in_bytes = cofs;
    job->msg_len_to_cipher_in_bytes = s.cipher_len;
    job->auth_tag_output = encap_ ? s.esp + s.auth_len : s.icv;
    job->auth_tag_output_len_in_bytes = c.icv_len;
    if (c.family == crypto::CipherFamily::kGcm) {
        job->iv = s.nonce;
        job->iv_len_in_bytes = 12;
        job->hash_start_src_offset_in_bytes = cofs;
        job->msg_len_to_hash_in_bytes = s.cipher_len;
        job->u.GCM.aad = s.esp;  // SPI || sequence number, as ESP's AAD
        job->u.GCM.aad_len_in_bytes = kEspHdr;
    } else {
        job->iv = s.esp + kEspHdr;
        job->iv_len_in_bytes = c.iv_len;
        job->hash_start_src_offset_in_bytes = 0;
        job->msg_len_to_hash_in_bytes = s.auth_len;
        job->u.HMAC._hashed_auth_key_xor_ipad = c.hmac_ipad;
        job->u.HMAC._hashed_auth_key_xor_opad = c.hmac_opad;
    }
    // The floor skips ipsec-mb's per-job argument checks, as DPDK's aesni_mb PMD does.
    return IMB_SUBMIT_JOB_NOCHECK(mgr_) != nullptr;
}

void FloorImpl::gcm_direct(Scratch& s) {
    const crypto::SaCrypto& c = *s.sa;
    uint8_t* p = s.esp + kEspHdr + c.iv_len;
    uint8_t* tag = encap_ ? s.esp + s.auth_len : s.icv;
    const gcm_key_data* key = &c.keys.gcm;
    gcm_context_data ctx;
    if (encap_ && c.aes_key_len == 16) {
        IMB_AES128_GCM_ENC(mgr_, key, &ctx, p, p, s.cipher_len, s.nonce, s.esp, 8, tag, 16);
    } else if (encap_) {
        IMB_AES256_GCM_ENC(mgr_, key, &ctx, p, p, s.cipher_len, s.nonce, s.esp, 8, tag, 16);
    } else if (c.aes_key_len == 16) {
        IMB_AES128_GCM_DEC(mgr_, key, &ctx, p, p, s.cipher_len, s.nonce, s.esp, 8, tag, 16);
    } else {
        IMB_AES256_GCM_DEC(mgr_, key, &ctx, p, p, s.cipher_len, s.nonce, s.esp, 8, tag, 16);
    }
}

uint16_t FloorImpl::process(uint64_t g0, uint16_t n) {
    const uint32_t count = sas_.size();
    uint32_t j = static_cast<uint32_t>(g0 % count);
    // Two passes, like any burst pipeline: a nonce stored right before the call that loads it
    // would stall on store-to-load forwarding (~40 cycles per GCM call on this CPU).
    for (uint16_t k = 0; k < n; ++k) {
        prepare(pkts_[k], encap_ ? *sas_.out(j)->crypto : *sas_.in(j)->crypto, scratch_[k]);
        if (++j == count) j = 0;
    }
    if (api_ == FloorApi::kGcmDirect) {
        for (uint16_t k = 0; k < n; ++k)
            gcm_direct(scratch_[k]);
        return n;
    }
    uint16_t done = 0;
    for (uint16_t k = 0; k < n; ++k)
        done += submit(scratch_[k]);
    // Flush exactly the jobs still in flight (environment.md: over-flushing corrupts memory).
    while (done < n && IMB_FLUSH_JOB(mgr_) != nullptr)
        ++done;
    return n;
}

}  // namespace espgw::bench
