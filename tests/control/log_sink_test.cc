// Log destinations on real sockets and files: a unix datagram socket in a temporary folder (as
// /dev/log), a UDP socket on the loopback, a file; the bytes that arrive are compared exactly.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "control/event_log.h"
#include "control/syslog_sink.h"

namespace espgw::control {
namespace {

class TempDir {
  public:
    TempDir() {
        char tmpl[] = "/tmp/espgw-logtest-XXXXXX";
        path_ = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::system(("rm -rf " + path_).c_str()); }
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }

  private:
    std::string path_;
};

// A bound datagram socket that the test reads from (with a timeout).
class Receiver {
  public:
    explicit Receiver(const std::string& unix_path) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strcpy(a.sun_path, unix_path.c_str());
        ok_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        set_timeout();
    }
    Receiver() {  // UDP on 127.0.0.1, any port
        fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ok_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        set_timeout();
    }
    ~Receiver() { ::close(fd_); }
    bool ok() const { return ok_; }
    uint16_t port() const { return port_; }
    std::string next() {
        char buf[4096];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        return n < 0 ? "<nothing>" : std::string(buf, static_cast<size_t>(n));
    }

  private:
    void set_timeout() {
        timeval tv{1, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    int fd_ = -1;
    bool ok_ = false;
    uint16_t port_ = 0;
};

std::string read_file(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// `log` writing to one destination.
::testing::AssertionResult open_log(EventLog& log, const std::string& destination) {
    LogOptions o;
    o.destinations = {destination};
    std::string error;
    if (log.open(o, &error)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << error;
}

SinkSpec spec(const std::string& text) {
    std::string error;
    auto s = parse_sink_spec(text, LineFormat::kIos, &error);
    EXPECT_TRUE(s) << text << ": " << error;
    return s.value_or(SinkSpec{});
}

TEST(LogSink, SpecsParse) {
    EXPECT_EQ(spec("stdout").kind, SinkKind::kStdout);
    EXPECT_EQ(spec("file:/var/log/espgw.log").target, "/var/log/espgw.log");
    EXPECT_EQ(spec("file:/x").format, LineFormat::kIos);
    EXPECT_EQ(spec("unix").target, "/dev/log");
    EXPECT_EQ(spec("unix:/run/x.sock").format, LineFormat::kRfc5424);
    const SinkSpec u = spec("udp:192.0.2.9");
    EXPECT_EQ(u.target, "192.0.2.9");
    EXPECT_EQ(u.port, 514);
    EXPECT_EQ(spec("udp:192.0.2.9:5514").port, 5514);
    const SinkSpec v6 = spec("udp:[2001:db8::9]:6514");
    EXPECT_EQ(v6.target, "2001:db8::9");
    EXPECT_EQ(v6.port, 6514);
}

TEST(LogSink, BadSpecsSayWhatIsWrong) {
    for (const char* bad : {"tcp:1.2.3.4", "udp:", "udp:1.2.3.4:0", "udp:1.2.3.4:70000",
                            "file:", "stdout:x", "udp:[::1"}) {
        std::string error;
        EXPECT_FALSE(parse_sink_spec(bad, LineFormat::kIos, &error)) << bad;
        EXPECT_FALSE(error.empty()) << bad;
        EXPECT_EQ(error.find('\n'), std::string::npos) << bad;
    }
}

TEST(LogSink, UnixDatagramReceivesTheExactBytes) {
    TempDir dir;
    Receiver rx(dir / "log.sock");
    ASSERT_TRUE(rx.ok());
    std::string error;
    auto sink = Sink::open(spec("unix:" + (dir / "log.sock")), &error);
    ASSERT_TRUE(sink) << error;
    sink->write("<188>1 - - - - - - %CRYPTO-4-X: one");
    sink->write("two");
    EXPECT_EQ(rx.next(), "<188>1 - - - - - - %CRYPTO-4-X: one");  // no newline: one datagram
    EXPECT_EQ(rx.next(), "two");
    EXPECT_EQ(sink->failed(), 0u);
}

TEST(LogSink, UnixSocketWithoutListenerNeverBlocks) {
    TempDir dir;
    std::string error;
    auto sink = Sink::open(spec("unix:" + (dir / "nobody.sock")), &error);
    ASSERT_TRUE(sink) << error;
    for (int i = 0; i < 3; ++i)
        sink->write("lost");
    EXPECT_EQ(sink->failed(), 3u);
}

TEST(LogSink, UdpReceivesTheExactBytes) {
    Receiver rx;
    ASSERT_TRUE(rx.ok());
    std::string error;
    auto sink = Sink::open(spec("udp:127.0.0.1:" + std::to_string(rx.port())), &error);
    ASSERT_TRUE(sink) << error;
    sink->write("<189>1 line");
    EXPECT_EQ(rx.next(), "<189>1 line");
}

TEST(LogSink, FileAppendsLinesAndReopens) {
    TempDir dir;
    std::string error;
    auto sink = Sink::open(spec("file:" + (dir / "a.log")), &error);
    ASSERT_TRUE(sink) << error;
    sink->write("first");
    sink->write("second");
    EXPECT_EQ(read_file(dir / "a.log"), "first\nsecond\n");
    ASSERT_EQ(std::rename((dir / "a.log").c_str(), (dir / "a.log.1").c_str()), 0);
    sink->reopen();  // as after logrotate and SIGHUP
    sink->write("third");
    EXPECT_EQ(read_file(dir / "a.log"), "third\n");
    EXPECT_EQ(read_file(dir / "a.log.1"), "first\nsecond\n");
}

TEST(LogSink, FileThatCannotBeOpenedIsOneLineError) {
    std::string error;
    EXPECT_FALSE(Sink::open(spec("file:/nonexistent-dir/x.log"), &error));
    EXPECT_NE(error.find("/nonexistent-dir/x.log"), std::string::npos) << error;
}

// The whole path: an event through EventLog to the syslog socket, in RFC 5424 form.
TEST(LogSink, EventLogWritesRfc5424ToTheSocket) {
    TempDir dir;
    Receiver rx(dir / "devlog");
    ASSERT_TRUE(rx.ok());
    EventLog log;
    ASSERT_TRUE(open_log(log, "unix:" + (dir / "devlog")));
    Config cfg;
    cfg.hostname = "site-a";
    cfg.logging.facility = 21;  // local5
    log.configure(cfg);
    const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1795377739)) +
                   std::chrono::microseconds(5);
    log.set_clocks([t] { return t; }, [] { return RateLimiter::Clock::now(); }, 3600);
    log.set_procid(4242);
    log.event(LogEvent::kConfigApplied,
              {{"what", "Configured from site-a.cfg"}, {"generation", "1"}});
    EXPECT_EQ(rx.next(),
              "<173>1 2026-11-22T21:02:19.000005+01:00 site-a espgw-control 4242 CONFIG_I - "
              "%SYS-5-CONFIG_I: Configured from site-a.cfg (generation 1)");
}

TEST(LogSink, LoggingHostGetsLinesUpToTheTrapLevel) {
    Receiver rx;
    ASSERT_TRUE(rx.ok());
    TempDir dir;
    EventLog log;
    ASSERT_TRUE(open_log(log, "file:" + (dir / "c.log")));
    Config cfg;
    cfg.logging.hosts.push_back({1, *Ipv4::parse("127.0.0.1"), rx.port()});
    cfg.logging.trap = 4;  // warnings
    log.configure(cfg);
    log.event(LogEvent::kResync, {{"count", "2"}, {"generation", "7"}});  // 6: not sent
    log.event(LogEvent::kDataplaneLost, {{"instance", "x"}});             // 3: sent
    const std::string got = rx.next();
    EXPECT_NE(got.find("%ESPGW-3-DATAPLANE_LOST: waiting for a dataplane of instance x"),
              std::string::npos)
        << got;
    EXPECT_TRUE(got.starts_with("<187>1 ")) << got;  // local7, error
    const std::string file = read_file(dir / "c.log");
    EXPECT_NE(file.find("%ESPGW-6-RESYNC"), std::string::npos) << file;  // the file gets all
    cfg.logging.hosts.clear();
    log.configure(cfg);  // a reload without the host stops sending to it
    log.event(LogEvent::kDataplaneLost, {{"instance", "y"}});
    EXPECT_EQ(rx.next(), "<nothing>");
}

}  // namespace
}  // namespace espgw::control
