// The crypto-only floor: bare intel-ipsec-mb work on exactly the bytes ESP would cipher and
// hash (payload + padding + trailer; ESP header + IV + ciphertext), one chained job per packet,
// the burst submitted and then flushed once. No ESP processing at all: no header, trailer,
// sequence number or mbuf adjustment, no ICV comparison. Keys come from espgw's SA j so key
// cache footprint matches the engine's with 10,000 SAs.
#pragma once

#include <cstdint>

#include "bench/espgw_impl.h"
#include "bench/impl.h"
#include "crypto/mb_manager.h"

namespace espgw::bench {

enum class FloorApi : uint8_t {
    kJob,        // IMB_SUBMIT_JOB_NOCHECK / IMB_FLUSH_JOB, GCM as IMB_CIPHER_GCM + AES_GMAC
    kGcmDirect,  // IMB_AES128_GCM_ENC/DEC etc., one call per packet (GCM suites only)
};

class FloorImpl : public Impl {
  public:
    // encap: packets are inner IP packets; ESP would put header + IV in front (headroom) and
    // padding + trailer + ICV behind (tailroom). decap: packets are outer IP + ESP.
    FloorImpl(const EspgwSas& sas, bool encap, FloorApi api, crypto::MbManager& mgr);
    rte_mbuf** slots() override { return pkts_; }
    uint16_t process(uint64_t g0, uint16_t n) override;
    // Decap: the ICV computed for packet k of the last burst (for the correctness guard).
    const uint8_t* icv(uint16_t k) const { return scratch_[k].icv; }

  private:
    // Per packet: where ESP's bytes are and what the crypto call needs.
    struct alignas(64) Scratch {
        const crypto::SaCrypto* sa;
        uint8_t* esp;  // ESP header address (headroom on encap)
        uint32_t cipher_len;
        uint32_t auth_len;
        uint8_t nonce[16];
        uint8_t icv[32];
    };
    void prepare(rte_mbuf* m, const crypto::SaCrypto& c, Scratch& s) const;
    bool submit(Scratch& s);  // true when a job completed
    void gcm_direct(Scratch& s);

    const EspgwSas& sas_;
    bool encap_;
    FloorApi api_;
    IMB_MGR* mgr_;
    rte_mbuf* pkts_[64];
    Scratch scratch_[64];
};

}  // namespace espgw::bench
