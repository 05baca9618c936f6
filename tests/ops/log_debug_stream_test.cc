// `debug crypto` end to end without the lab: control's debug requests on a real management
// socket (MgmtServer, DebugHub, pump_debug_streams polled by a thread as control's main loop
// does) and the CLI's client and renderers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "control/debug_requests.h"
#include "mgmt/control_client.h"
#include "mgmt/debug_stream.h"
#include "sadb/mgmt_protocol.h"

namespace espgw {
namespace {

using namespace std::chrono_literals;
using control::DebugHub;
using control::DebugTopic;
using mgmt::Json;
namespace proto = sadb::mgmt;

// Control's side: the server, the hub and the pump on one thread; tests hand it work.
class DebugControl {
  public:
    DebugControl() : server_(getuid()) {
        char tmpl[] = "/tmp/espgw-debug-XXXXXX";
        dir_ = mkdtemp(tmpl);
        path = dir_ + "/run/debug.sock";
        std::string error;
        EXPECT_TRUE(server_.listen(path, &error)) << error;
        control::register_debug_requests(server_, hub_);
        thread_ = std::thread([this] { loop(); });
    }
    ~DebugControl() {
        stop_ = true;
        thread_.join();
        std::filesystem::remove_all(dir_);
    }
    // Runs `f` on the server's thread and waits for it.
    void on_server(std::function<void(DebugHub&)> f) {
        std::atomic<bool> done{false};
        {
            std::lock_guard<std::mutex> g(mu_);
            tasks_.push_back([&] {
                f(hub_);
                done = true;
            });
        }
        while (!done)
            std::this_thread::sleep_for(1ms);
    }

    std::string path;

  private:
    void loop() {
        while (!stop_) {
            server_.poll(2ms);
            std::lock_guard<std::mutex> g(mu_);
            for (auto& t : tasks_)
                t();
            tasks_.clear();
            control::pump_debug_streams(server_, hub_);
        }
    }
    control::MgmtServer server_;
    DebugHub hub_;
    std::string dir_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::mutex mu_;
    std::vector<std::function<void()>> tasks_;
};

struct Client {
    explicit Client(const std::string& path) {
        std::string error;
        EXPECT_EQ(c.connect(path, &error), mgmt::ControlClient::Status::kOk) << error;
    }
    Json request(const char* name, const Json& args, std::string* error) {
        Json data;
        return c.request(name, args, &data, error, 5s) ? data : Json();
    }
    Json next() {
        Json m;
        std::string error;
        EXPECT_TRUE(c.next(&m, 5s, &error)) << error;
        return m;
    }
    mgmt::ControlClient c;
};

TEST(LogDebugStream, StreamsPerTopicAndPeerUntilUndebugAll) {
    DebugControl control;
    Client ipsec(control.path), engine(control.path), admin(control.path);
    std::string error;
    const Json a = ipsec.request(
        proto::kReqDebug, {{"topic", "ipsec"}, {"peer", "192.0.2.2"}, {"terminal", "t1"}}, &error);
    EXPECT_EQ(a, (Json{{"topic", "ipsec"}, {"peer", "192.0.2.2"}})) << error;
    EXPECT_EQ(engine.request(proto::kReqDebug, {{"topic", "engine"}}, &error)["topic"], "engine");

    control.on_server([](DebugHub& hub) {
        hub.publish(DebugTopic::kIpsec, "192.0.2.3", "not for t1");
        hub.publish(DebugTopic::kIpsec, "192.0.2.2", "IPSEC(drop): one");
        hub.publish(DebugTopic::kEngine, "", "CryptoEngine0: two");
    });
    EXPECT_EQ(ipsec.next(), (Json{{"event", {{"line", "IPSEC(drop): one"}}}}));
    EXPECT_EQ(engine.next(), (Json{{"event", {{"line", "CryptoEngine0: two"}}}}));

    const Json debugs = admin.request(proto::kReqDebugging, Json::object(), &error);
    ASSERT_EQ(debugs["debugs"].size(), 2u) << debugs.dump();
    EXPECT_EQ(debugs["debugs"][0],
              (Json{{"topic", "ipsec"}, {"peer", "192.0.2.2"}, {"terminal", "t1"}}));
    EXPECT_EQ(mgmt::show_debugging(debugs),
              "Cryptographic Subsystem:\n"
              "  Crypto IPSEC debugging is on for peer 192.0.2.2 (t1)\n"
              "  Crypto Engine debugging is on (client 2)\n");

    EXPECT_EQ(admin.request(proto::kReqUndebug, {{"all", true}}, &error)["ended"], 2);
    const Json last = {
        {"event", {{"line", "All possible debugging has been turned off"}, {"end", true}}}};
    EXPECT_EQ(ipsec.next(), last);
    EXPECT_EQ(engine.next(), last);
    size_t left = 99;
    control.on_server([&](DebugHub& hub) { left = hub.streams(); });
    EXPECT_EQ(left, 0u);
    EXPECT_EQ(admin.request(proto::kReqDebugging, Json::object(), &error)["debugs"].size(), 0u);
}

TEST(LogDebugStream, ClosedTerminalIsForgotten) {
    DebugControl control;
    {
        Client c(control.path);
        std::string error;
        c.request(proto::kReqDebug, {{"topic", "ipsec"}}, &error);
        EXPECT_TRUE(error.empty()) << error;
    }  // Ctrl-C: the connection closes
    size_t left = 99;
    for (int i = 0; i < 200 && left != 0; ++i) {
        control.on_server([&](DebugHub& hub) { left = hub.streams(); });
        std::this_thread::sleep_for(5ms);
    }
    EXPECT_EQ(left, 0u);
}

TEST(LogDebugStream, WrongArgumentsAreOneLineErrors) {
    DebugControl control;
    Client c(control.path);
    std::string error;
    c.request(proto::kReqDebug, {{"topic", "isakmp"}}, &error);
    EXPECT_EQ(error, "debug needs topic ipsec or engine");
    c.request(proto::kReqDebug, {{"topic", "ipsec"}, {"peer", "192.0.2.300"}}, &error);
    EXPECT_EQ(error, "192.0.2.300 is not an IP address");
    const Json v6 =
        c.request(proto::kReqDebug, {{"topic", "engine"}, {"peer", "2001:DB8::0:1"}}, &error);
    EXPECT_EQ(v6["peer"], "2001:db8::1");  // the form the log's peers have
}

TEST(LogDebugStream, CliTextOfEvents) {
    using mgmt::debug_event_text;
    const auto line = debug_event_text({{"event", {{"line", "x"}}}}, false);
    EXPECT_EQ(line.text, "x");
    EXPECT_FALSE(line.end);
    EXPECT_EQ(debug_event_text({{"event", {{"lost", 7}}}}, false).text,
              "%% 7 debug line(s) lost: the terminal did not keep up");
    const auto end = debug_event_text({{"event", {{"line", "bye"}, {"end", true}}}}, true);
    EXPECT_TRUE(end.end);
    EXPECT_EQ(Json::parse(end.text), (Json{{"line", "bye"}, {"end", true}}));
    EXPECT_EQ(mgmt::debugging_is_on("engine", ""), "Crypto Engine debugging is on");
    EXPECT_EQ(mgmt::show_debugging(Json::object()),
              "Cryptographic Subsystem:\n  no crypto debugging is on\n");
}

}  // namespace
}  // namespace espgw
