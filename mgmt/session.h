// What a command reaches, opened on first use: espgw-control over its socket (names, config,
// actions) and the dataplane's stats segment (counters). A show that can be served from the
// stats segment alone still works when control is not running; `control_note()` is the line it
// prints once at the top then.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "mgmt/control_client.h"
#include "mgmt/stats_reader.h"

namespace espgw::mgmt {

class Session {
  public:
    explicit Session(std::string instance) : instance_(std::move(instance)) {}

    const std::string& instance() const { return instance_; }

    // Control's data for `request` (with `args`), or nullopt with a one-line `error`. After one
    // failure to reach control, later requests fail at once with the same error.
    // Queries answer in milliseconds; an action that runs a ring transaction (clear crypto sa)
    // may take seconds: pass a longer `timeout`.
    std::optional<Json> request(const std::string& name, const Json& args, std::string* error,
                                std::chrono::milliseconds timeout = kQueryTimeout);
    std::optional<Json> request(const std::string& name, std::string* error) {
        return request(name, Json::object(), error);
    }
    // True when control answered or could be reached; false once it could not.
    bool control_reachable();
    // The connected client, for streaming requests (nullptr with `error` if unreachable).
    ControlClient* control(std::string* error);

    // The stats segment, or nullptr with a one-line `error`.
    const StatsReader* stats(std::string* error);

    static constexpr std::chrono::milliseconds kQueryTimeout{5000};
    static constexpr const char* kControlDownNote =
        "(control not running: names from the dataplane)";

  private:
    std::string instance_;
    std::unique_ptr<ControlClient> control_;
    std::string control_error_;  // set once control was found unreachable
    std::unique_ptr<StatsReader> stats_;
    std::string stats_error_;
};

}  // namespace espgw::mgmt
