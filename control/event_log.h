// espgw-control's event log: every line control writes about the dataplane's events (drop
// samples, SA lifetime events, ACQUIREs) and its own (configuration applied, SA created and
// deleted, resync), in the Cisco form operators grep for (requirements.md §3):
//   %CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid spi for destaddr=...
// rate-limited per (reason, SA), written to the sinks of the command line and of `logging host`
// (syslog_sink.h), and published to the live debug streams (debug_hub.h).
//
// SA created / deleted lines come from one place, sa_created() / sa_deleted(), whoever installs
// or removes the SA (full load, SIGHUP difference, resync, `clear crypto sa`).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "control/config_model.h"
#include "control/debug_hub.h"
#include "control/log_catalogue.h"
#include "control/log_options.h"
#include "control/log_record.h"
#include "control/policy_compiler.h"
#include "control/policy_diff.h"
#include "control/rate_limiter.h"
#include "control/syslog_format.h"
#include "control/syslog_sink.h"
#include "sadb/wire.h"

namespace espgw::control {

class EventLog {
  public:
    using WallClock = std::function<std::chrono::system_clock::time_point()>;
    using SteadyClock = std::function<RateLimiter::Clock::time_point()>;

    EventLog();

    // Opens the command line's destinations (stdout when none). False, with *error naming the
    // destination, when one cannot be opened.
    bool open(const LogOptions& o, std::string* error);
    // What a loaded configuration says: `hostname` (RFC 5424 HOSTNAME) and `logging host`,
    // `logging facility`, `logging trap`. Called after every successful load.
    void configure(const Config& cfg);
    // The SAs that drop samples and events name by conn id (peer, selectors, transform).
    void set_policy(const CompiledPolicy* p) { policy_ = p; }
    DebugHub& debug() { return debug_; }

    // A message from the dataplane's event ring.
    void on_event(const wire::Msg& m);
    // One of control's own events (catalogue template filled with `vars`).
    void event(LogEvent e, const Vars& vars);
    // A line whose mnemonic is not in the catalogue yet (requests that log an audit line).
    void line(std::string_view mnemonic, std::string text);

    // The SA lifecycle, from one place. `cause` says why ("configuration", "clear crypto sa").
    void sa_created(const wire::Sa& sa, uint32_t lifetime_seconds, std::string_view cause);
    void sa_deleted(const wire::Sa& sa, std::string_view cause);
    // What a SIGHUP difference created and deleted (a changed SA: deleted, then created).
    void sa_changes(const PolicyDiff& d, std::string_view cause);
    // What a full load creates and deletes, given the SAs the dataplane ran before (resync).
    void sa_changes(const std::vector<wire::Sa>& running, const CompiledPolicy& next,
                    std::string_view cause);

    // Suppression summaries of keys that fell silent; call from the main loop (cheap).
    void tick();
    // Files open their path again (log rotation); called on SIGHUP.
    void reopen();

    // Tests: fixed clocks, a fixed UTC offset and pid.
    void set_clocks(WallClock wall, SteadyClock steady, int utc_offset_s);
    void set_procid(int pid) { identity_.procid = pid; }

  private:
    struct Output {
        std::unique_ptr<Sink> sink;
        bool from_config;  // `logging host`: replaced by the next configure()
    };
    LogRecord record(std::string_view mnemonic, std::string text) const;
    void write(const LogRecord& r);
    void emit(const LogRecord& r, const RateKey& key);
    void suppressed(const RateKey& key, uint64_t count);
    void publish(DebugTopic t, std::string_view peer, const std::string& text);
    void on_drop(const wire::DropSample& d);
    void on_sa_event(const wire::SaEvent& e);
    void on_acquire(const wire::Acquire& a);
    wire::Sa known_sa(uint32_t conn_id, uint32_t spi, wire::Direction dir) const;
    void sa_line(LogEvent e, const wire::Sa& sa, std::string_view cause);

    std::vector<Output> outputs_;
    SyslogIdentity identity_;
    int cli_facility_ = -1;
    const CompiledPolicy* policy_ = nullptr;
    RateLimiter limiter_;
    DebugHub debug_;
    WallClock wall_;
    SteadyClock steady_;
    int fixed_offset_ = 0;
    bool use_fixed_offset_ = false;
    RateLimiter::Clock::time_point last_tick_{};
};

}  // namespace espgw::control
