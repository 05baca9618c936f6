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
    // Anti-replay is disabled on the inbound SAs (replay_window = 0): the benchmark replays
    // the same pre-encrypted packets over and over.
    EspgwSas(const Suite& suite, uint32_t n, crypto::MbManager& mgr, const std::string& tag);
    uint32_t size() const { return static_cast<uint32_t>(out_.size()); }
    sadb::SaRuntime* out(uint32_t j) const { return out_[j].get(); }
    sadb::SaRuntime* in(uint32_t j) const { return in_[j].get(); }
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

// Names of the non-zero drop counters, for failure messages.
std::string drop_summary(const sadb::DropCounters& d);

}  // namespace espgw::bench
