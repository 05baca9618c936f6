// Inbound anti-replay window: RFC 6479 bitmap (no bit shifting; a slide only clears the words
// it passes over) over 64-bit sequence numbers, with RFC 4303 Appendix A high-order-bit
// inference for ESN.
//
// Usage on the fast path: infer() the 64-bit number, check() before any crypto (cheap
// pre-check), then accept() only after the ICV verified (RFC 4303 §3.4.3); accept() re-checks
// because another packet of the same burst may have taken the number in between.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory_resource>

namespace espgw::sadb {

enum class ReplayResult : uint8_t { kOk, kDuplicate, kTooOld };

class ReplayWindow {
  public:
    static constexpr uint32_t kMinSize = 32;
    static constexpr uint32_t kMaxSize = 4096;
    static constexpr uint32_t kDefaultSize = 1024;
    static constexpr size_t kHotBytes = 32;  // the leading bytes a packet reads (see below)

    // size == 0 disables anti-replay: checks always pass, but the highest number is still
    // tracked so ESN high-order bits can be inferred.
    // The bitmap is allocated from `mr` (the SA's memory, see hot_memory.h).
    explicit ReplayWindow(uint32_t size = kDefaultSize, bool esn = false,
                          std::pmr::memory_resource* mr = std::pmr::new_delete_resource());
    ~ReplayWindow();
    ReplayWindow(const ReplayWindow&) = delete;
    ReplayWindow& operator=(const ReplayWindow&) = delete;

    static bool valid_size(uint32_t size) {
        return size == 0 || (size >= kMinSize && size <= kMaxSize);
    }

    // RFC 4303 Appendix A.2.2: the full 64-bit number for a received low half.
    uint64_t infer(uint32_t seq_lo) const { return esn_ ? infer_esn(seq_lo) : seq_lo; }
    ReplayResult check(uint64_t seq) const {
        if (size_ == 0) return ReplayResult::kOk;
        if (seq == 0) return ReplayResult::kTooOld;  // never sent (RFC 4303 §3.3.3)
        if (seq > top_) return ReplayResult::kOk;
        if (seq + size_ <= top_) return ReplayResult::kTooOld;
        return test_bit(seq) ? ReplayResult::kDuplicate : ReplayResult::kOk;
    }
    ReplayResult accept(uint64_t seq) {
        if (!tracks()) return ReplayResult::kOk;
        const ReplayResult r = check(seq);
        if (r == ReplayResult::kOk) mark(seq);
        return r;
    }

    // Brings in the bitmap word accept(seq) will write: with thousands of SAs a likely cache
    // miss, and accept() comes only after the ICV was verified (RFC 4303 §3.4.3), so there is
    // the burst's crypto to hide it behind.
    void prefetch(uint64_t seq) const {
        if (tracks()) __builtin_prefetch(&bits_[word_of(seq)], 1);
    }

    uint64_t top() const { return top_; }
    uint32_t size() const { return size_; }
    bool enabled() const { return size_ != 0; }
    bool esn() const { return esn_; }

  private:
    // Whether accepted numbers are recorded: for the window, or (window off) for ESN inference.
    bool tracks() const { return size_ != 0 || esn_; }
    uint64_t infer_esn(uint32_t seq_lo) const;
    // The bitmap word holding `seq`'s bit (RFC 6479: the ring of words moves, no bit shifts).
    size_t word_of(uint64_t seq) const { return (seq >> 6) & words_mask_; }
    bool test_bit(uint64_t seq) const { return (bits_[word_of(seq)] >> (seq & 63)) & 1; }
    void slide_to(uint64_t seq);
    void mark(uint64_t seq) {
        if (seq > top_) slide_to(seq);
        bits_[word_of(seq)] |= uint64_t{1} << (seq & 63);
    }

    // The first 32 bytes are what a packet reads (SaRuntime keeps them in one cache line with
    // the inner policy); mr_ only frees the bitmap.
    uint64_t top_ = 0;     // highest accepted number; 0 = nothing received yet
    uint64_t* bits_;       // words_mask_ + 1 words
    uint32_t size_;        // W
    uint32_t words_mask_;  // bitmap words - 1 (a power of two >= W/64 + 1)
    uint32_t infer_size_;  // window used for ESN inference (W, or a nominal one if off)
    bool esn_;
    std::pmr::memory_resource* mr_;
};

}  // namespace espgw::sadb
