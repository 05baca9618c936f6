#include "control/syslog_sink.h"

#include <fcntl.h>
#include <netdb.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace espgw::control {
namespace {

constexpr std::string_view kDevLog = "/dev/log";
// RFC 5426 §3.2: receivers should take 2048-octet messages; longer ones may be truncated on the
// way, so they are cut here, where the cut is visible (the MSG part is last).
constexpr size_t kMaxDatagram = 2048;

bool fail(std::string* error, std::string text) {
    if (error) *error = std::move(text);
    return false;
}

std::optional<uint16_t> parse_port(std::string_view s) {
    if (s.empty() || s.size() > 5) return std::nullopt;
    uint32_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<uint32_t>(c - '0');
    }
    if (v == 0 || v > 65535) return std::nullopt;
    return static_cast<uint16_t>(v);
}

// HOST, HOST:PORT, [V6] or [V6]:PORT.
bool split_host_port(std::string_view s, SinkSpec* spec, std::string* error) {
    std::string_view host = s, port;
    if (s.starts_with("[")) {
        const size_t close = s.find(']');
        if (close == std::string_view::npos) return fail(error, "missing ']' in " + std::string(s));
        host = s.substr(1, close - 1);
        if (close + 1 < s.size() && s[close + 1] == ':') port = s.substr(close + 2);
    } else if (const size_t colon = s.rfind(':'); colon != std::string_view::npos) {
        host = s.substr(0, colon);
        port = s.substr(colon + 1);
    }
    if (host.empty()) return fail(error, "udp: needs a host, e.g. udp:192.0.2.9:514");
    spec->target = std::string(host);
    if (port.empty()) return true;
    const auto p = parse_port(port);
    if (!p) return fail(error, "'" + std::string(port) + "' is not a UDP port (1-65535)");
    spec->port = *p;
    return true;
}

}  // namespace

std::optional<SinkSpec> parse_sink_spec(std::string_view text, LineFormat stream_format,
                                        std::string* error) {
    SinkSpec s;
    s.format = stream_format;
    const size_t colon = text.find(':');
    const std::string_view kind = text.substr(0, colon);
    const std::string_view arg = colon == std::string_view::npos ? "" : text.substr(colon + 1);
    if (kind == "stdout" && arg.empty()) return s;
    if (kind == "file" && !arg.empty()) {
        s.kind = SinkKind::kFile;
        s.target = std::string(arg);
        return s;
    }
    s.format = LineFormat::kRfc5424;
    if (kind == "unix") {
        s.kind = SinkKind::kUnix;
        s.target = std::string(arg.empty() ? kDevLog : arg);
        if (s.target.size() >= sizeof(sockaddr_un::sun_path))
            return fail(error, "unix socket path too long: " + s.target), std::nullopt;
        return s;
    }
    if (kind == "udp") {
        s.kind = SinkKind::kUdp;
        if (!split_host_port(arg, &s, error)) return std::nullopt;
        return s;
    }
    fail(error, "'" + std::string(text) +
                    "' is not a log destination (stdout, file:PATH, unix[:PATH], udp:HOST[:PORT])");
    return std::nullopt;
}

std::string describe(const SinkSpec& s) {
    switch (s.kind) {
        case SinkKind::kStdout:
            return "stdout";
        case SinkKind::kFile:
            return "file:" + s.target;
        case SinkKind::kUnix:
            return "unix:" + s.target;
        case SinkKind::kUdp:
            return "udp:" + s.target + ":" + std::to_string(s.port);
    }
    return "?";
}

std::unique_ptr<Sink> Sink::open(const SinkSpec& spec, std::string* error) {
    std::unique_ptr<Sink> s(new Sink(spec));
    if (!s->open_fd(error)) return nullptr;
    return s;
}

Sink::~Sink() {
    if (fd_ > 2) ::close(fd_);
}

bool Sink::open_fd(std::string* error) {
    switch (spec_.kind) {
        case SinkKind::kStdout:
            fd_ = STDOUT_FILENO;
            return true;
        case SinkKind::kFile:
            fd_ = ::open(spec_.target.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
            return fd_ >= 0 || fail(error, spec_.target + ": " + std::strerror(errno));
        case SinkKind::kUnix: {
            sockaddr_un un{};
            un.sun_family = AF_UNIX;
            std::memcpy(un.sun_path, spec_.target.c_str(), spec_.target.size() + 1);
            std::memcpy(&addr_, &un, sizeof un);
            addr_len_ = sizeof un;
            fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            return fd_ >= 0 || fail(error, std::string("socket: ") + std::strerror(errno));
        }
        case SinkKind::kUdp: {
            addrinfo hints{}, *res = nullptr;
            hints.ai_socktype = SOCK_DGRAM;
            const std::string port = std::to_string(spec_.port);
            if (const int rc = getaddrinfo(spec_.target.c_str(), port.c_str(), &hints, &res); rc)
                return fail(error, spec_.target + ": " + gai_strerror(rc));
            std::memcpy(&addr_, res->ai_addr, res->ai_addrlen);
            addr_len_ = res->ai_addrlen;
            fd_ = ::socket(res->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            freeaddrinfo(res);
            return fd_ >= 0 || fail(error, std::string("socket: ") + std::strerror(errno));
        }
    }
    return fail(error, "unknown log destination");
}

void Sink::write(std::string_view line) {
    if (spec_.kind == SinkKind::kUnix || spec_.kind == SinkKind::kUdp) {
        // sendto each time: a restarted syslog daemon's new socket is found at the same path.
        const size_t n = std::min(line.size(), kMaxDatagram);
        const auto* to = reinterpret_cast<const sockaddr*>(&addr_);
        if (::sendto(fd_, line.data(), n, MSG_DONTWAIT | MSG_NOSIGNAL, to, addr_len_) < 0)
            ++failed_;
        return;
    }
    std::string l(line);
    l += '\n';
    if (::write(fd_, l.data(), l.size()) != static_cast<ssize_t>(l.size())) ++failed_;
}

void Sink::reopen() {
    if (spec_.kind != SinkKind::kFile) return;
    const int old = fd_;
    if (open_fd(nullptr)) {
        if (old > 2) ::close(old);
    } else {
        fd_ = old;
    }
}

}  // namespace espgw::control
