#include "control/mgmt_server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "sadb/mgmt_protocol.h"

namespace espgw::control {

namespace proto = sadb::mgmt;
using Clock = std::chrono::steady_clock;

struct MgmtServer::Client {
    ClientId id = 0;
    int fd = -1;
    std::string in;
    std::string out;
    bool streaming = false;
    bool closing = false;  // close once `out` is written
    bool dead = false;
    bool secret = false;  // `out` held keys: wipe it once written
    uint64_t lost = 0;    // stream events dropped while the client was behind
    Clock::time_point last_progress = Clock::now();
};

namespace {

bool make_dir(const std::string& path, std::string* error) {
    const std::string dir = path.substr(0, path.rfind('/'));
    if (dir.empty()) return true;
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        *error = "cannot create " + dir + ": " + std::strerror(errno);
        return false;
    }
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        *error = dir + " is not a directory";
        return false;
    }
    // Other users must not reach the socket nor the baselines (root only).
    if ((st.st_mode & 077) != 0 && chmod(dir.c_str(), 0700) != 0) {
        *error = "cannot restrict " + dir + " to its owner: " + std::strerror(errno);
        return false;
    }
    return true;
}

sockaddr_un unix_addr(const std::string& path) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    return a;
}

// True when a process already serves `path` (another control of the same instance).
bool socket_alive(const std::string& path) {
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_un a = unix_addr(path);
    const bool alive = connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    close(fd);
    return alive;
}

uid_t peer_uid(int fd) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return static_cast<uid_t>(-1);
    return cred.uid;
}

Json error_message(const std::string& error) {
    return {{proto::kOkKey, false}, {proto::kErrorKey, error}};
}

}  // namespace

MgmtServer::MgmtServer(uid_t allowed_uid) : allowed_uid_(allowed_uid) {}

MgmtServer::~MgmtServer() {
    for (auto& [id, c] : clients_)
        close(c->fd);
    if (fd_ >= 0) {
        close(fd_);
        unlink(path_.c_str());
    }
}

bool MgmtServer::listen(const std::string& path, std::string* error) {
    if (path.size() >= sizeof(sockaddr_un::sun_path)) {
        *error = "socket path too long: " + path;
        return false;
    }
    if (!make_dir(path, error)) return false;
    if (socket_alive(path)) {
        *error = "another espgw-control is serving " + path;
        return false;
    }
    unlink(path.c_str());
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const sockaddr_un a = unix_addr(path);
    const mode_t old = umask(0177);  // the socket is born 0600: no window with wider rights
    const bool bound = bind(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    umask(old);
    if (!bound || ::listen(fd_, 16) != 0) {
        *error = "cannot listen on " + path + ": " + std::strerror(errno);
        close(fd_);
        fd_ = -1;
        return false;
    }
    path_ = path;
    return true;
}

void MgmtServer::handle(const std::string& request, MgmtHandler h) {
    handlers_[request] = std::move(h);
}

void MgmtServer::poll(std::chrono::milliseconds timeout) {
    if (fd_ < 0) return;
    std::vector<pollfd> fds{{fd_, POLLIN, 0}};
    std::vector<Client*> order;
    for (auto& [id, c] : clients_) {
        fds.push_back({c->fd, static_cast<short>(POLLIN | (c->out.empty() ? 0 : POLLOUT)), 0});
        order.push_back(c.get());
    }
    if (::poll(fds.data(), fds.size(), static_cast<int>(timeout.count())) <= 0) {
        close_dead();  // timeouts of stalled clients still apply
        return;
    }
    if (fds[0].revents & POLLIN) accept_all();
    for (size_t k = 0; k < order.size(); ++k)
        serve(*order[k], fds[k + 1].revents);
    close_dead();
}

void MgmtServer::accept_all() {
    for (;;) {
        const int fd = accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        auto c = std::make_unique<Client>();
        c->id = next_id_++;
        c->fd = fd;
        if (peer_uid(fd) != allowed_uid_) {
            queue(*c, error_message("permission denied: the espgw control socket is for root "
                                    "only"));
            c->closing = true;
        } else if (clients_.size() >= kMaxClients) {
            queue(*c, error_message("too many management clients (" + std::to_string(kMaxClients) +
                                    "); try again"));
            c->closing = true;
        }
        flush(*c);
        clients_.emplace(c->id, std::move(c));
    }
}

void MgmtServer::serve(Client& c, short revents) {
    if (revents & (POLLIN | POLLHUP)) read_input(c);
    if (!c.dead) dispatch_lines(c);
    if (revents & (POLLERR | POLLNVAL)) c.dead = true;
    if (!c.dead && !c.out.empty()) flush(c);
}

void MgmtServer::read_input(Client& c) {
    char buf[16384];
    for (;;) {
        const ssize_t n = read(c.fd, buf, sizeof buf);
        if (n > 0) {
            c.last_progress = Clock::now();
            if (!c.streaming && !c.closing) c.in.append(buf, static_cast<size_t>(n));
            if (c.in.size() > 4 * proto::kMaxRequestBytes) break;  // parse before reading more
            continue;
        }
        if (n == 0) {
            // The client finished sending: answer what it sent (a last line may lack its
            // newline), then close.
            if (!c.in.empty() && c.in.back() != '\n') c.in += '\n';
            c.closing = true;
            if (c.streaming) c.dead = true;
        } else if (errno != EAGAIN && errno != EINTR) {
            c.dead = true;
        }
        return;
    }
}

void MgmtServer::dispatch_lines(Client& c) {
    size_t start = 0;
    for (size_t nl; !c.streaming && (nl = c.in.find('\n', start)) != std::string::npos;
         start = nl + 1) {
        if (nl - start > proto::kMaxRequestBytes) break;
        answer(c, c.in.substr(start, nl - start));
    }
    c.in.erase(0, start);
    if (c.in.size() > proto::kMaxRequestBytes && !c.streaming) {
        queue(c, error_message("request longer than " + std::to_string(proto::kMaxRequestBytes) +
                               " bytes"));
        c.in.clear();
        c.closing = true;
    }
}

void MgmtServer::answer(Client& c, const std::string& line) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) return;
    const Json req = Json::parse(line, nullptr, false);
    if (req.is_discarded() || !req.is_object())
        return queue(c, error_message("bad request: not a JSON object"));
    const auto v = req.find(proto::kVersionKey);
    if (v == req.end() || !v->is_number_integer() || *v != proto::kProtocolVersion)
        return queue(c, error_message("unsupported protocol version (this control speaks v" +
                                      std::to_string(proto::kProtocolVersion) + ")"));
    const auto name = req.find(proto::kRequestKey);
    if (name == req.end() || !name->is_string())
        return queue(c, error_message("bad request: no \"request\" name"));
    const auto h = handlers_.find(name->get<std::string>());
    if (h == handlers_.end())
        return queue(c, error_message("unknown request: " + name->get<std::string>()));
    MgmtReply r;
    try {
        r = h->second(req, c.id);
    } catch (const std::exception& e) {
        r = MgmtReply::fail("bad request " + h->first + ": " + e.what());
    }
    if (!r.ok) return queue(c, error_message(r.error));
    if (r.secret) {
        c.out.reserve(c.out.size() + (1u << 20));  // fewer reallocations leaving key copies
        c.secret = true;
    }
    Json reply = {{proto::kOkKey, true}, {proto::kDataKey, std::move(r.data)}};
    queue(c, reply);
    if (r.secret) proto::wipe_strings(reply);
    c.streaming = r.stream;
}

void MgmtServer::queue(Client& c, const Json& message) {
    // Invalid UTF-8 in names (a configuration file is bytes) is replaced, never thrown.
    c.out += message.dump(-1, ' ', false, Json::error_handler_t::replace);
    c.out += '\n';
    if (c.out.size() > kMaxReplyBacklog) c.dead = true;
}

bool MgmtServer::push(ClientId client, const Json& event) {
    const auto it = clients_.find(client);
    if (it == clients_.end() || it->second->dead || !it->second->streaming) return false;
    Client& c = *it->second;
    if (c.out.size() > kMaxStreamBacklog) {
        ++c.lost;
        return true;
    }
    if (c.lost != 0) {
        queue(c, {{proto::kEventKey, {{"lost", c.lost}}}});
        c.lost = 0;
    }
    queue(c, {{proto::kEventKey, event}});
    flush(c);
    return true;
}

void MgmtServer::flush(Client& c) {
    while (!c.out.empty()) {
        const ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            c.out.erase(0, static_cast<size_t>(n));
            c.last_progress = Clock::now();
            if (c.out.empty() && c.secret) proto::wipe_buffer(c.out);
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) c.dead = true;
        return;
    }
}

void MgmtServer::close_dead() {
    const auto now = Clock::now();
    for (auto it = clients_.begin(); it != clients_.end();) {
        Client& c = *it->second;
        const auto quiet = now - c.last_progress;
        const bool stalled = !c.out.empty() && quiet > kStallTimeout;
        const bool idle = c.out.empty() && !c.streaming && quiet > kIdleTimeout;
        const bool done = c.closing && c.out.empty() && c.in.find('\n') == std::string::npos;
        if (!(c.dead || stalled || idle || done)) {
            ++it;
            continue;
        }
        if (c.streaming && stream_closed_) stream_closed_(c.id);
        if (c.secret) proto::wipe_buffer(c.out);
        close(c.fd);
        it = clients_.erase(it);
    }
}

}  // namespace espgw::control
