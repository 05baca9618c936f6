// Debug streams: bounded queues with a "lines lost" line, undebug all, show debugging.
#include <gtest/gtest.h>

#include "control/debug_hub.h"

namespace espgw::control {
namespace {

TEST(LogDebugHub, StuckTerminalLosesLinesAndIsToldHowMany) {
    DebugHub hub;
    const uint64_t id = 1;
    hub.subscribe(id, {DebugTopic::kIpsec, ""}, "t");
    const size_t n = DebugHub::kQueueLines + 25;
    for (size_t i = 0; i < n; ++i)
        hub.publish(DebugTopic::kIpsec, "", "line " + std::to_string(i));
    std::vector<std::string> got;
    EXPECT_TRUE(hub.drain(id, &got));
    ASSERT_EQ(got.size(), DebugHub::kQueueLines + 1);
    EXPECT_EQ(got.front(), "line 0");
    EXPECT_EQ(got.back(), "%% 25 debug line(s) lost: the terminal did not keep up");
    // Once drained, the count starts again from zero.
    got.clear();
    hub.publish(DebugTopic::kIpsec, "", "after");
    hub.drain(id, &got);
    EXPECT_EQ(got, std::vector<std::string>{"after"});
}

TEST(LogDebugHub, TopicAndPeerFilters) {
    DebugHub hub;
    const uint64_t ipsec = 1, peer = 2, engine = 3;
    hub.subscribe(ipsec, {DebugTopic::kIpsec, ""}, "a");
    hub.subscribe(peer, {DebugTopic::kIpsec, "192.0.2.2"}, "b");
    hub.subscribe(engine, {DebugTopic::kEngine, "192.0.2.2"}, "c");
    EXPECT_TRUE(hub.wants(DebugTopic::kIpsec));
    hub.publish(DebugTopic::kIpsec, "192.0.2.2", "p2");
    hub.publish(DebugTopic::kIpsec, "192.0.2.3", "p3");
    hub.publish(DebugTopic::kIpsec, "", "none");
    hub.publish(DebugTopic::kEngine, "192.0.2.2", "e2");
    std::vector<std::string> a, b, c;
    hub.drain(ipsec, &a);
    hub.drain(peer, &b);
    hub.drain(engine, &c);
    EXPECT_EQ(a, (std::vector<std::string>{"p2", "p3", "none"}));
    EXPECT_EQ(b, (std::vector<std::string>{"p2"}));
    EXPECT_EQ(c, (std::vector<std::string>{"e2"}));
}

TEST(LogDebugHub, UndebugAllEndsEveryStreamWithAFinalLine) {
    DebugHub hub;
    const uint64_t a = 7, b = 9;
    hub.subscribe(a, {DebugTopic::kIpsec, ""}, "a");
    hub.subscribe(b, {DebugTopic::kEngine, ""}, "b");
    for (size_t i = 0; i < DebugHub::kQueueLines + 5; ++i)
        hub.publish(DebugTopic::kIpsec, "", "x");
    EXPECT_EQ(hub.undebug_all(), 2u);
    EXPECT_FALSE(hub.wants(DebugTopic::kIpsec));
    hub.publish(DebugTopic::kIpsec, "", "after undebug");
    std::vector<std::string> got;
    EXPECT_FALSE(hub.drain(a, &got));  // ended: the caller closes the stream
    EXPECT_EQ(got.back(), std::string(DebugHub::kTurnedOff));  // even past a full queue
    EXPECT_EQ(std::count(got.begin(), got.end(), "after undebug"), 0);
    got.clear();
    EXPECT_FALSE(hub.drain(b, &got));
    EXPECT_EQ(got, std::vector<std::string>{std::string(DebugHub::kTurnedOff)});
    hub.unsubscribe(a);
    hub.unsubscribe(b);
    EXPECT_EQ(hub.streams(), 0u);
    EXPECT_EQ(hub.undebug_all(), 0u);
}

TEST(LogDebugHub, ActiveStreamsForShowDebugging) {
    DebugHub hub;
    EXPECT_TRUE(hub.active().empty());
    hub.subscribe(10, {DebugTopic::kIpsec, "192.0.2.2"}, "pid 10");
    hub.subscribe(11, {DebugTopic::kEngine, ""}, "pid 11");
    auto a = hub.active();
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].id, 10u);
    EXPECT_EQ(a[0].filter.peer, "192.0.2.2");
    EXPECT_EQ(a[1].terminal, "pid 11");
    hub.undebug_all();
    EXPECT_TRUE(hub.active().empty());
    EXPECT_EQ(hub.ids(), (std::vector<uint64_t>{10, 11}));  // until drained and closed
    EXPECT_EQ(topic_from_name("engine"), DebugTopic::kEngine);
    EXPECT_EQ(topic_name(DebugTopic::kIpsec), "ipsec");
    EXPECT_FALSE(topic_from_name("isakmp"));
}

}  // namespace
}  // namespace espgw::control
