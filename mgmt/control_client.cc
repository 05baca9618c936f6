#include "mgmt/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sadb/mgmt_protocol.h"

namespace espgw::mgmt {

namespace proto = sadb::mgmt;
using Clock = std::chrono::steady_clock;

ControlClient::~ControlClient() {
    if (fd_ >= 0) close(fd_);
}

ControlClient::Status ControlClient::connect(const std::string& path, std::string* error) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (path.size() >= sizeof a.sun_path) {
        *error = "socket path too long: " + path;
        return Status::kFailed;
    }
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0) return Status::kOk;
    const int e = errno;
    close(fd_);
    fd_ = -1;
    if (e == EACCES || e == EPERM) {
        *error = "permission denied on " + path + ": the espgw control socket is root only";
        return Status::kDenied;
    }
    *error = "espgw-control is not running (" + path + ": " + std::strerror(e) + ")";
    return e == ENOENT || e == ECONNREFUSED ? Status::kNotRunning : Status::kFailed;
}

void ControlClient::wipe() {
    proto::wipe_buffer(in_);
}

bool ControlClient::send_line(const std::string& line, std::string* error) {
    size_t off = 0;
    while (off < line.size()) {
        const ssize_t n = send(fd_, line.data() + off, line.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            *error = std::string("lost the connection to espgw-control: ") + std::strerror(errno);
            return false;
        }
        off += static_cast<size_t>(n);
    }
    return true;
}

bool ControlClient::next(Json* message, std::chrono::milliseconds timeout, std::string* error) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        const size_t nl = in_.find('\n');
        if (nl != std::string::npos) {
            *message = Json::parse(in_.substr(0, nl), nullptr, false);
            in_.erase(0, nl + 1);
            if (!message->is_discarded() && message->is_object()) return true;
            *error = "espgw-control sent a malformed reply";
            return false;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        pollfd p{fd_, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0) {
            error->clear();
            return false;
        }
        char buf[65536];
        const ssize_t n = read(fd_, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            *error = "espgw-control closed the connection";
            return false;
        }
        in_.append(buf, static_cast<size_t>(n));
    }
}

bool ControlClient::request(const std::string& name, const Json& args, Json* data,
                            std::string* error, std::chrono::milliseconds timeout) {
    if (fd_ < 0) {
        *error = "not connected to espgw-control";
        return false;
    }
    Json req = args.is_object() ? args : Json::object();
    req[proto::kVersionKey] = proto::kProtocolVersion;
    req[proto::kRequestKey] = name;
    if (!send_line(req.dump() + "\n", error)) return false;
    Json reply;
    if (!next(&reply, timeout, error)) {
        if (error->empty()) error->assign("espgw-control did not answer " + name + " in time");
        return false;
    }
    if (reply.value(proto::kOkKey, false)) {
        *data = reply.value(proto::kDataKey, Json::object());
        return true;
    }
    *error = reply.value(proto::kErrorKey, std::string("espgw-control refused ") + name);
    return false;
}

}  // namespace espgw::mgmt
