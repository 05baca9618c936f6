#include "crypto/mb_manager.h"

#include <cstdlib>
#include <new>

namespace espgw::crypto {

MbManager::MbManager() : mgr_(alloc_mb_mgr(0)) {
    if (mgr_ == nullptr) throw std::bad_alloc();
    init_mb_mgr_auto(mgr_, &arch_);
}

MbManager::~MbManager() { free_mb_mgr(mgr_); }

std::string_view MbManager::arch_name() const {
    switch (arch_) {
        case IMB_ARCH_NOAESNI: return "no-aesni";
        case IMB_ARCH_SSE: return "sse";
        case IMB_ARCH_AVX: return "avx";
        case IMB_ARCH_AVX2: return "avx2";
        case IMB_ARCH_AVX512: return "avx512";
        default: return "none";
    }
}

}  // namespace espgw::crypto
