// The CLI's end of espgw-control's management socket (sadb/mgmt_protocol.h): connect, send a
// request, read its reply; for streaming requests, read the further event lines.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

namespace espgw::mgmt {

using Json = nlohmann::json;

class ControlClient {
  public:
    enum class Status { kOk, kNotRunning, kDenied, kFailed };

    ControlClient() = default;
    ControlClient(const ControlClient&) = delete;
    ControlClient& operator=(const ControlClient&) = delete;
    ~ControlClient();

    // Connects to the socket at `path`. kNotRunning: no control serves it (no socket, or
    // nobody listening); kDenied: the socket is root only.
    Status connect(const std::string& path, std::string* error);

    // Sends {"v":1,"request":name, ...args} and waits for the reply: true with `data` on
    // {"ok":true}, false with control's one-line `error` otherwise.
    bool request(const std::string& name, const Json& args, Json* data, std::string* error,
                 std::chrono::milliseconds timeout = std::chrono::seconds(30));

    // The next line of a streaming request; false on timeout (error empty) or when control
    // closed the connection (error set).
    bool next(Json* message, std::chrono::milliseconds timeout, std::string* error);

    // Zeroes the receive buffer (after a reply that carried keys).
    void wipe();

  private:
    bool send_line(const std::string& line, std::string* error);
    int fd_ = -1;
    std::string in_;
};

}  // namespace espgw::mgmt
