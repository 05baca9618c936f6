// What espgw-control knows while it runs, in one place: the configuration as loaded (text, model,
// compilation), the generation the dataplane runs, and when each SA was installed. The main
// loop owns it; the management request handlers (mgmt_requests*.cc) read it and act through
// `apply`, on the same thread, so nothing here needs a lock.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "control/config_model.h"
#include "control/policy_compiler.h"
#include "sadb/wire.h"

namespace espgw::control {

class EventLog;

struct ControlState {
    std::string instance;
    std::string config_path;
    std::string config_text;  // the file as loaded; it holds keys: never send it as is
    Config config;
    CompiledPolicy policy;
    uint64_t generation = 0;                       // last generation the dataplane acknowledged
    std::map<uint32_t, std::time_t> installed_at;  // conn id -> when control installed the SA

    // Sends one transaction (kConfigBegin ... kConfigCommit of `generation + 1`), waits for the
    // dataplane's ack and logs the outcome under `what`; true when it was applied (the
    // generation then moved on). Set by the main loop.
    std::function<bool(std::vector<wire::Msg> msgs, uint64_t generation, const std::string& what)>
        apply;
    // One `%MNEMONIC: text` line in control's log.
    std::function<void(const char* mnemonic, const std::string& text)> log;
    // Sends one message to the dataplane and hands each event that follows to `take` until it
    // sets *done; events it does not take (returns false) are logged afterwards as usual
    // (RingClient::ask). False with a one-line error when the dataplane does not answer. Set by
    // the main loop.
    using AnswerTaker = std::function<bool(const wire::Msg&, bool* done)>;
    std::function<bool(const wire::Msg& request, const AnswerTaker& take, std::string* error)> ask;
    // The event log (event_log.h): SA created/deleted lines (sa_created/sa_deleted), debug
    // streams. Set by the main loop.
    EventLog* events = nullptr;

    // Line `n` (1-based) of the configuration text, without its end of line; "" if none.
    std::string config_line(int n) const;
    // Records the install time of every SA of `policy` that has none yet (now).
    void stamp_new_sas(std::time_t now);
};

}  // namespace espgw::control
