#include <algorithm>
#include <cstring>

#include "crypto/backend.h"
#include "crypto/icv_compare.h"
#include "crypto/sa_crypto.h"

namespace espgw::crypto {
namespace {

constexpr uint16_t kMaxOps = 256;

uint32_t suite_key(const CryptoOp& op) {
    const SaCrypto* sa = op.sa;
    return (uint32_t{sa->mb_cipher} << 16) | (uint32_t{sa->mb_hash} << 8) |
           (uint32_t{sa->aes_key_len} << 1) | uint32_t{op.encrypt};
}

bool icv_matches(const CryptoOp& op) {
    return icv_equal(op.icv_out, op.icv_in, op.sa->icv_len);
}

// AES-GCM has no multi-buffer lanes to fill; the direct API skips the job queue entirely
// (anchors.md: "GCM does not care" about flushing).
void run_gcm(IMB_MGR* mgr, CryptoOp& op) {
    const SaCrypto* sa = op.sa;
    const gcm_key_data* k = &sa->keys.gcm;
    uint8_t* p = op.base + op.cipher_offset;
    const uint64_t n = op.cipher_len;
    gcm_context_data ctx;
    if (op.encrypt) {
        switch (sa->aes_key_len) {
            case 16:
                IMB_AES128_GCM_ENC(mgr, k, &ctx, p, p, n, op.iv, op.aad, op.aad_len, op.icv_out,
                                   16);
                break;
            case 24:
                IMB_AES192_GCM_ENC(mgr, k, &ctx, p, p, n, op.iv, op.aad, op.aad_len, op.icv_out,
                                   16);
                break;
            default:
                IMB_AES256_GCM_ENC(mgr, k, &ctx, p, p, n, op.iv, op.aad, op.aad_len, op.icv_out,
                                   16);
                break;
        }
        op.status = OpStatus::kOk;
        return;
    }
    switch (sa->aes_key_len) {
        case 16:
            IMB_AES128_GCM_DEC(mgr, k, &ctx, p, p, n, op.iv, op.aad, op.aad_len, op.icv_out, 16);
            break;
        case 24:
            IMB_AES192_GCM_DEC(mgr, k, &ctx, p, p, n, op.iv, op.aad, op.aad_len, op.icv_out, 16);
            break;
        default:
            IMB_AES256_GCM_DEC(mgr, k, &ctx, p, p, n, op.iv, op.aad, op.aad_len, op.icv_out, 16);
            break;
    }
    op.status = icv_matches(op) ? OpStatus::kOk : OpStatus::kIcvMismatch;
}

void fill_job(IMB_JOB* job, CryptoOp& op) {
    const SaCrypto* sa = op.sa;
    job->chain_order = op.encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
    job->cipher_direction = op.encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
    job->cipher_mode = sa->mb_cipher;
    job->enc_keys = sa->enc_keys;
    job->dec_keys = sa->dec_keys;
    job->key_len_in_bytes = sa->aes_key_len;
    job->src = op.base;
    job->dst = op.base + op.cipher_offset;
    job->cipher_start_src_offset_in_bytes = op.cipher_offset;
    job->msg_len_to_cipher_in_bytes = op.cipher_len;
    job->iv = op.iv;
    job->iv_len_in_bytes = sa->family == CipherFamily::kCtr ? 12 : sa->iv_len;
    job->hash_alg = sa->mb_hash;
    job->hash_start_src_offset_in_bytes = 0;
    job->msg_len_to_hash_in_bytes = op.auth_len;
    job->auth_tag_output = op.icv_out;
    job->auth_tag_output_len_in_bytes = sa->icv_len;
    job->u.HMAC._hashed_auth_key_xor_ipad = sa->hmac_ipad;
    job->u.HMAC._hashed_auth_key_xor_opad = sa->hmac_opad;
    job->user_data = &op;
    op.status = OpStatus::kCryptoError;  // until the job comes back completed
}

void complete_job(const IMB_JOB* job) {
    auto& op = *static_cast<CryptoOp*>(job->user_data);
    if (job->status != IMB_STATUS_COMPLETED) {
        op.status = OpStatus::kCryptoError;
    } else if (!op.encrypt && op.sa->icv_len != 0) {
        op.status = icv_matches(op) ? OpStatus::kOk : OpStatus::kIcvMismatch;
    } else {
        op.status = OpStatus::kOk;
    }
}

// With thousands of SAs each op's key schedule is a likely cache miss: fetched a few ops ahead
// (not for the whole burst at once, which would overflow the miss buffers and the L1), and only
// when the SA differs from the op before.
constexpr uint16_t kKeyPrefetchAhead = 4;

void prefetch_keys(const CryptoOp* ops, uint16_t k) {
    if (k > 0 && ops[k].sa == ops[k - 1].sa) return;
    prefetch_sa_crypto(ops[k].sa, ops[k].encrypt);
}

// Orders the job ops (GCM ops never queue) so that jobs of one suite are submitted back to
// back. A burst of one SA (the common case) is recognised by pointer and left in order.
void order_by_suite(const CryptoOp* ops, uint16_t* idx, uint16_t n) {
    bool mixed = false;
    for (uint16_t k = 1; k < n; ++k)
        mixed |=
            ops[idx[k]].sa != ops[idx[0]].sa && suite_key(ops[idx[k]]) != suite_key(ops[idx[0]]);
    if (mixed) {
        std::stable_sort(idx, idx + n, [ops](uint16_t a, uint16_t b) {
            return suite_key(ops[a]) < suite_key(ops[b]);
        });
    }
}

}  // namespace

void MbBackend::process(CryptoOp* ops, uint16_t n) {
    uint16_t submitted = 0;
    uint16_t completed = 0;
    for (uint16_t base = 0; base < n; base += kMaxOps) {
        const uint16_t m = std::min<uint16_t>(kMaxOps, n - base);
        CryptoOp* chunk = ops + base;
        // AES-GCM runs at once through the direct API; the rest become jobs.
        uint16_t idx[kMaxOps];
        uint16_t jobs = 0;
        for (uint16_t k = 0; k < std::min<uint16_t>(m, kKeyPrefetchAhead); ++k)
            prefetch_keys(chunk, k);
        for (uint16_t k = 0; k < m; ++k) {
            if (k + kKeyPrefetchAhead < m) prefetch_keys(chunk, k + kKeyPrefetchAhead);
            if (chunk[k].sa->family == CipherFamily::kGcm) {
                run_gcm(mgr_, chunk[k]);
            } else {
                idx[jobs++] = k;
            }
        }
        order_by_suite(chunk, idx, jobs);
        for (uint16_t k = 0; k < jobs; ++k) {
            fill_job(IMB_GET_NEXT_JOB(mgr_), chunk[idx[k]]);
            ++submitted;
            // Job parameters are validated once per SA (validate_sa_jobs) and per packet by the
            // ESP stages, so the library's per-job checks (25-45 cycles) are skipped unless
            // asked for.
            const IMB_JOB* done = job_checks_ ? IMB_SUBMIT_JOB(mgr_) : IMB_SUBMIT_JOB_NOCHECK(mgr_);
            if (done != nullptr) {
                complete_job(done);
                ++completed;
            }
        }
    }
    // Flush exactly what is outstanding: over-flushing returns jobs twice (environment.md).
    while (completed < submitted) {
        const IMB_JOB* done = IMB_FLUSH_JOB(mgr_);
        if (done == nullptr) break;
        complete_job(done);
        ++completed;
    }
}

bool validate_sa_jobs(const SaCrypto& sa, IMB_MGR* mgr) {
    if (sa.family == CipherFamily::kGcm) return true;  // direct API: nothing to validate
    alignas(16) uint8_t buf[64 + 4 + 32] = {};
    alignas(16) uint8_t iv[16] = {};
    uint8_t icv[32];
    for (bool encrypt : {true, false}) {
        CryptoOp op{};
        op.sa = &sa;
        op.base = buf;
        op.cipher_offset = 16;
        op.cipher_len = 48;
        op.auth_len = 64;
        op.iv = iv;
        op.icv_out = icv;
        op.icv_in = icv;
        op.encrypt = encrypt;
        fill_job(IMB_GET_NEXT_JOB(mgr), op);
        const IMB_JOB* done = IMB_SUBMIT_JOB(mgr);
        while (done == nullptr)
            done = IMB_FLUSH_JOB(mgr);
        if (done->status != IMB_STATUS_COMPLETED) return false;
    }
    return true;
}

}  // namespace espgw::crypto
