// Anti-replay window (RFC 4303 §3.4.3 + App. A, RFC 6479): table-driven edge cases and a
// differential test against a naive reference model on random sequences.
#include "sadb/replay_window.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

namespace espgw::sadb {
namespace {

using R = ReplayResult;

struct Step {
    uint64_t seq;
    R expect;
};

struct Case {
    const char* name;
    uint32_t window;
    std::vector<Step> steps;
};

void run(const Case& c) {
    ReplayWindow w(c.window);
    for (size_t i = 0; i < c.steps.size(); ++i) {
        EXPECT_EQ(w.accept(c.steps[i].seq), c.steps[i].expect)
            << c.name << " step " << i << " seq " << c.steps[i].seq;
    }
}

TEST(ReplayWindow, TableDriven) {
    const std::vector<Case> cases = {
        {"first packet", 64, {{1, R::kOk}}},
        {"zero is never valid", 64, {{0, R::kTooOld}, {1, R::kOk}, {0, R::kTooOld}}},
        {"duplicate", 64, {{5, R::kOk}, {5, R::kDuplicate}}},
        {"in order", 64, {{1, R::kOk}, {2, R::kOk}, {3, R::kOk}, {2, R::kDuplicate}}},
        {"reorder inside", 64, {{10, R::kOk}, {7, R::kOk}, {9, R::kOk}, {7, R::kDuplicate}}},
        // W=64, top=100: 37..100 inside, 36 is left of the window.
        {"left edge", 64, {{100, R::kOk}, {37, R::kOk}, {36, R::kTooOld}, {37, R::kDuplicate}}},
        {"right edge slides", 64, {{64, R::kOk}, {1, R::kOk}, {65, R::kOk}, {1, R::kTooOld}}},
        {"far jump clears",
         64,
         {{1, R::kOk},
          {2, R::kOk},
          {100000, R::kOk},
          {99937, R::kOk},
          {99936, R::kTooOld},
          {2, R::kTooOld},
          {99999, R::kOk}}},
        {"word boundary",
         128,
         {{63, R::kOk},
          {64, R::kOk},
          {127, R::kOk},
          {128, R::kOk},
          {64, R::kDuplicate},
          {1, R::kOk},
          {192, R::kOk},
          {65, R::kOk},
          {64, R::kTooOld}}},
        {"jump exactly one window",
         1024,
         {{1, R::kOk}, {1025, R::kOk}, {1, R::kTooOld}, {2, R::kOk}, {2, R::kDuplicate}}},
        {"odd window 100", 100, {{200, R::kOk}, {101, R::kOk}, {100, R::kTooOld}}},
        {"minimum window", 32, {{40, R::kOk}, {9, R::kOk}, {8, R::kTooOld}, {9, R::kDuplicate}}},
        {"maximum window",
         4096,
         {{5000, R::kOk}, {905, R::kOk}, {904, R::kTooOld}, {4999, R::kOk}, {4999, R::kDuplicate}}},
        {"disabled", 0, {{5, R::kOk}, {5, R::kOk}, {1, R::kOk}, {0, R::kOk}}},
    };
    for (const Case& c : cases)
        run(c);
}

TEST(ReplayWindow, CheckDoesNotMutate) {
    ReplayWindow w(64);
    EXPECT_EQ(w.check(10), R::kOk);
    EXPECT_EQ(w.check(10), R::kOk);
    EXPECT_EQ(w.top(), 0u);
    EXPECT_EQ(w.accept(10), R::kOk);
    EXPECT_EQ(w.check(10), R::kDuplicate);
}

TEST(ReplayWindow, ValidSizes) {
    EXPECT_TRUE(ReplayWindow::valid_size(0));
    EXPECT_TRUE(ReplayWindow::valid_size(32));
    EXPECT_TRUE(ReplayWindow::valid_size(1024));
    EXPECT_TRUE(ReplayWindow::valid_size(4096));
    EXPECT_FALSE(ReplayWindow::valid_size(31));
    EXPECT_FALSE(ReplayWindow::valid_size(4097));
}

// RFC 4303 Appendix A.2.2 cases A and B around the 2^32 boundary.
TEST(ReplayWindow, EsnInference) {
    ReplayWindow w(64, /*esn=*/true);
    const uint64_t top = (uint64_t{1} << 32) - 10;  // Tl = 2^32-10, Th = 0
    ASSERT_EQ(w.accept(top), R::kOk);
    EXPECT_EQ(w.infer(0xfffffff0u), 0xfffffff0u);    // inside, same subspace
    EXPECT_EQ(w.infer(5), (uint64_t{1} << 32) | 5);  // case A: next subspace
    // Left of the window counts as the next subspace (the ICV then decides).
    EXPECT_EQ(w.infer(0xffffff00u), (uint64_t{1} << 32) | 0xffffff00u);
    ASSERT_EQ(w.accept((uint64_t{1} << 32) | 20), R::kOk);    // Tl = 20, Th = 1
    EXPECT_EQ(w.infer(25), (uint64_t{1} << 32) | 25);         // case B, ahead
    EXPECT_EQ(w.infer(0xfffffffeu), 0xfffffffeu);             // case B, previous Th
    EXPECT_EQ(w.check(w.infer(0xfffffffeu)), R::kOk);         // 2^32-2 within W=64
    EXPECT_EQ(w.check(w.infer(0xfffffff6u)), R::kDuplicate);  // accepted before
    EXPECT_EQ(w.check(w.infer(20)), R::kDuplicate);
}

TEST(ReplayWindow, EsnNoSubspaceBeforeZero) {
    ReplayWindow w(1024, true);
    EXPECT_EQ(w.infer(0xfffffffdu), 0xfffffffdu);  // not 2^64 - 3
    ASSERT_EQ(w.accept(0xfffffffdu), R::kOk);
    EXPECT_EQ(w.infer(2), (uint64_t{1} << 32) | 2);
}

TEST(ReplayWindow, EsnRolloverSequence) {
    ReplayWindow w(1024, true);
    uint64_t sent = (uint64_t{1} << 32) - 2000;
    for (int i = 0; i < 4000; ++i, ++sent) {
        const uint64_t seq = w.infer(static_cast<uint32_t>(sent));
        ASSERT_EQ(seq, sent);
        ASSERT_EQ(w.accept(seq), R::kOk);
    }
    EXPECT_EQ(w.top(), sent - 1);
}

TEST(ReplayWindow, NoEsnTreatsLowBitsOnly) {
    ReplayWindow w(64, false);
    EXPECT_EQ(w.infer(0xffffffffu), 0xffffffffu);
    ASSERT_EQ(w.accept(0xffffffffu), R::kOk);
    EXPECT_EQ(w.infer(1), 1u);
    EXPECT_EQ(w.accept(1), R::kTooOld);
}

// Naive model over true 64-bit numbers: a set of accepted numbers and the highest one. Window 0
// accepts everything (anti-replay off) but still tracks the highest number.
class NaiveWindow {
  public:
    explicit NaiveWindow(uint64_t w) : w_(w) {}
    R check(uint64_t seq) const {
        if (w_ == 0) return R::kOk;
        if (seq == 0 || seq + w_ <= top_) return R::kTooOld;
        return seen_.count(seq) ? R::kDuplicate : R::kOk;
    }
    R accept(uint64_t seq) {
        const R r = check(seq);
        if (r != R::kOk) return r;
        top_ = std::max(top_, seq);
        if (w_ == 0) return r;
        seen_.insert(seq);
        while (!seen_.empty() && *seen_.begin() + w_ <= top_)
            seen_.erase(seen_.begin());
        return r;
    }
    uint64_t top() const { return top_; }

  private:
    uint64_t w_;
    uint64_t top_ = 0;
    std::set<uint64_t> seen_;
};

// Mostly forward traffic with reordering (up to two windows back), duplicates and occasional far
// jumps; `span` is the window size the pattern scales with.
class Traffic {
  public:
    Traffic(uint64_t first, uint64_t span, uint64_t seed) : head_(first), span_(span), rng_(seed) {}
    uint64_t next() {
        const uint64_t r = rng_() % 100;
        if (r < 60) return head_++;
        if (r < 90) return head_ - std::min<uint64_t>(head_, rng_() % (2 * span_ + 2));
        if (r < 99) return head_ + rng_() % (2 * span_);
        head_ += rng_() % (50 * span_);
        return head_;
    }

  private:
    uint64_t head_;
    uint64_t span_;
    std::mt19937_64 rng_;
};

// Every size the configuration accepts at and around the word boundaries of the bitmap (RFC 6479
// §2: W and W + 1 bits cross a 64-bit word differently), plus both ends of the valid range.
constexpr uint32_t kSizes[] = {32, 33, 63, 64, 65, 127, 128, 1000, 2048, 4095, 4096};

TEST(ReplayWindow, DifferentialAgainstNaiveModel) {
    uint64_t total = 0;
    for (uint32_t size : kSizes) {
        ASSERT_TRUE(ReplayWindow::valid_size(size));
        ReplayWindow w(size);
        NaiveWindow ref(size);
        Traffic t(1, size, 20261122 + size);
        for (int i = 0; i < 100000; ++i, ++total) {
            const uint64_t seq = t.next();
            ASSERT_EQ(w.check(seq), ref.check(seq)) << "size " << size << " i " << i;
            ASSERT_EQ(w.accept(seq), ref.accept(seq)) << "size " << size << " i " << i;
            ASSERT_EQ(w.top(), ref.top()) << "size " << size << " i " << i;
        }
    }
    EXPECT_GE(total, 1000000u);
}

// One received packet with ESN (RFC 4303 §2.2.1, App. A): only the low 32 bits travel; the
// receiver infers the rest. A wrong guess makes the ICV fail (the high bits are authenticated),
// so the packet must not touch the window; that may only happen to a packet the naive model
// would refuse anyway, i.e. one left of the window (App. A.2.2).
void esn_step(ReplayWindow& w, NaiveWindow& ref, uint64_t seq, uint64_t infer_window,
              const std::string& where) {
    const uint64_t got = w.infer(static_cast<uint32_t>(seq));
    if (seq + infer_window <= ref.top()) {
        ASSERT_NE(got, seq) << where << ": a number " << ref.top() - seq << " behind inferred";
        if (w.enabled()) {
            ASSERT_EQ(ref.check(seq), R::kTooOld) << where;
        }
        return;  // ICV failure: neither window moves
    }
    ASSERT_EQ(got, seq) << where << " top " << ref.top();
    ASSERT_EQ(w.check(got), ref.check(seq)) << where;
    ASSERT_EQ(w.accept(got), ref.accept(seq)) << where;
    ASSERT_EQ(w.top(), ref.top()) << where;
}

TEST(ReplayWindow, EsnDifferentialAcrossSubspaces) {
    // Starts just below 2^32 and below k * 2^32 for larger k (Th > 1: case B's Th - 1 branch).
    const uint64_t starts[] = {(uint64_t{1} << 32) - 3000, (uint64_t{7} << 32) - 5000,
                               (uint64_t{0xfffffffe} << 32) - 2000};
    uint64_t crossed = 0;
    for (uint32_t size : kSizes) {
        for (uint64_t start : starts) {
            ReplayWindow w(size, /*esn=*/true);
            NaiveWindow ref(size);
            ASSERT_EQ(w.accept(start), R::kOk);  // as if received before: sets Th
            ASSERT_EQ(ref.accept(start), R::kOk);
            Traffic t(start + 1, size, start ^ size);
            for (int i = 0; i < 12000; ++i) {
                const uint64_t seq = t.next();
                esn_step(w, ref, seq, size,
                         "size " + std::to_string(size) + " start " + std::to_string(start) +
                             " i " + std::to_string(i) + " seq " + std::to_string(seq));
                if (HasFatalFailure()) return;
            }
            crossed += (w.top() >> 32) > (start >> 32);
        }
    }
    EXPECT_EQ(crossed, std::size(kSizes) * std::size(starts)) << "every run crosses a subspace";
}

// Anti-replay off with ESN (RFC 4303 §3.4.3 lets the receiver disable it): every authentic
// packet passes, duplicates too, but the highest number is still tracked so the high bits are
// inferred (over a nominal window of kDefaultSize).
TEST(ReplayWindow, EsnWithWindowDisabled) {
    for (uint64_t start : {(uint64_t{1} << 32) - 3000, (uint64_t{3} << 32) - 700}) {
        ReplayWindow w(0, /*esn=*/true);
        NaiveWindow ref(0);
        ASSERT_EQ(w.accept(start), R::kOk);
        ASSERT_EQ(ref.accept(start), R::kOk);
        Traffic t(start + 1, 300, start);
        for (int i = 0; i < 20000; ++i) {
            const uint64_t seq = t.next();
            esn_step(w, ref, seq, ReplayWindow::kDefaultSize,
                     "off, start " + std::to_string(start) + " i " + std::to_string(i));
            if (HasFatalFailure()) return;
        }
        EXPECT_GT(w.top() >> 32, start >> 32);
        EXPECT_EQ(w.accept(w.top()), R::kOk) << "a duplicate passes with the window off";
    }
}

}  // namespace
}  // namespace espgw::sadb
