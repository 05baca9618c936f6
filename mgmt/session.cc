#include "mgmt/session.h"

#include <unistd.h>

#include <cerrno>

#include "sadb/mgmt_protocol.h"

namespace espgw::mgmt {

ControlClient* Session::control(std::string* error) {
    if (control_) return control_.get();
    if (control_error_.empty()) {
        auto c = std::make_unique<ControlClient>();
        if (c->connect(sadb::mgmt::socket_path(instance_), &control_error_) ==
            ControlClient::Status::kOk)
            control_ = std::move(c);
    }
    if (!control_) *error = control_error_;
    return control_.get();
}

bool Session::control_reachable() {
    std::string ignored;
    return control(&ignored) != nullptr;
}

std::optional<Json> Session::request(const std::string& name, const Json& args, std::string* error,
                                     std::chrono::milliseconds timeout) {
    ControlClient* c = control(error);
    if (!c) return std::nullopt;
    Json data;
    if (!c->request(name, args, &data, error, timeout)) return std::nullopt;
    return data;
}

const StatsReader* Session::stats(std::string* error) {
    if (!stats_ && stats_error_.empty()) {
        auto r = std::make_unique<StatsReader>();
        const std::string file = "/dev/shm" + sadb::stats_path(instance_);
        if (access(file.c_str(), R_OK) != 0 && errno == EACCES)
            stats_error_ = "permission denied: espgw shows need root (" + file + ")";
        else if (r->open(instance_, &stats_error_))
            stats_ = std::move(r);
    }
    if (!stats_) *error = stats_error_;
    return stats_.get();
}

}  // namespace espgw::mgmt
