// Control's SA timer loop (control/sa_timer_loop.h) when the command ring to the dataplane is
// full: a timer fires once, so a kSaExpire the ring refused must be kept and sent in a later
// round, once and in order; it is not lost and not sent twice.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "control/sa_timer_loop.h"

namespace espgw::control {
namespace {

namespace wire = sadb::wire;

CompiledSa timed_sa(uint32_t conn, uint32_t pair, uint32_t spi, wire::Direction d) {
    CompiledSa c;
    c.sa.conn_id = conn;
    c.sa.pair_conn_id = pair;
    c.sa.spi = spi;
    c.sa.direction = d;
    c.lifetime_seconds = 120;
    return c;
}

TEST(SaTimerLoop, ExpiryRefusedByAFullRingIsSentLaterOnce) {
    ControlState st;
    st.instance = "no-such-dataplane-sa-timer-loop-test";  // no stats segment: control's clock
    st.policy.sas = {timed_sa(11, 12, 0x1001, wire::Direction::kInbound),
                     timed_sa(12, 11, 0x2001, wire::Direction::kOutbound)};
    bool ring_full = true;
    std::vector<wire::Msg> sent;
    // 120 s of lifetime pass in 0.12 ms of real time.
    SaTimerLoop loop(
        st,
        [&](const wire::Msg& m) {
            if (ring_full) return false;
            sent.push_back(m);
            return true;
        },
        1'000'000);
    loop.tick();  // tracks the SAs from now
    for (int k = 0; k < 50 && loop.unsent() < 2; ++k) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        loop.tick();
    }
    ASSERT_EQ(loop.unsent(), 2u) << "both hard expiries fired and were refused";
    EXPECT_TRUE(sent.empty());
    ring_full = false;
    loop.tick();
    ASSERT_EQ(sent.size(), 2u);
    for (const wire::Msg& m : sent) {
        EXPECT_EQ(m.hdr.type, wire::MsgType::kSaExpire);
        EXPECT_EQ(m.body.sa_ref.reason, wire::SaEventType::kHardLifetime);
    }
    EXPECT_NE(sent[0].body.sa_ref.conn_id, sent[1].body.sa_ref.conn_id);
    for (int k = 0; k < 5; ++k)
        loop.tick();
    EXPECT_EQ(sent.size(), 2u) << "sent again";
    EXPECT_EQ(loop.unsent(), 0u);
}

}  // namespace
}  // namespace espgw::control
