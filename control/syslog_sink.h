// Where event-log lines go: standard output (default; the lab's control.log), a file, a local
// syslog socket (unix datagram, /dev/log), or a remote syslog server (UDP, RFC 5426). Sockets
// always get RFC 5424; stdout and files the IOS form unless `--log-format rfc5424`.
//
// A sink never blocks control: socket sends are non-blocking, and a line that cannot be sent
// (daemon gone, buffer full) is counted in failed() and dropped.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace espgw::control {

enum class SinkKind : uint8_t { kStdout, kFile, kUnix, kUdp };
enum class LineFormat : uint8_t { kIos, kRfc5424 };

struct SinkSpec {
    SinkKind kind = SinkKind::kStdout;
    std::string target;   // file or socket path, or the UDP host
    uint16_t port = 514;  // UDP (RFC 5426 §3.3)
    LineFormat format = LineFormat::kIos;
    int max_severity = 7;  // lines of a higher number (less severe) are not sent (`logging trap`)
    bool operator==(const SinkSpec&) const = default;
};

// `stdout`, `file:PATH`, `unix[:PATH]` (default /dev/log), `udp:HOST[:PORT]` (`udp:[v6]:PORT`).
// Socket kinds get kRfc5424; the others `stream_format`.
std::optional<SinkSpec> parse_sink_spec(std::string_view text, LineFormat stream_format,
                                        std::string* error);

std::string describe(const SinkSpec& s);

class Sink {
  public:
    static std::unique_ptr<Sink> open(const SinkSpec& spec, std::string* error);
    ~Sink();
    Sink(const Sink&) = delete;
    Sink& operator=(const Sink&) = delete;

    // One line without its newline (files and stdout get one appended; datagrams carry one
    // message each, RFC 5426 §3.1).
    void write(std::string_view line);
    // Files: open the path again (after log rotation moved it).
    void reopen();

    const SinkSpec& spec() const { return spec_; }
    uint64_t failed() const { return failed_; }

  private:
    explicit Sink(const SinkSpec& spec) : spec_(spec) {}
    bool open_fd(std::string* error);

    SinkSpec spec_;
    int fd_ = -1;
    sockaddr_storage addr_{};
    socklen_t addr_len_ = 0;
    uint64_t failed_ = 0;
};

}  // namespace espgw::control
