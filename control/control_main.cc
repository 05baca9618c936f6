// espgw-control: reads the IOS-syntax startup configuration, compiles it and installs it in the
// dataplane over the command ring; re-reads it on SIGHUP and sends only the difference; logs
// the dataplane's events. It can stop and restart at any time: on start it asks the dataplane
// what it runs (resync) and a full configuration that matches leaves every tunnel untouched.
//
//   espgw-control --config FILE [--instance NAME] [--wait SECONDS]
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
#include <sstream>
#include <string>
#include <thread>

#include "control/config_lint.h"
#include "control/config_parser.h"
#include "control/control_state.h"
#include "control/event_log.h"
#include "control/mgmt_requests.h"
#include "control/mgmt_server.h"
#include "control/policy_compiler.h"
#include "control/policy_diff.h"
#include "control/ring_client.h"
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
};

std::atomic<bool> g_reload{false};
std::atomic<bool> g_stop{false};

void log_line(const char* mnemonic, const std::string& text) {
    char ts[32];
    const std::time_t now = std::time(nullptr);
    std::strftime(ts, sizeof ts, "%b %e %H:%M:%S", std::localtime(&now));
    std::printf("%s: %%%s: %s\n", ts, mnemonic, text.c_str());
    std::fflush(stdout);
}

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

std::string event_text(const wire::Msg& m) {
    const wire::SaEvent& e = m.body.sa_event;
    char spi[16];
    std::snprintf(spi, sizeof spi, "0x%08X", e.spi);
    return std::string("SA conn id ") + std::to_string(e.conn_id) + " spi " + spi +
           (e.direction == wire::Direction::kInbound ? " inbound" : " outbound");
}

const CompiledPolicy* g_policy = nullptr;  // for drop samples: the SAs' peers and selectors

void on_event(const wire::Msg& m) {
    switch (m.hdr.type) {
        case wire::MsgType::kDropSample: {
            static const CompiledPolicy kEmpty;
            const LogLine l = drop_sample_line(m.body.drop, g_policy ? *g_policy : kEmpty);
            log_line(l.mnemonic.c_str(), l.text);
            break;
        }
        case wire::MsgType::kSaEvent: {
            static constexpr const char* kMnemonic[] = {
                "CRYPTO-5-IPSEC_SA_SOFT_LIFETIME", "CRYPTO-5-IPSEC_SA_HARD_LIFETIME",
                "CRYPTO-4-IPSEC_SA_SEQ_EXHAUSTED", "CRYPTO-5-IPSEC_SA_IDLE"};
            const auto t = static_cast<size_t>(m.body.sa_event.type);
            log_line(t < 4 ? kMnemonic[t] : "CRYPTO-5-IPSEC_SA_EVENT", event_text(m));
            break;
        }
        case wire::MsgType::kAcquire:
            log_line("CRYPTO-6-ACQUIRE", "traffic for policy rule " +
                                             std::to_string(m.body.acquire.rule_id) +
                                             " has no SA (manual keys: check the crypto map)");
            break;
        case wire::MsgType::kPuntPacket:
            break;  // IKE arrives here once it is implemented
        default:
            break;
    }
}

// What came of a transaction: the dataplane runs the generation in full or with some objects
// refused (still that generation), or it did not answer.
enum class Applied { kAll, kPartly, kNot };

Applied apply(RingClient& ring, std::vector<wire::Msg> msgs, uint64_t generation,
           const std::string& what) {
    wire::Ack ack{};
    std::string error;
    if (!ring.transact(msgs, generation, &ack, on_event, 10s, &error)) {
        log_line("ESPGW-3-CONFIG_FAILED", what + ": " + error);
        return Applied::kNot;
    }
    if (ack.status != 0) {
        log_line("ESPGW-3-CONFIG_PARTIAL", what + " (generation " + std::to_string(generation) +
                                               "): " + std::to_string(ack.status) +
                                               " object(s) refused: " + ack.error);
        return Applied::kPartly;
    }
    log_line("SYS-5-CONFIG_I", what + " (generation " + std::to_string(generation) + ")");
    return Applied::kAll;
}

// Full configuration after (re)attaching: the dataplane keeps identical SAs as they are.
bool install_full(RingClient& ring, const CompiledPolicy& p, uint64_t* generation,
                  const std::string& path) {
    ring.hello();
    std::vector<wire::Sa> running;
    uint64_t dp_gen = 0;
    if (!ring.resync(&running, &dp_gen, on_event, 5s)) return false;
    if (!running.empty())
        log_line("ESPGW-6-RESYNC", "dataplane runs " + std::to_string(running.size()) +
                                       " SA(s) at generation " + std::to_string(dp_gen));
    *generation = dp_gen + 1;
    // A partly refused configuration still runs (with what was accepted): keep serving events.
    return apply(ring, to_messages(p, *generation, true), *generation,
                 "Configured from " + path) != Applied::kNot;
}

void reload(RingClient& ring, ControlState& st) {
    ControlState next;
    if (!load(st.config_path, &next)) return;  // the running configuration stays
    const PolicyDiff d = diff(st.policy, next.policy);
    if (d.empty()) {
        st.config_text = std::move(next.config_text);  // comments and ignored lines may differ
        st.config = std::move(next.config);
        log_line("SYS-5-CONFIG_I", "Reloaded " + st.config_path + ": no change");
        return;
    }
    const uint64_t gen = st.generation + 1;
    if (apply(ring, to_messages(d, gen), gen, "Reconfigured from " + st.config_path) !=
        Applied::kNot) {
        st.generation = gen;
        st.config_text = std::move(next.config_text);
        st.config = std::move(next.config);
        st.policy = std::move(next.policy);
        for (const SaChange& c : d.sas_changed) st.installed_at.erase(c.after.sa.conn_id);
        st.stamp_new_sas(std::time(nullptr));
    }
}

// The management socket (sadb/mgmt_protocol.h) with every request registered; requests act on
// `st` through `ring`. Control runs without it (with a warning) when it cannot listen.
void start_mgmt(MgmtServer& server, ControlState& st, RingClient& ring) {
    st.log = [](const char* mnemonic, const std::string& text) { log_line(mnemonic, text); };
    st.apply = [&st, &ring](std::vector<wire::Msg> msgs, uint64_t gen, const std::string& what) {
        if (apply(ring, std::move(msgs), gen, what) == Applied::kNot) return false;
        st.generation = gen;
        return true;
    };
    // Capture requests wait for the dataplane's answer (other events are logged after it).
    st.ask = [&ring](const wire::Msg& m, const ControlState::AnswerTaker& take,
                     std::string* error) { return ring.ask(m, take, 5s, error); };
    register_requests(server, st);
    std::string error;
    if (!server.listen(sadb::mgmt::socket_path(st.instance), &error))
        log_line("ESPGW-4-MGMT_SOCKET", error + "; the espgw CLI will not reach this control");
}

// RingClient::attach, in slices, so SIGINT/SIGTERM stop a control that waits for a dataplane.
bool attach_unless_stopped(const std::string& instance, std::chrono::seconds wait,
                           RingClient* ring, std::string* error) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (!g_stop) {
        if (RingClient::attach(instance, 100ms, ring, error)) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
    }
    *error = "stopped while waiting for a dataplane of instance " + instance;
    return false;
}

int run(const Options& o) {
    ControlState st;
    st.instance = o.instance;
    st.config_path = o.config;
    if (!load(o.config, &st)) return 1;
    if (o.check) return 0;
    std::signal(SIGHUP, [](int) { g_reload = true; });
    std::signal(SIGINT, [](int) { g_stop = true; });
    std::signal(SIGTERM, [](int) { g_stop = true; });
    RingClient ring;
    std::string error;
    if (!attach_unless_stopped(o.instance, std::chrono::seconds(o.wait_seconds), &ring, &error)) {
        std::fprintf(stderr, "espgw-control: %s\n", error.c_str());
        return 1;
    }
    g_policy = &st.policy;
    if (!install_full(ring, st.policy, &st.generation, o.config)) return 1;
    st.stamp_new_sas(std::time(nullptr));
    MgmtServer mgmt;
    start_mgmt(mgmt, st, ring);
    wire::Msg ev;
    while (!g_stop) {
        if (g_reload.exchange(false)) reload(ring, st);
        bool busy = false;
        while (ring.receive(&ev)) {
            on_event(ev);
            busy = true;
        }
        if (!ring.dataplane_alive()) {
            log_line("ESPGW-3-DATAPLANE_LOST", "waiting for a dataplane of instance " + o.instance);
            if (attach_unless_stopped(o.instance, 3600s, &ring, &error))
                install_full(ring, st.policy, &st.generation, o.config);
        }
        // The CLI's requests, or a 5 ms nap when the ring was idle (woken early by a client).
        mgmt.poll(busy ? 0ms : 5ms);
    }
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
