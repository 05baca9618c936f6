#include "sadb/replay_window.h"

#include <algorithm>
#include <bit>

namespace espgw::sadb {

ReplayWindow::ReplayWindow(uint32_t size, bool esn, std::pmr::memory_resource* mr)
    : size_(size), infer_size_(size == 0 ? kDefaultSize : size), esn_(esn), mr_(mr) {
    // One spare word beyond W lets the window slide a word at a time (RFC 6479 §2).
    const uint32_t words = std::bit_ceil((infer_size_ + 63) / 64 + 1);
    words_mask_ = words - 1;
    bits_ = static_cast<uint64_t*>(mr_->allocate(words * sizeof(uint64_t), alignof(uint64_t)));
    std::fill_n(bits_, words, uint64_t{0});
}

ReplayWindow::~ReplayWindow() {
    static_assert(offsetof(ReplayWindow, esn_) + sizeof(esn_) <= kHotBytes);
    if (bits_ != nullptr)
        mr_->deallocate(bits_, (size_t{words_mask_} + 1) * sizeof(uint64_t), alignof(uint64_t));
}

// Appendix A.2.2 of RFC 4303: Tl/Th are the low/high halves of the window top, W its size.
uint64_t ReplayWindow::infer_esn(uint32_t seq_lo) const {
    const uint32_t tl = static_cast<uint32_t>(top_);
    const uint32_t th = static_cast<uint32_t>(top_ >> 32);
    const uint32_t bottom = tl - (infer_size_ - 1);  // mod 2^32
    uint32_t hi;
    if (tl >= infer_size_ - 1) {
        // Case A: the window lies within one sequence-number subspace.
        hi = seq_lo >= bottom ? th : th + 1;
    } else {
        // Case B: the window spans two subspaces. Before the first wrap there is no previous
        // subspace: a number "behind" subspace 0 is read as ahead in it, not as 2^64 - x.
        hi = seq_lo >= bottom && th != 0 ? th - 1 : th;
    }
    return (uint64_t{hi} << 32) | seq_lo;
}

void ReplayWindow::slide_to(uint64_t seq) {
    const uint64_t from = top_ >> 6;
    const uint64_t to = seq >> 6;
    const uint64_t n = std::min<uint64_t>(to - from, uint64_t{words_mask_} + 1);
    for (uint64_t k = 1; k <= n; ++k)
        bits_[(from + k) & words_mask_] = 0;
    top_ = seq;
}

}  // namespace espgw::sadb
