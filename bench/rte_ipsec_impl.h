// DPDK's own ESP library as the peer: librte_ipsec (DPDK 22.11) over the crypto_aesni_mb PMD in
// cpu-crypto mode (RTE_SECURITY_ACTION_TYPE_CPU_CRYPTO, the ipsec-secgw "cpu-crypto" path):
// per group of consecutive packets of one SA, rte_ipsec_pkt_cpu_prepare + rte_ipsec_pkt_process.
// Inbound SAs are found by SPI in an rte_ipsec_sad, as ipsec-secgw does.
#pragma once

#include <rte_ipsec.h>
#include <rte_ipsec_sad.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bench/impl.h"
#include "bench/suites.h"

namespace espgw::bench {

// One crypto_aesni_mb vdev, configured and started, with a session pool.
class CryptoDev {
  public:
    explicit CryptoDev(uint32_t max_sessions);
    ~CryptoDev();
    CryptoDev(const CryptoDev&) = delete;
    CryptoDev& operator=(const CryptoDev&) = delete;
    uint8_t id() const { return id_; }
    rte_mempool* session_pool() const { return sess_pool_; }

  private:
    uint8_t id_ = 0;
    rte_mempool* sess_pool_ = nullptr;
};

class RteSas {
  public:
    // Anti-replay disabled on inbound SAs (replay_win_sz = 0), like espgw's in this benchmark.
    RteSas(CryptoDev& dev, const Suite& suite, uint32_t n, const std::string& tag);
    ~RteSas();
    RteSas(const RteSas&) = delete;
    RteSas& operator=(const RteSas&) = delete;
    uint32_t size() const { return static_cast<uint32_t>(out_.size()); }
    const rte_ipsec_session* out(uint32_t j) const { return &out_[j]; }
    const rte_ipsec_sad* sad() const { return sad_; }

  private:
    void add(const Suite& suite, uint32_t j, bool inbound);

    CryptoDev& dev_;
    std::vector<rte_ipsec_session> out_;
    std::vector<rte_ipsec_session> in_;
    rte_ipsec_sad* sad_ = nullptr;
};

class RteEncap : public Impl {
  public:
    explicit RteEncap(const RteSas& sas) : sas_(sas) {}
    rte_mbuf** slots() override { return pkts_; }
    uint16_t process(uint64_t g0, uint16_t n) override;

  private:
    const RteSas& sas_;
    rte_mbuf* pkts_[64];
    const rte_ipsec_session* ss_[64];
};

class RteDecap : public Impl {
  public:
    explicit RteDecap(const RteSas& sas) : sas_(sas) {}
    rte_mbuf** slots() override { return pkts_; }
    uint16_t process(uint64_t g0, uint16_t n) override;

  private:
    const RteSas& sas_;
    rte_mbuf* pkts_[64];
    void* ss_[64];
};

}  // namespace espgw::bench
