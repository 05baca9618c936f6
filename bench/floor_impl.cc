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

FloorImpl::Region FloorImpl::region(rte_mbuf* m, const crypto::SaCrypto& c) const {
    uint8_t* data = rte_pktmbuf_mtod(m, uint8_t*);
    Region r;
    if (encap_) {
        r.esp = data - kEspHdr - c.iv_len;  // headroom
        r.cipher_len = padded_plain_len(m->data_len, c.block_len);
    } else {
        r.esp = data + kOuterIp;
        r.cipher_len = m->data_len - kOuterIp - kEspHdr - c.iv_len - c.icv_len;
    }
    r.auth_len = kEspHdr + c.iv_len + r.cipher_len;
    return r;
}

void FloorImpl::submit(const crypto::SaCrypto& c, const Region& r, uint16_t k) {
    IMB_JOB* job = IMB_GET_NEXT_JOB(mgr_);
    const uint32_t cofs = kEspHdr + c.iv_len;
    const bool gcm = c.family == crypto::CipherFamily::kGcm;
    job->chain_order = encap_ ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
    job->cipher_direction = encap_ ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
    job->cipher_mode = c.mb_cipher;
    job->hash_alg = c.mb_hash;
    job->enc_keys = c.enc_keys;
    job->dec_keys = c.dec_keys;
    job->key_len_in_bytes = c.aes_key_len;
    job->src = r.esp;
    job->dst = r.esp + cofs;
    job->cipher_start_src_offset_in_bytes = cofs;
    job->msg_len_to_cipher_in_bytes = r.cipher_len;
    job->auth_tag_output = encap_ ? r.esp + r.auth_len : scratch_[k].icv;
    job->auth_tag_output_len_in_bytes = c.icv_len;
    if (gcm) {
        std::memcpy(scratch_[k].nonce, c.salt, 4);
        std::memcpy(scratch_[k].nonce + 4, r.esp + kEspHdr, 8);
        job->iv = scratch_[k].nonce;
        job->iv_len_in_bytes = 12;
        job->hash_start_src_offset_in_bytes = cofs;
        job->msg_len_to_hash_in_bytes = r.cipher_len;
        job->u.GCM.aad = r.esp;  // SPI || sequence number, as ESP's AAD
        job->u.GCM.aad_len_in_bytes = kEspHdr;
    } else {
        job->iv = r.esp + kEspHdr;
        job->iv_len_in_bytes = c.iv_len;
        job->hash_start_src_offset_in_bytes = 0;
        job->msg_len_to_hash_in_bytes = r.auth_len;
        job->u.HMAC._hashed_auth_key_xor_ipad = c.hmac_ipad;
        job->u.HMAC._hashed_auth_key_xor_opad = c.hmac_opad;
    }
    ++submitted_;
    // The floor skips ipsec-mb's per-job argument checks, as DPDK's aesni_mb PMD does.
    if (IMB_SUBMIT_JOB_NOCHECK(mgr_) != nullptr) ++completed_;
}

void FloorImpl::gcm_direct(const crypto::SaCrypto& c, const Region& r, uint16_t k) {
    uint8_t* p = r.esp + kEspHdr + c.iv_len;
    uint8_t* tag = encap_ ? r.esp + r.auth_len : scratch_[k].icv;
    std::memcpy(scratch_[k].nonce, c.salt, 4);
    std::memcpy(scratch_[k].nonce + 4, r.esp + kEspHdr, 8);
    const gcm_key_data* key = &c.keys.gcm;
    gcm_context_data ctx;
    const uint8_t* iv = scratch_[k].nonce;
    if (encap_ && c.aes_key_len == 16) {
        IMB_AES128_GCM_ENC(mgr_, key, &ctx, p, p, r.cipher_len, iv, r.esp, 8, tag, 16);
    } else if (encap_) {
        IMB_AES256_GCM_ENC(mgr_, key, &ctx, p, p, r.cipher_len, iv, r.esp, 8, tag, 16);
    } else if (c.aes_key_len == 16) {
        IMB_AES128_GCM_DEC(mgr_, key, &ctx, p, p, r.cipher_len, iv, r.esp, 8, tag, 16);
    } else {
        IMB_AES256_GCM_DEC(mgr_, key, &ctx, p, p, r.cipher_len, iv, r.esp, 8, tag, 16);
    }
}

uint16_t FloorImpl::process(uint64_t g0, uint16_t n) {
    const uint32_t count = sas_.size();
    uint32_t j = static_cast<uint32_t>(g0 % count);
    submitted_ = completed_ = 0;
    for (uint16_t k = 0; k < n; ++k) {
        const crypto::SaCrypto& c = encap_ ? *sas_.out(j)->crypto : *sas_.in(j)->crypto;
        const Region r = region(pkts_[k], c);
        if (api_ == FloorApi::kGcmDirect) {
            gcm_direct(c, r, k);
        } else {
            submit(c, r, k);
        }
        if (++j == count) j = 0;
    }
    // Flush exactly the outstanding jobs (environment.md: over-flushing corrupts memory).
    while (completed_ < submitted_ && IMB_FLUSH_JOB(mgr_) != nullptr)
        ++completed_;
    return n;
}

}  // namespace espgw::bench
