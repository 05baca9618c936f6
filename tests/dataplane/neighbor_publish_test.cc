// Publication of the ARP cache into the stats segment: every entry with its state, port, MAC and
// wall-clock age; bounded by the region (the table's total still reported); the seqlock is even
// after a publication and a republication replaces the previous one.
#include "dataplane/neighbor_publish.h"

#include <gtest/gtest.h>
#include <rte_memory.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace espgw::dataplane {
namespace {

constexpr uint64_t kHz = 1'000'000'000;  // 1 tick = 1 ns keeps the arithmetic readable
constexpr uint64_t kNowNs = 1'700'000'000'000'000'000;

// A stats segment in ordinary memory, laid out as the dataplane creates it.
struct Segment {
    explicit Segment(uint32_t max_neighbors) {
        sadb::StatsLayout l{1, 1, 1, 1, max_neighbors};
        mem.assign(l.size(), 0);
        view.base = mem.data();
        view.header()->max_neighbors = max_neighbors;
        view.header()->neighbor_off = l.neighbor_off();
    }
    std::map<uint32_t, sadb::NeighborSlot> slots() const {
        std::map<uint32_t, sadb::NeighborSlot> out;
        for (uint32_t i = 0; i < view.neighbors()->count; ++i)
            out[view.neighbor(i)->addr] = *view.neighbor(i);
        return out;
    }
    std::vector<uint8_t> mem;
    sadb::StatsView view;
};

std::unique_ptr<NeighborTable> table(const char* name) {
    std::string error;
    auto t = NeighborTable::create(name, SOCKET_ID_ANY, 64, nullptr, &error);
    EXPECT_NE(t, nullptr) << error;
    return t;
}

rte_ether_addr mac(uint8_t last) {
    return rte_ether_addr{{0x02, 0, 0, 0, 0, last}};
}

TEST(NeighborPublish, EveryStateWithPortMacAndAge) {
    auto t = table("nbpub-states");
    ASSERT_NE(t, nullptr);
    ASSERT_EQ(t->upsert(0xC0000202, mac(2), 0, NeighborState::kStatic), NeighborStatus::kOk);
    ASSERT_EQ(t->upsert(0xC612020A, mac(0x0a), 1, NeighborState::kReachable), NeighborStatus::kOk);
    ASSERT_TRUE(t->mark_incomplete(0xC6120214, 1, 5 * kHz));
    Segment seg(16);
    // "Now" is 65 s after the incomplete entry's request.
    EXPECT_EQ(publish_neighbors(*t, seg.view, 70 * kHz, kHz, kNowNs), 3u);
    const sadb::NeighborRegion& r = *seg.view.neighbors();
    EXPECT_EQ(r.seq % 2, 0u);
    EXPECT_GT(r.seq, 0u);
    EXPECT_EQ(r.total, 3u);
    EXPECT_EQ(r.published_unix_ns, kNowNs);
    auto s = seg.slots();
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[0xC0000202].state, sadb::NeighborSlotState::kStatic);
    EXPECT_EQ(s[0xC0000202].port, 0);
    EXPECT_EQ(s[0xC0000202].mac[5], 2);
    EXPECT_EQ(s[0xC612020A].state, sadb::NeighborSlotState::kReachable);
    EXPECT_EQ(s[0xC612020A].port, 1);
    EXPECT_EQ(s[0xC612020A].mac[0], 2);
    EXPECT_EQ(s[0xC612020A].mac[5], 0x0a);
    EXPECT_EQ(s[0xC6120214].state, sadb::NeighborSlotState::kIncomplete);
    EXPECT_EQ(s[0xC6120214].updated_unix_ns, kNowNs - 65 * kHz);
}

TEST(NeighborPublish, BoundedByTheRegionAndReplacedWhole) {
    auto t = table("nbpub-bound");
    ASSERT_NE(t, nullptr);
    for (uint8_t i = 1; i <= 10; ++i)
        ASSERT_EQ(t->upsert(0xC6120200 + i, mac(i), 1, NeighborState::kReachable),
                  NeighborStatus::kOk);
    Segment seg(4);
    EXPECT_EQ(publish_neighbors(*t, seg.view, kHz, kHz, kNowNs), 4u);
    EXPECT_EQ(seg.view.neighbors()->count, 4u);
    EXPECT_EQ(seg.view.neighbors()->total, 10u);
    const uint64_t seq = seg.view.neighbors()->seq;
    for (uint8_t i = 1; i <= 9; ++i)
        ASSERT_EQ(t->remove(0xC6120200 + i), NeighborStatus::kOk);
    EXPECT_EQ(publish_neighbors(*t, seg.view, kHz, kHz, kNowNs), 1u);
    EXPECT_EQ(seg.view.neighbors()->seq, seq + 2);
    const auto s = seg.slots();
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s.begin()->first, 0xC612020Au);
}

}  // namespace
}  // namespace espgw::dataplane
