// espgw-control's management socket (protocol: sadb/mgmt_protocol.h): accepts the CLI's
// connections, reads newline-delimited JSON requests, dispatches them by name to registered
// handlers and writes their replies. Everything is non-blocking and driven by poll() from
// control's main loop, so a slow or dead client never stalls the ring: input per request and
// output per client are bounded, and a client that stops reading is dropped.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace espgw::control {

using Json = nlohmann::json;
using ClientId = uint64_t;

// A handler's answer. `stream` keeps the connection open after the reply: the handler's owner
// then sends further lines with MgmtServer::push() (debug) until the client goes away.
struct MgmtReply {
    bool ok = true;
    Json data = Json::object();
    std::string error;  // one line, when !ok
    bool stream = false;
    bool secret = false;  // carries keys: wiped from every buffer once written

    static MgmtReply of(Json data) { return {true, std::move(data), {}, false, false}; }
    static MgmtReply fail(std::string error) {
        return {false, nullptr, std::move(error), false, false};
    }
};

// Handlers run on control's main loop: they may read and change control's state freely, and
// should not block for long (a ring transaction is fine). An exception thrown by a handler (a
// JSON argument of the wrong type, say) becomes an error reply.
using MgmtHandler = std::function<MgmtReply(const Json& request, ClientId client)>;

class MgmtServer {
  public:
    // Only peers with this uid (SO_PEERCRED) are served; others get a one-line refusal.
    explicit MgmtServer(uid_t allowed_uid = 0);
    ~MgmtServer();
    MgmtServer(const MgmtServer&) = delete;
    MgmtServer& operator=(const MgmtServer&) = delete;

    // Creates the socket's directory (0700) and the socket (0600); a stale socket file is
    // replaced, a live one (another control of the same instance) is an error.
    bool listen(const std::string& path, std::string* error);
    const std::string& path() const { return path_; }

    void handle(const std::string& request, MgmtHandler h);
    // Called when a client that had a streaming request open goes away.
    void on_stream_closed(std::function<void(ClientId)> f) { stream_closed_ = std::move(f); }

    // Waits up to `timeout` for socket activity, then accepts, reads, dispatches and writes
    // whatever is ready. Never blocks on a client.
    void poll(std::chrono::milliseconds timeout);

    // Queues one {"event":...} line to a streaming client. False when the client is gone; a
    // client that does not keep up loses lines (counted, reported as {"event":{"lost":N}}).
    bool push(ClientId client, const Json& event);

    size_t client_count() const { return clients_.size(); }

    static constexpr size_t kMaxClients = 64;
    static constexpr size_t kMaxReplyBacklog = 256u << 20;    // a reply is queued whole
    static constexpr size_t kMaxStreamBacklog = 1u << 20;     // beyond this, events are lost
    static constexpr std::chrono::seconds kStallTimeout{10};  // output pending, nothing read
    static constexpr std::chrono::seconds kIdleTimeout{300};  // no request, not streaming

  private:
    struct Client;

    void accept_all();
    void serve(Client& c, short revents);
    void read_input(Client& c);
    void dispatch_lines(Client& c);
    void answer(Client& c, const std::string& line);
    void flush(Client& c);
    void queue(Client& c, const Json& message);
    void close_dead();

    uid_t allowed_uid_;
    int fd_ = -1;
    std::string path_;
    ClientId next_id_ = 1;
    std::map<ClientId, std::unique_ptr<Client>> clients_;
    std::map<std::string, MgmtHandler> handlers_;
    std::function<void(ClientId)> stream_closed_;
};

}  // namespace espgw::control
