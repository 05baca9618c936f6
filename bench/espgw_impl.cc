#include "bench/espgw_impl.h"

#include <rte_lcore.h>

#include <stdexcept>

#include "dataplane/drop_collect.h"
#include "dataplane/esp_decap.h"
#include "dataplane/esp_encap.h"
#include "dataplane/esp_parse.h"

namespace espgw::bench {
namespace {

sadb::SaConfig sa_config(const Suite& s, uint32_t j, sadb::Direction dir, uint32_t window) {
    const SaKeys k = sa_keys(s, j);
    sadb::SaConfig c;
    c.name = "bench";
    c.conn_id = j + 1;
    c.spi = k.spi;
    c.direction = dir;
    c.mode = sadb::Mode::kTunnel;
    c.cipher = s.cipher;
    c.integrity = s.integrity;
    c.cipher_key.assign({k.cipher, size_t{s.cipher_key_len} + s.salt_len});
    c.auth_key.assign({k.auth, s.auth_key_len});
    const auto a = sadb::IpAddr::v4(0xc0000201);  // 192.0.2.1
    const auto b = sadb::IpAddr::v4(0xc6336401);  // 198.51.100.1
    c.local = dir == sadb::Direction::kOutbound ? a : b;
    c.peer = dir == sadb::Direction::kOutbound ? b : a;
    c.replay_window = window;
    return c;
}

sadb::SaRuntimePtr build(const Suite& s, uint32_t j, sadb::Direction dir, uint32_t window,
                         IMB_MGR* mgr) {
    std::string error;
    sadb::SaRuntimePtr sa = sadb::build_sa_runtime(sa_config(s, j, dir, window), mgr, &error);
    if (!sa) throw std::runtime_error("espgw SA " + std::to_string(j) + ": " + error);
    return sa;
}

}  // namespace

EspgwSas::EspgwSas(const Suite& suite, uint32_t n, crypto::MbManager& mgr, const std::string& tag,
                   uint32_t replay_window) {
    // rte_hash names its ring's memzone "RG_HT_" + name, cut at 31 characters: a long tag
    // could name two live indexes alike, so each gets a number of its own.
    static uint32_t next_id = 0;
    index_ = std::make_unique<sadb::SpiIndex>("bspi" + std::to_string(next_id++), n,
                                              static_cast<int>(rte_socket_id()));
    if (!index_->ok()) throw std::runtime_error("cannot create SPI index " + tag);
    out_.reserve(n);
    in_.reserve(n);
    for (uint32_t j = 0; j < n; ++j) {
        out_.push_back(build(suite, j, sadb::Direction::kOutbound, replay_window, mgr.get()));
        in_.push_back(build(suite, j, sadb::Direction::kInbound, replay_window, mgr.get()));
        if (!index_->add(in_.back()->spi, in_.back().get()))
            throw std::runtime_error("SPI index full at " + std::to_string(j));
    }
}

void EspgwSas::assign_out(uint64_t g0, uint16_t n, sadb::SaRuntime** sa) const {
    const uint32_t count = size();
    uint32_t j = static_cast<uint32_t>(g0 % count);
    for (uint16_t k = 0; k < n; ++k) {
        sa[k] = out(j);
        if (++j == count) j = 0;
    }
}

EspgwEncap::EspgwEncap(const EspgwSas& sas, crypto::BackendKind kind, crypto::MbManager& mgr)
    : sas_(sas), ctx_(std::make_unique<dataplane::EspContext>(kind, mgr)) {}

uint16_t EspgwEncap::process(uint64_t g0, uint16_t n) {
    sas_.assign_out(g0, n, b_.sa);
    b_.reset(n);
    dataplane::esp_encap(*ctx_, b_);
    return dataplane::collect_drops(b_, ctx_->drops);
}

EspgwDecap::EspgwDecap(const EspgwSas& sas, crypto::BackendKind kind, crypto::MbManager& mgr)
    : ctx_(std::make_unique<dataplane::EspContext>(kind, mgr)) {
    ctx_->spi_index = &sas.index();
}

uint16_t EspgwDecap::process(uint64_t, uint16_t n) {
    b_.reset(n);
    dataplane::esp_parse(*ctx_, b_);
    dataplane::esp_decap(*ctx_, b_);
    return dataplane::collect_drops(b_, ctx_->drops);
}

EspgwRoundtrip::EspgwRoundtrip(const EspgwSas& sas, crypto::MbManager& mgr)
    : sas_(sas),
      enc_(std::make_unique<dataplane::EspContext>(crypto::BackendKind::kIpsecMb, mgr)),
      dec_(std::make_unique<dataplane::EspContext>(crypto::BackendKind::kIpsecMb, mgr)) {
    dec_->spi_index = &sas.index();
}

uint16_t EspgwRoundtrip::process(uint64_t g0, uint16_t n) {
    sas_.assign_out(g0, n, b_.sa);
    b_.reset(n);
    dataplane::esp_encap(*enc_, b_);
    b_.reset(dataplane::collect_drops(b_, enc_->drops));
    dataplane::esp_parse(*dec_, b_);
    dataplane::esp_decap(*dec_, b_);
    return dataplane::collect_drops(b_, dec_->drops);
}

std::string drop_summary(const sadb::DropCounters& d) {
    std::string out;
    for (const auto& info : sadb::kDropReasons) {
        const uint64_t c = d.count[static_cast<size_t>(info.reason)];
        if (c != 0) out += std::string(info.label) + "=" + std::to_string(c) + " ";
    }
    return out.empty() ? "none" : out;
}

}  // namespace espgw::bench
