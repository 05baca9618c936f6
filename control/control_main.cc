// espgw-control: reads the IOS-syntax startup configuration, compiles it and installs it in the
// dataplane over the command ring; re-reads it on SIGHUP and sends only the difference; logs
// the dataplane's events. It can stop and restart at any time: on start it asks the dataplane
// what it runs (resync) and a full configuration that matches leaves every tunnel untouched.
//
//   espgw-control --config FILE [--instance NAME] [--wait SECONDS] [--log DEST]... (log_options.h)
//   espgw-control --check FILE [--allow-warnings]
//                        parse, validate, compile and lint only; exit status 0 clean, 1 errors,
//                        3 warnings only (0 with --allow-warnings): control/config_lint.h
#include <openssl/crypto.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

#include "control/config_lint.h"
#include "control/config_parser.h"
#include "control/control_state.h"
#include "control/debug_requests.h"
#include "control/event_log.h"
#include "control/mgmt_requests.h"
#include "control/mgmt_server.h"
#include "control/policy_compiler.h"
#include "control/policy_diff.h"
#include "control/ring_client.h"
#include "control/sa_timer_loop.h"
#include "sadb/drop_reason.h"
#include "sadb/mgmt_protocol.h"

namespace espgw::control {
namespace {

using namespace std::chrono_literals;

struct Options {
    std::string config;
    std::string instance = "default";
    bool check = false;
    bool allow_warnings = false;  // --check exits 0 on warnings only
    int wait_seconds = 30;
    LogOptions log;
};

std::atomic<bool> g_reload{false};
std::atomic<bool> g_stop{false};

bool parse_args(int argc, char** argv, Options* o) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--config" && i + 1 < argc) {
            o->config = argv[++i];
        } else if (a == "--instance" && i + 1 < argc) {
            o->instance = argv[++i];
        } else if (a == "--wait" && i + 1 < argc) {
            o->wait_seconds = std::stoi(argv[++i]);
        } else if (a == "--check") {
            o->check = true;  // `--check FILE` or `--check --config FILE`
            if (i + 1 < argc && argv[i + 1][0] != '-') o->config = argv[++i];
        } else if (a == "--allow-warnings") {
            o->allow_warnings = true;
        } else if (std::string e; parse_log_option(argc, argv, &i, &o->log, &e)) {
            if (!e.empty()) return std::fprintf(stderr, "espgw-control: %s\n", e.c_str()), false;
        } else {
            std::fprintf(stderr, "espgw-control: unknown argument %s\n", a.c_str());
            return false;
        }
    }
    if (o->config.empty()) std::fprintf(stderr, "espgw-control: --config FILE is required\n");
    return !o->config.empty();
}

// Parses and compiles the file into `out` (text, model, compilation); prints every diagnostic.
// False if it has errors.
bool load(const std::string& path, ControlState* out) {
    std::ifstream f(path);
    if (!f) {
        std::fprintf(stderr, "%s: cannot be read\n", path.c_str());
        return false;
    }
    std::stringstream ss;
    ss << f.rdbuf();
    ParseResult r = parse_config(ss.str());
    std::vector<Diagnostic> diags = std::move(r.diagnostics);
    CompiledPolicy p;
    if (r.ok()) p = compile(r.config, &diags);
    for (const Diagnostic& d : diags)
        std::fprintf(stderr, "%s\n", format_diagnostic(d, path).c_str());
    if (has_errors(diags)) {
        std::fprintf(stderr, "%s: %zu error(s); configuration not applied\n", path.c_str(),
                     count_severity(diags, Severity::kError));
        return false;
    }
    out->config_text = ss.str();
    out->config = std::move(r.config);
    out->policy = std::move(p);
    return true;
}

// What came of a transaction: the dataplane runs the generation in full or with some objects
// refused (still that generation), or it did not answer.
enum class Applied { kAll, kPartly, kNot };

Applied apply(RingClient& ring, EventLog& log, std::vector<wire::Msg> msgs, uint64_t generation,
              const std::string& what) {
    wire::Ack ack{};
    std::string error;
    const auto on_event = [&log](const wire::Msg& m) { log.on_event(m); };
    const std::string gen = std::to_string(generation);
    if (!ring.transact(msgs, generation, &ack, on_event, 10s, &error)) {
        log.event(LogEvent::kConfigFailed, {{"what", what}, {"error", error}});
        return Applied::kNot;
    }
    if (ack.status != 0) {
        log.event(LogEvent::kConfigPartial,
                  {{"what", what},
                   {"generation", gen},
                   {"refused", std::to_string(ack.status)},
                   {"error", std::string(ack.error, strnlen(ack.error, sizeof ack.error))}});
        return Applied::kPartly;
    }
    log.event(LogEvent::kConfigApplied, {{"what", what}, {"generation", gen}});
    return Applied::kAll;
}

// Full configuration after (re)attaching: the dataplane keeps identical SAs as they are.
bool install_full(RingClient& ring, EventLog& log, const CompiledPolicy& p, uint64_t* generation,
                  const std::string& path) {
    ring.hello();
    std::vector<wire::Sa> running;
    uint64_t dp_gen = 0;
    if (!ring.resync(
            &running, &dp_gen, [&log](const wire::Msg& m) { log.on_event(m); }, 5s))
        return false;
    if (!running.empty())
        log.event(LogEvent::kResync, {{"count", std::to_string(running.size())},
                                      {"generation", std::to_string(dp_gen)}});
    *generation = dp_gen + 1;
    // A partly refused configuration still runs (with what was accepted): keep serving events.
    const std::string what = "Configured from " + path;
    if (apply(ring, log, to_messages(p, *generation, true), *generation, what) == Applied::kNot)
        return false;
    log.sa_changes(running, p, what);
    return true;
}

void reload(RingClient& ring, ControlState& st) {
    EventLog& log = *st.events;
    log.reopen();  // SIGHUP after log rotation
    ControlState next;
    if (!load(st.config_path, &next)) {  // the running configuration stays
        log.event(LogEvent::kConfigRejected, {{"source", st.config_path}});
        return;
    }
    log.configure(next.config);
    const PolicyDiff d = diff(st.policy, next.policy);
    if (d.empty()) {
        st.config_text = std::move(next.config_text);  // comments and ignored lines may differ
        st.config = std::move(next.config);
        log.event(LogEvent::kConfigUnchanged, {{"source", st.config_path}});
        return;
    }
    const uint64_t gen = st.generation + 1;
    const std::string what = "Reconfigured from " + st.config_path;
    if (apply(ring, log, to_messages(d, gen), gen, what) != Applied::kNot) {
        log.sa_changes(d, what);
        st.generation = gen;
        st.config_text = std::move(next.config_text);
        st.config = std::move(next.config);
        st.policy = std::move(next.policy);
        for (const SaChange& c : d.sas_changed)
            st.installed_at.erase(c.after.sa.conn_id);
        st.stamp_new_sas(std::time(nullptr));
    }
}

// The management socket (sadb/mgmt_protocol.h) with every request registered; requests act on
// `st` through `ring`. Control runs without it (with a warning) when it cannot listen.
void start_mgmt(MgmtServer& server, ControlState& st, RingClient& ring) {
    st.log = [&st](const char* mnemonic, const std::string& text) {
        st.events->line(mnemonic, text);
    };
    st.apply = [&st, &ring](std::vector<wire::Msg> msgs, uint64_t gen, const std::string& what) {
        if (apply(ring, *st.events, std::move(msgs), gen, what) == Applied::kNot) return false;
        st.generation = gen;
        return true;
    };
    // Capture requests wait for the dataplane's answer (other events are logged after it).
    st.ask = [&ring](const wire::Msg& m, const ControlState::AnswerTaker& take,
                     std::string* error) { return ring.ask(m, take, 5s, error); };
    register_requests(server, st);
    std::string error;
    if (!server.listen(sadb::mgmt::socket_path(st.instance), &error))
        st.events->line("ESPGW-4-MGMT_SOCKET",
                        error + "; the espgw CLI will not reach this control");
}

// The test-only clock scale of control's SA timers is announced in the log so it is never missed.
uint32_t timer_clock_scale(ControlState& st) {
    const uint32_t scale = test_clock_scale();
    if (scale != 1)
        st.log("ESPGW-4-TEST_CLOCK_SCALE", std::string(kTestClockScaleEnv) + "=" +
                                               std::to_string(scale) +
                                               ": SA timers run fast; for tests only");
    return scale;
}

// RingClient::attach, in slices, so SIGINT/SIGTERM stop a control that waits for a dataplane.
// `meanwhile` runs between slices (the management socket stays served while control waits).
bool attach_unless_stopped(const std::string& instance, std::chrono::seconds wait, RingClient* ring,
                           std::string* error, const std::function<void()>& meanwhile = {}) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (!g_stop) {
        // A SIGKILLed dataplane leaves its ring file behind: wait for a live one.
        if (RingClient::attach(instance, 100ms, ring, error) && ring->dataplane_alive())
            return true;
        if (meanwhile) meanwhile();
        if (std::chrono::steady_clock::now() >= deadline) return false;
    }
    *error = "stopped while waiting for a dataplane of instance " + instance;
    return false;
}

// Until SIGINT/SIGTERM: SIGHUP reloads, dataplane events are logged, a lost dataplane is waited
// for and resynced, SA timers and the CLI are served.
void serve(const Options& o, ControlState& st, EventLog& events, RingClient& ring, MgmtServer& mgmt,
           SaTimerLoop& timers) {
    std::string error;
    wire::Msg ev;
    while (!g_stop) {
        if (g_reload.exchange(false)) reload(ring, st);
        bool busy = false;
        while (ring.receive(&ev)) {
            events.on_event(ev);
            busy = true;
        }
        if (!ring.dataplane_alive()) {
            events.event(LogEvent::kDataplaneLost, {{"instance", o.instance}});
            if (attach_unless_stopped(o.instance, 3600s, &ring, &error,
                                      [&mgmt] { mgmt.poll(0ms); }) &&
                install_full(ring, events, st.policy, &st.generation, o.config))
                timers.attach();
        }
        timers.tick();
        events.tick();
        pump_debug_streams(mgmt, events.debug());
        // The CLI's requests, or a 5 ms nap when the ring was idle (woken early by a client).
        mgmt.poll(busy ? 0ms : 5ms);
    }
}

int run(const Options& o) {
    ControlState st;
    st.instance = o.instance;
    st.config_path = o.config;
    EventLog events;
    std::string error;
    if (!events.open(o.log, &error)) {
        std::fprintf(stderr, "espgw-control: %s\n", error.c_str());
        return 2;
    }
    if (!load(o.config, &st)) return 1;
    if (o.check) return 0;
    st.events = &events;
    events.configure(st.config);
    events.set_policy(&st.policy);
    std::signal(SIGHUP, [](int) { g_reload = true; });
    std::signal(SIGINT, [](int) { g_stop = true; });
    std::signal(SIGTERM, [](int) { g_stop = true; });
    RingClient ring;
    if (!attach_unless_stopped(o.instance, std::chrono::seconds(o.wait_seconds), &ring, &error)) {
        std::fprintf(stderr, "espgw-control: %s\n", error.c_str());
        return 1;
    }
    if (!install_full(ring, events, st.policy, &st.generation, o.config)) return 1;
    st.stamp_new_sas(std::time(nullptr));
    MgmtServer mgmt;
    start_mgmt(mgmt, st, ring);
    // Lifetime seconds and idle-time, on the stats segment of the dataplane just attached.
    SaTimerLoop timers(
        st, [&ring](const wire::Msg& m) { return ring.send(m); }, timer_clock_scale(st));
    timers.attach();
    serve(o, st, events, ring, mgmt, timers);
    return 0;
}

}  // namespace
}  // namespace espgw::control

int main(int argc, char** argv) {
    espgw::control::Options o;
    if (!espgw::control::parse_args(argc, argv, &o)) return 2;
    if (o.check) return espgw::control::check_config_file(o.config, {o.allow_warnings}, stdout);
    return espgw::control::run(o);
}
