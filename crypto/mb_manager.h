// One intel-ipsec-mb manager per lcore. The manager's job queue is lcore-private state, so it is
// never shared; the architecture (SSE/AVX2/AVX512) is auto-detected once and reported.
#pragma once

#include <intel-ipsec-mb.h>

#include <string_view>

namespace espgw::crypto {

class MbManager {
public:
    MbManager();
    ~MbManager();
    MbManager(const MbManager&) = delete;
    MbManager& operator=(const MbManager&) = delete;

    IMB_MGR* get() const { return mgr_; }
    IMB_ARCH arch() const { return arch_; }
    std::string_view arch_name() const;

private:
    IMB_MGR* mgr_;
    IMB_ARCH arch_ = IMB_ARCH_NONE;
};

}  // namespace espgw::crypto
