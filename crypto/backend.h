// The two interchangeable crypto backends. Both execute an array of CryptoOps and leave a status
// in each; the intel-ipsec-mb one is the fast path, the OpenSSL one is an independent
// implementation used to cross-check and as a selectable fallback.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "crypto/crypto_op.h"
#include "crypto/mb_manager.h"

namespace espgw::crypto {

enum class BackendKind : uint8_t { kIpsecMb, kOpenSsl };

// The names users give on command lines and in batch files; anything else is an error (a typo
// must not silently select the other backend).
inline std::optional<BackendKind> backend_from_name(std::string_view name) {
    if (name == "ipsec-mb") return BackendKind::kIpsecMb;
    if (name == "openssl") return BackendKind::kOpenSsl;
    return std::nullopt;
}

struct SaCrypto;

class MbBackend {
  public:
    explicit MbBackend(MbManager& mgr) : mgr_(mgr.get()) {}
    // Submits every op as one burst (grouped by suite so multi-buffer lanes fill) and flushes
    // exactly the number of jobs still outstanding.
    void process(CryptoOp* ops, uint16_t n);
    // Re-enables intel-ipsec-mb's per-job argument checks (debugging aid, ~25-45 cycles/job).
    void set_job_checks(bool on) { job_checks_ = on; }

  private:
    IMB_MGR* mgr_;
    bool job_checks_ = false;
};

// Runs one checked encrypt and decrypt job with the SA's keys: the fast path submits jobs
// unchecked, so an SA whose parameters the library would refuse must never get there.
bool validate_sa_jobs(const SaCrypto& sa, IMB_MGR* mgr);

class OsslBackend {
  public:
    void process(CryptoOp* ops, uint16_t n);
};

// Runtime choice between the two, made once per burst.
class Backend {
  public:
    Backend(BackendKind kind, MbManager& mgr) : kind_(kind), mb_(mgr) {}
    void process(CryptoOp* ops, uint16_t n) {
        if (kind_ == BackendKind::kIpsecMb) {
            mb_.process(ops, n);
        } else {
            ossl_.process(ops, n);
        }
    }
    BackendKind kind() const { return kind_; }
    void set_job_checks(bool on) { mb_.set_job_checks(on); }

  private:
    BackendKind kind_;
    MbBackend mb_;
    OsslBackend ossl_;
};

}  // namespace espgw::crypto
