// Anti-replay window (RFC 4303 §3.4.3 + App. A, RFC 6479): table-driven edge cases and a
// differential test against a naive reference model on random sequences.
#include "sadb/replay_window.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
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
        {"far jump clears", 64,
         {{1, R::kOk}, {2, R::kOk}, {100000, R::kOk}, {99937, R::kOk}, {99936, R::kTooOld},
          {2, R::kTooOld}, {99999, R::kOk}}},
        {"word boundary", 128,
         {{63, R::kOk}, {64, R::kOk}, {127, R::kOk}, {128, R::kOk}, {64, R::kDuplicate},
          {1, R::kOk}, {192, R::kOk}, {65, R::kOk}, {64, R::kTooOld}}},
        {"jump exactly one window", 1024,
         {{1, R::kOk}, {1025, R::kOk}, {1, R::kTooOld}, {2, R::kOk}, {2, R::kDuplicate}}},
        {"odd window 100", 100, {{200, R::kOk}, {101, R::kOk}, {100, R::kTooOld}}},
        {"minimum window", 32, {{40, R::kOk}, {9, R::kOk}, {8, R::kTooOld}, {9, R::kDuplicate}}},
        {"maximum window", 4096,
         {{5000, R::kOk}, {905, R::kOk}, {904, R::kTooOld}, {4999, R::kOk}, {4999, R::kDuplicate}}},
        {"disabled", 0, {{5, R::kOk}, {5, R::kOk}, {1, R::kOk}, {0, R::kOk}}},
    };
    for (const Case& c : cases) run(c);
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
    EXPECT_EQ(w.infer(0xfffffff0u), 0xfffffff0u);                    // inside, same subspace
    EXPECT_EQ(w.infer(5), (uint64_t{1} << 32) | 5);                   // case A: next subspace
    // Left of the window counts as the next subspace (the ICV then decides).
    EXPECT_EQ(w.infer(0xffffff00u), (uint64_t{1} << 32) | 0xffffff00u);
    ASSERT_EQ(w.accept((uint64_t{1} << 32) | 20), R::kOk);            // Tl = 20, Th = 1
    EXPECT_EQ(w.infer(25), (uint64_t{1} << 32) | 25);                 // case B, ahead
    EXPECT_EQ(w.infer(0xfffffffeu), 0xfffffffeu);                      // case B, previous Th
    EXPECT_EQ(w.check(w.infer(0xfffffffeu)), R::kOk);                  // 2^32-2 within W=64
    EXPECT_EQ(w.check(w.infer(0xfffffff6u)), R::kDuplicate);           // accepted before
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

// Naive model: a set of accepted numbers and the highest one.
class NaiveWindow {
public:
    explicit NaiveWindow(uint64_t w) : w_(w) {}
    R accept(uint64_t seq) {
        if (seq == 0) return R::kTooOld;
        if (seq + w_ <= top_) return R::kTooOld;
        if (seen_.count(seq)) return R::kDuplicate;
        seen_.insert(seq);
        top_ = std::max(top_, seq);
        while (!seen_.empty() && *seen_.begin() + w_ <= top_) seen_.erase(seen_.begin());
        return R::kOk;
    }

private:
    uint64_t w_;
    uint64_t top_ = 0;
    std::set<uint64_t> seen_;
};

TEST(ReplayWindow, DifferentialAgainstNaiveModel) {
    std::mt19937_64 rng(20261122);
    const uint32_t sizes[] = {32, 64, 100, 1024, 4096};
    uint64_t total = 0;
    for (uint32_t size : sizes) {
        ReplayWindow w(size);
        NaiveWindow ref(size);
        uint64_t head = 1;
        for (int i = 0; i < 400000; ++i, ++total) {
            // Mostly forward traffic with reordering, duplicates and occasional far jumps.
            const uint64_t r = rng() % 100;
            uint64_t seq;
            if (r < 60) {
                seq = head++;
            } else if (r < 90) {
                seq = head - std::min<uint64_t>(head, rng() % (2 * size + 2));
            } else if (r < 99) {
                seq = head + rng() % (2 * size);
            } else {
                head += rng() % (50 * size);
                seq = head;
            }
            ASSERT_EQ(w.accept(seq), ref.accept(seq)) << "size " << size << " i " << i;
        }
    }
    EXPECT_GE(total, 2000000u);
}

}  // namespace
}  // namespace espgw::sadb
