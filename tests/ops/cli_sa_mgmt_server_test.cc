// espgw-control's management socket on a real unix socket in a temporary directory: framing,
// bad input, limits, refusal of other uids, streaming, and the CLI's client against it.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "control/mgmt_server.h"
#include "mgmt/control_client.h"
#include "sadb/mgmt_protocol.h"

namespace espgw {
namespace {

using namespace std::chrono_literals;
using control::ClientId;
using control::Json;
using control::MgmtReply;
using control::MgmtServer;

std::string temp_dir() {
    char tmpl[] = "/tmp/espgw-mgmt-XXXXXX";
    return mkdtemp(tmpl);
}

// A server polled by its own thread (as control's main loop does); `run_on_server` executes a
// function on that thread (MgmtServer is single-threaded).
class Served {
  public:
    explicit Served(uid_t allowed = getuid()) : server(allowed), dir_(temp_dir()) {
        path = dir_ + "/run/test.sock";
        std::string error;
        listening = server.listen(path, &error);
        EXPECT_TRUE(listening) << error;
    }
    ~Served() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        std::filesystem::remove_all(dir_);
    }
    void start() {
        thread_ = std::thread([this] {
            while (!stop_) {
                server.poll(5ms);
                std::lock_guard<std::mutex> g(mu_);
                for (auto& f : tasks_)
                    f();
                tasks_.clear();
            }
        });
    }
    void run_on_server(std::function<void()> f) {
        std::lock_guard<std::mutex> g(mu_);
        tasks_.push_back(std::move(f));
    }

    MgmtServer server;
    std::string path;
    bool listening = false;

  private:
    std::string dir_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::mutex mu_;
    std::vector<std::function<void()>> tasks_;
};

// A raw client: bytes in, lines out.
struct Raw {
    int fd = -1;
    explicit Raw(const std::string& path) {
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
        EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    }
    ~Raw() { close(fd); }
    void write_all(const std::string& s) {
        size_t off = 0;
        while (off < s.size()) {
            const ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
            if (n <= 0) return;
            off += static_cast<size_t>(n);
        }
    }
    // The next line, or "" after 3 s / at end of stream.
    std::string line() {
        while (buf.find('\n') == std::string::npos) {
            pollfd p{fd, POLLIN, 0};
            if (poll(&p, 1, 3000) <= 0) return "";
            char b[65536];
            const ssize_t n = read(fd, b, sizeof b);
            if (n <= 0) return "";
            buf.append(b, static_cast<size_t>(n));
        }
        const size_t nl = buf.find('\n');
        std::string l = buf.substr(0, nl);
        buf.erase(0, nl + 1);
        return l;
    }
    bool closed_by_peer() {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 3000) <= 0) return false;
        char b;
        return read(fd, &b, 1) <= 0;  // end of stream, or a reset (our request was unread)
    }
    std::string buf;
};

Json reply(Raw& r) {
    return Json::parse(r.line(), nullptr, false);
}

void add_echo(MgmtServer& s) {
    s.handle("echo", [](const Json& req, ClientId) {
        return MgmtReply::of({{"x", req.value("x", 0)}});
    });
    s.handle("fails", [](const Json&, ClientId) { return MgmtReply::fail("no such peer"); });
    s.handle("throws", [](const Json& req, ClientId) {
        return MgmtReply::of({{"n", req.at("n").get<uint32_t>()}});
    });
}

TEST(MgmtServer, SocketIsRootOnly) {
    Served s;
    struct stat st {};
    ASSERT_EQ(stat(s.path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(stat(std::filesystem::path(s.path).parent_path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(MgmtServer, RepliesInOrderOnOneConnection) {
    Served s;
    add_echo(s.server);
    s.start();
    Raw c(s.path);
    // Two requests in one write, a third split over two writes.
    c.write_all(
        "{\"v\":1,\"request\":\"echo\",\"x\":1}\n{\"v\":1,\"request\":\"echo\",\"x\":2}\n"
        "{\"v\":1,\"req");
    std::this_thread::sleep_for(20ms);
    c.write_all("uest\":\"echo\",\"x\":3}\n");
    for (int x = 1; x <= 3; ++x) {
        const Json r = reply(c);
        EXPECT_EQ(r.value("ok", false), true) << r;
        EXPECT_EQ(r["data"]["x"], x);
    }
}

TEST(MgmtServer, BadRequestsGetOneLineErrorsAndTheConnectionStays) {
    Served s;
    add_echo(s.server);
    s.start();
    Raw c(s.path);
    c.write_all("not json\n");
    EXPECT_EQ(reply(c), Json::parse(R"({"ok":false,"error":"bad request: not a JSON object"})"));
    c.write_all("[1,2]\n");
    EXPECT_EQ(reply(c)["error"], "bad request: not a JSON object");
    c.write_all("{\"request\":\"echo\"}\n");
    EXPECT_EQ(reply(c)["error"], "unsupported protocol version (this control speaks v1)");
    c.write_all("{\"v\":1}\n");
    EXPECT_EQ(reply(c)["error"], "bad request: no \"request\" name");
    c.write_all("{\"v\":1,\"request\":\"nope\"}\n");
    EXPECT_EQ(reply(c)["error"], "unknown request: nope");
    c.write_all("{\"v\":1,\"request\":\"fails\"}\n");
    EXPECT_EQ(reply(c)["error"], "no such peer");
    c.write_all("{\"v\":1,\"request\":\"throws\",\"n\":\"x\"}\n");
    const std::string e = reply(c)["error"];
    EXPECT_TRUE(e.starts_with("bad request throws: ")) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos);
    c.write_all("\n  \n{\"v\":1,\"request\":\"echo\",\"x\":7}\n");  // blank lines are skipped
    EXPECT_EQ(reply(c)["data"]["x"], 7);
}

TEST(MgmtServer, OversizedRequestIsRefusedAndClosed) {
    Served s;
    add_echo(s.server);
    s.start();
    Raw c(s.path);
    c.write_all(std::string(sadb::mgmt::kMaxRequestBytes + 10, 'x'));
    EXPECT_EQ(reply(c)["error"], "request longer than 65536 bytes");
    EXPECT_TRUE(c.closed_by_peer());
}

TEST(MgmtServer, OtherUidsAreRefused) {
    Served s(getuid() + 1);  // the test's uid is not the one served
    add_echo(s.server);
    s.start();
    Raw c(s.path);
    c.write_all("{\"v\":1,\"request\":\"echo\"}\n");
    EXPECT_EQ(reply(c)["error"], "permission denied: the espgw control socket is for root only");
    EXPECT_TRUE(c.closed_by_peer());
}

TEST(MgmtServer, ASecondServerOnTheSameSocketIsRefused) {
    Served s;
    MgmtServer other(getuid());
    std::string error;
    EXPECT_FALSE(other.listen(s.path, &error));
    EXPECT_EQ(error, "another espgw-control is serving " + s.path);
}

TEST(MgmtServer, AClientThatDoesNotReadNeverStallsThePoll) {
    Served s;
    s.server.handle("big", [](const Json&, ClientId) {
        return MgmtReply::of({{"blob", std::string(2 << 20, 'a')}});  // far over a socket buffer
    });
    add_echo(s.server);
    Raw slow(s.path);
    slow.write_all("{\"v\":1,\"request\":\"big\"}\n");
    Raw fast(s.path);
    fast.write_all("{\"v\":1,\"request\":\"echo\",\"x\":5}\n");
    const auto t0 = std::chrono::steady_clock::now();
    for (int k = 0; k < 20; ++k)
        s.server.poll(1ms);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
    s.start();
    EXPECT_EQ(reply(fast)["data"]["x"], 5);
    EXPECT_EQ(s.server.client_count(), 2u);  // the slow one is kept (up to kStallTimeout)
    const Json big = reply(slow);            // and gets everything once it reads
    EXPECT_EQ(big["data"]["blob"].get<std::string>().size(), size_t{2} << 20);
}

TEST(MgmtServer, StreamingRequestGetsEventsUntilTheClientCloses) {
    Served s;
    std::atomic<ClientId> streaming{0};
    std::atomic<int> closed{0};
    s.server.handle("watch", [&](const Json&, ClientId id) {
        streaming = id;
        MgmtReply r = MgmtReply::of({{"watching", true}});
        r.stream = true;
        return r;
    });
    s.server.on_stream_closed([&](ClientId id) { closed = static_cast<int>(id); });
    s.start();
    {
        Raw c(s.path);
        c.write_all("{\"v\":1,\"request\":\"watch\"}\n");
        EXPECT_EQ(reply(c)["data"]["watching"], true);
        s.run_on_server([&] {
            EXPECT_TRUE(s.server.push(streaming, {{"n", 1}}));
            EXPECT_TRUE(s.server.push(streaming, {{"n", 2}}));
        });
        EXPECT_EQ(reply(c), Json::parse(R"({"event":{"n":1}})"));
        EXPECT_EQ(reply(c), Json::parse(R"({"event":{"n":2}})"));
    }
    for (int k = 0; k < 300 && closed == 0; ++k)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(closed, static_cast<int>(streaming.load()));
    std::atomic<bool> pushed{true};
    s.run_on_server([&] { pushed = s.server.push(streaming, {{"n", 3}}); });
    for (int k = 0; k < 300 && pushed; ++k)
        std::this_thread::sleep_for(10ms);
    EXPECT_FALSE(pushed);
}

TEST(ControlClient, TalksToTheServer) {
    Served s;
    add_echo(s.server);
    s.start();
    mgmt::ControlClient c;
    std::string error;
    ASSERT_EQ(c.connect(s.path, &error), mgmt::ControlClient::Status::kOk) << error;
    Json data;
    ASSERT_TRUE(c.request("echo", {{"x", 42}}, &data, &error)) << error;
    EXPECT_EQ(data["x"], 42);
    EXPECT_FALSE(c.request("fails", Json::object(), &data, &error));
    EXPECT_EQ(error, "no such peer");
}

TEST(ControlClient, NoControlRunning) {
    const std::string dir = temp_dir();
    mgmt::ControlClient c;
    std::string error;
    EXPECT_EQ(c.connect(dir + "/none.sock", &error), mgmt::ControlClient::Status::kNotRunning);
    EXPECT_TRUE(error.starts_with("espgw-control is not running")) << error;
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace espgw
