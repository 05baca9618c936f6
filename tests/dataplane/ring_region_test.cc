// The ring region: more messages than the ring has slots pass through the command ring without
// touching the event ring that follows it in the file (a full configuration of 1,000 tunnels is
// ~2,000 messages; an ack queued behind them must arrive intact).
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "dataplane/shm_files.h"

namespace espgw::dataplane {
namespace {

namespace wire = sadb::wire;

wire::Msg numbered(wire::MsgType type, uint64_t n) {
    wire::Msg m{};
    wire::set_header<wire::Ack>(m, type, n);
    m.body.ack.generation = n;
    std::memset(m.body.ack.error, static_cast<int>('a' + n % 26), sizeof m.body.ack.error - 1);
    return m;
}

TEST(RingRegion, CommandsBeyondOneRingOfSlotsLeaveTheEventRingIntact) {
    std::string error;
    ShmFile f = create_ring_region("ringtest" + std::to_string(getpid()), &error);
    ASSERT_TRUE(f.valid()) << error;
    sadb::RingRegion r(f.base(), f.size());
    rte_ring* cmd = r.commands();
    rte_ring* evt = r.events();
    const size_t evt_end =
        r.header()->evt_off + rte_ring_get_memsize_elem(wire::kMsgSize, rte_ring_get_size(evt));
    EXPECT_LE(evt_end, f.size()) << "the event ring's slots run past the end of the file";
    ASSERT_TRUE(sadb::ring_put(evt, numbered(wire::MsgType::kAck, 7)));
    // Producer ahead of the consumer by up to half a ring, as control and the main lcore run.
    const uint64_t total = 3 * sadb::kRingSlots + 5;
    uint64_t put = 0, got = 0;
    wire::Msg m{};
    while (got < total) {
        while (put < total && put - got < sadb::kRingSlots / 2)
            ASSERT_TRUE(sadb::ring_put(cmd, numbered(wire::MsgType::kSaAdd, put++)));
        ASSERT_TRUE(sadb::ring_take_and_wipe(cmd, &m));
        ASSERT_EQ(m.hdr.generation, got);
        ++got;
    }
    wire::Msg ack{};
    ASSERT_TRUE(sadb::ring_get(evt, &ack));
    const wire::Msg want = numbered(wire::MsgType::kAck, 7);
    EXPECT_EQ(std::memcmp(&ack, &want, sizeof ack), 0);
    if (evt_end > f.size()) return;  // filling it would write outside the mapping
    // The event ring also takes a ring's worth of messages inside the file.
    uint32_t n = 0;
    while (sadb::ring_put(evt, numbered(wire::MsgType::kAck, n))) ++n;
    EXPECT_EQ(n, rte_ring_get_capacity(evt));
    for (uint32_t k = 0; k < n; ++k) {
        ASSERT_TRUE(sadb::ring_get(evt, &ack));
        ASSERT_EQ(ack.hdr.generation, k);
    }
}

}  // namespace
}  // namespace espgw::dataplane
