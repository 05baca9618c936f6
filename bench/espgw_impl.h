// espgw's engine as a benchmark implementation: N outbound and N inbound SAs built from the
// suite's keys, encap through dataplane::esp_encap and decap through esp_parse + esp_decap
// (SPI lookup in a sadb::SpiIndex), drops collected by collect_drops. Either crypto backend.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bench/impl.h"
#include "bench/suites.h"
#include "crypto/mb_manager.h"
#include "dataplane/esp_burst.h"
#include "sadb/sa_runtime.h"
#include "sadb/spi_index.h"

namespace espgw::bench {

class EspgwSas {
  public:
    // Anti-replay is disabled on the inbound SAs by default (replay_window = 0): the decap
    // benchmark replays the same pre-encrypted packets over and over. The roundtrip measurement
    // decapsulates what encap just made, so its SAs can keep a window.
    EspgwSas(const Suite& suite, uint32_t n, crypto::MbManager& mgr, const std::string& tag,
             uint32_t replay_window = 0);
    uint32_t size() const { return static_cast<uint32_t>(out_.size()); }
    sadb::SaRuntime* out(uint32_t j) const { return out_[j].get(); }
    sadb::SaRuntime* in(uint32_t j) const { return in_[j].get(); }
    // Packet g of a run goes out on SA g mod N: sa[k] for packets g0 .. g0+n-1.
    void assign_out(uint64_t g0, uint16_t n, sadb::SaRuntime** sa) const;
    const sadb::SpiIndex& index() const { return *index_; }

  private:
    std::vector<sadb::SaRuntimePtr> out_;
    std::vector<sadb::SaRuntimePtr> in_;
    std::unique_ptr<sadb::SpiIndex> index_;
};

class EspgwEncap : public Impl {
  public:
    EspgwEncap(const EspgwSas& sas, crypto::BackendKind kind, crypto::MbManager& mgr);
    rte_mbuf** slots() override { return b_.pkts; }
    uint16_t process(uint64_t g0, uint16_t n) override;
    const sadb::DropCounters& drops() const { return ctx_->drops; }

  private:
    const EspgwSas& sas_;
    std::unique_ptr<dataplane::EspContext> ctx_;
    dataplane::EspBurst b_;
};

class EspgwDecap : public Impl {
  public:
    EspgwDecap(const EspgwSas& sas, crypto::BackendKind kind, crypto::MbManager& mgr);
    rte_mbuf** slots() override { return b_.pkts; }
    uint16_t process(uint64_t g0, uint16_t n) override;
    const sadb::DropCounters& drops() const { return ctx_->drops; }

  private:
    std::unique_ptr<dataplane::EspContext> ctx_;
    dataplane::EspBurst b_;
};

// Encap immediately followed by decap of its output on the same burst and lcore: fresh sequence
// numbers every time, so the inbound SAs may run anti-replay (the default 1024-packet window of a
// real gateway), which the decap benchmark cannot. Survivors are the inner packets again.
class EspgwRoundtrip : public Impl {
  public:
    EspgwRoundtrip(const EspgwSas& sas, crypto::MbManager& mgr);
    rte_mbuf** slots() override { return b_.pkts; }
    uint16_t process(uint64_t g0, uint16_t n) override;

  private:
    const EspgwSas& sas_;
    std::unique_ptr<dataplane::EspContext> enc_, dec_;
    dataplane::EspBurst b_;
};

// Names of the non-zero drop counters, for failure messages.
std::string drop_summary(const sadb::DropCounters& d);

}  // namespace espgw::bench
