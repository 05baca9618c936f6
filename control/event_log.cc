#include "control/event_log.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "control/debug_lines.h"
#include "control/event_facts.h"
#include "control/mgmt_capture_text.h"
#include "control/wire_compare.h"
#include "sadb/drop_reason.h"
#include "sadb/wire_text.h"

namespace espgw::control {
namespace {

using sadb::DropReason;

// Rate-limiter kinds: drop reasons are their id; control's events 0x100 + LogEvent. The bit
// kSpiKey says the key's `sa` is the SPI the packet carried (no SA matched), not a conn id.
constexpr uint32_t kEventKind = 0x100;
constexpr uint32_t kSpiKey = 0x10000;

// The engine's own failures also go to `debug crypto engine` (requirements.md §2.3, E14, E17).
const char* engine_failure_text(DropReason r) {
    switch (r) {
        case DropReason::kIcvMismatch:
            return "mac verify failed (PktEngReturn_MACMiscompare)";
        case DropReason::kCryptoError:
            return "crypto operation failed";
        case DropReason::kBadPadding:
            return "decrypted packet has invalid padding";
        case DropReason::kSeqExhausted:
            return "sequence number space exhausted";
        default:
            return nullptr;
    }
}

constexpr LogEvent kSaEventLog[] = {LogEvent::kSaSoftExpired, LogEvent::kSaHardExpired,
                                    LogEvent::kSaSeqExhausted, LogEvent::kSaIdle};
constexpr const char* kSaEventDebug[] = {"soft lifetime reached", "hard lifetime reached",
                                         "sequence number space exhausted", "idle"};

// The dataplane never returns keys (resync): compare everything else.
bool same_without_keys(const wire::Sa& running, const wire::Sa& compiled) {
    wire::Sa c = compiled;
    std::memset(c.cipher_key, 0, sizeof c.cipher_key);
    std::memset(c.auth_key, 0, sizeof c.auth_key);
    wire::Sa r = running;
    std::memset(r.cipher_key, 0, sizeof r.cipher_key);
    std::memset(r.auth_key, 0, sizeof r.auth_key);
    return same(r, c);
}

bool is_config_event(LogEvent e) {
    return e <= LogEvent::kResync;
}

}  // namespace

EventLog::EventLog()
    : wall_([] { return std::chrono::system_clock::now(); }),
      steady_([] { return RateLimiter::Clock::now(); }) {
    identity_.procid = static_cast<int>(::getpid());
}

bool EventLog::open(const LogOptions& o, std::string* error) {
    std::vector<SinkSpec> specs;
    if (!resolve_sinks(o, &specs, error)) return false;
    for (const SinkSpec& s : specs) {
        std::string e;
        auto sink = Sink::open(s, &e);
        if (!sink) return *error = "log destination " + describe(s) + ": " + e, false;
        outputs_.push_back({std::move(sink), false});
    }
    cli_facility_ = o.facility;
    if (o.facility >= 0) identity_.facility = o.facility;
    limiter_ = RateLimiter(o.rate);
    return true;
}

void EventLog::configure(const Config& cfg) {
    identity_.hostname = cfg.hostname;
    if (cli_facility_ < 0)
        identity_.facility = cfg.logging.facility >= 0 ? cfg.logging.facility : kFacilityLocal7;
    std::erase_if(outputs_, [](const Output& o) { return o.from_config; });
    for (const LoggingHost& h : cfg.logging.hosts) {
        SinkSpec s{SinkKind::kUdp, h.address.to_string(), h.port, LineFormat::kRfc5424,
                   cfg.logging.trap};
        std::string e;
        if (auto sink = Sink::open(s, &e)) {
            outputs_.push_back({std::move(sink), true});
        } else {
            write(record("ESPGW-3-LOG_HOST", "logging host " + describe(s) + ": " + e));
        }
    }
}

void EventLog::set_clocks(WallClock wall, SteadyClock steady, int utc_offset_s) {
    wall_ = std::move(wall);
    steady_ = std::move(steady);
    fixed_offset_ = utc_offset_s;
    use_fixed_offset_ = true;
}

LogRecord EventLog::record(std::string_view mnemonic, std::string text) const {
    LogRecord r;
    r.time = wall_();
    r.mnemonic = std::string(mnemonic);
    r.text = std::move(text);
    return r;
}

void EventLog::write(const LogRecord& r) {
    const int offset = use_fixed_offset_ ? fixed_offset_ : local_utc_offset(r.time);
    const int severity = mnemonic_severity(r.mnemonic);
    std::string ios, rfc;  // each form built once, when some sink wants it
    for (Output& o : outputs_) {
        if (severity > o.sink->spec().max_severity) continue;
        std::string& line = o.sink->spec().format == LineFormat::kIos ? ios : rfc;
        if (line.empty())
            line = o.sink->spec().format == LineFormat::kIos ? format_ios(r, offset)
                                                             : format_rfc5424(r, identity_, offset);
        o.sink->write(line);
    }
}

void EventLog::emit(const LogRecord& r, const RateKey& key) {
    const RateLimiter::Verdict v = limiter_.admit(key, steady_());
    if (v.suppressed_before > 0) suppressed(v.key, v.suppressed_before);
    if (v.emit) write(r);
}

// "57 messages suppressed for RECVD_PKT_INV_SPI (invalid_spi) spi 0xDEAD(57005)".
void EventLog::suppressed(const RateKey& key, uint64_t count) {
    const uint32_t kind = key.kind & ~kSpiKey;
    std::string what;
    if (kind >= kEventKind) {
        what = std::string(
            mnemonic_name(event_info(static_cast<LogEvent>(kind - kEventKind)).mnemonic));
    } else if (kind < sadb::kNumDropReasons) {
        const auto& info = sadb::drop_reason_info(static_cast<DropReason>(kind));
        what = std::string(mnemonic_name(info.mnemonic)) + " (" + std::string(info.label) + ")";
    }
    if (key.sa == RateLimiter::kOverflowSa) {
        what += " on other SAs";
    } else if (key.kind & kSpiKey) {
        what += " spi " + wire::spi_text(key.sa);
    } else if (key.sa != 0) {
        const CompiledSa* sa = policy_ ? policy_->find_sa(key.sa) : nullptr;
        what += (sa ? " spi " + wire::spi_text(sa->sa.spi) + "," : std::string()) +
                " connection id " + std::to_string(key.sa);
    }
    const EventInfo& info = event_info(LogEvent::kLogSuppressed);
    write(record(info.mnemonic,
                 expand(info.text, {{"count", std::to_string(count)}, {"what", what}})));
}

void EventLog::publish(DebugTopic t, std::string_view peer, const std::string& text) {
    if (!debug_.wants(t)) return;
    LogRecord r = record("", "");
    const int offset = use_fixed_offset_ ? fixed_offset_ : local_utc_offset(r.time);
    // IOS `service timestamps debug datetime msec`: the log line's stamp, then the text.
    std::string stamped = format_ios(r, offset);
    stamped = stamped.substr(0, stamped.find(": %")) + ": " + text;
    debug_.publish(t, peer, stamped);
}

void EventLog::on_event(const wire::Msg& m) {
    switch (m.hdr.type) {
        case wire::MsgType::kDropSample:
            return on_drop(m.body.drop);
        case wire::MsgType::kSaEvent:
            return on_sa_event(m.body.sa_event);
        case wire::MsgType::kAcquire:
            return on_acquire(m.body.acquire);
        case wire::MsgType::kCaptureStatus:  // unasked: a capture stopped by itself
            if (m.body.capture_status.request_id != 0) return;  // a late answer to a request
            return line(kCaptureStoppedMnemonic, capture_stopped_text(m.body.capture_status));
        default:
            return;  // punted IKE arrives here once it is implemented
    }
}

void EventLog::on_drop(const wire::DropSample& d) {
    if (d.reason == 0 || d.reason >= sadb::kNumDropReasons) return;
    const auto r = static_cast<DropReason>(d.reason);
    const CompiledSa* sa = d.conn_id != 0 && policy_ ? policy_->find_sa(d.conn_id) : nullptr;
    EventFacts f = drop_facts(d, sa);
    LogRecord rec = record(sadb::drop_reason_info(r).mnemonic, expand(drop_template(r), f.vars));
    rec.params = std::move(f.params);
    rec.peer = f.peer;
    publish(DebugTopic::kIpsec, rec.peer, "IPSEC(drop): " + rec.text);
    if (const char* what = engine_failure_text(r))
        publish(DebugTopic::kEngine, rec.peer, engine_failure(what, d.conn_id, d.spi, d.seq));
    const bool by_conn = d.conn_id != 0;
    emit(rec, RateKey{d.reason | (by_conn ? 0 : kSpiKey), by_conn ? d.conn_id : d.spi});
}

wire::Sa EventLog::known_sa(uint32_t conn_id, uint32_t spi, wire::Direction dir) const {
    if (const CompiledSa* sa = policy_ ? policy_->find_sa(conn_id) : nullptr) return sa->sa;
    wire::Sa s{};
    s.conn_id = conn_id;
    s.spi = spi;
    s.direction = dir;
    return s;
}

void EventLog::on_sa_event(const wire::SaEvent& e) {
    const auto t = static_cast<size_t>(e.type);
    if (t >= std::size(kSaEventLog)) return;
    const wire::Sa sa = known_sa(e.conn_id, e.spi, e.direction);
    const EventFacts f = sa_facts(sa);
    const EventInfo& info = event_info(kSaEventLog[t]);
    LogRecord rec = record(info.mnemonic, expand(info.text, f.vars));
    rec.params = f.params;
    rec.peer = f.peer;
    publish(DebugTopic::kIpsec, f.peer, debug_sa_event(sa, kSaEventDebug[t]));
    if (e.type == wire::SaEventType::kSeqExhausted)
        publish(DebugTopic::kEngine, f.peer, engine_failure(kSaEventDebug[t], e.conn_id, e.spi, 0));
    emit(rec, RateKey{kEventKind + static_cast<uint32_t>(kSaEventLog[t]), e.conn_id});
}

void EventLog::on_acquire(const wire::Acquire& a) {
    const EventInfo& info = event_info(LogEvent::kAcquire);
    const Vars v = {{"src", wire::addr_text(a.src)},
                    {"dst", wire::addr_text(a.dst)},
                    {"prot", std::to_string(a.proto)},
                    {"rule", std::to_string(a.rule_id)}};
    LogRecord rec = record(info.mnemonic, expand(info.text, v));
    rec.params = {{"rule", std::to_string(a.rule_id)},
                  {"src", v[0].second},
                  {"dst", v[1].second},
                  {"prot", v[2].second}};
    if (a.sport != 0 || a.dport != 0) {
        rec.params.emplace_back("sport", std::to_string(a.sport));
        rec.params.emplace_back("dport", std::to_string(a.dport));
    }
    publish(DebugTopic::kIpsec, "", "IPSEC(acquire): " + rec.text);
    emit(rec, RateKey{kEventKind + static_cast<uint32_t>(LogEvent::kAcquire), a.rule_id});
}

void EventLog::event(LogEvent e, const Vars& vars) {
    const EventInfo& info = event_info(e);
    const LogRecord rec = record(info.mnemonic, expand(info.text, vars));
    if (is_config_event(e)) publish(DebugTopic::kIpsec, "", "IPSEC(config): " + rec.text);
    write(rec);
}

void EventLog::line(std::string_view mnemonic, std::string text) {
    write(record(mnemonic, std::move(text)));
}

void EventLog::sa_line(LogEvent e, const wire::Sa& sa, std::string_view cause) {
    EventFacts f = sa_facts(sa);
    f.vars.emplace_back("cause", std::string(cause));
    const EventInfo& info = event_info(e);
    LogRecord rec = record(info.mnemonic, expand(info.text, f.vars));
    rec.params = std::move(f.params);
    rec.peer = f.peer;
    write(rec);
}

void EventLog::sa_created(const wire::Sa& sa, uint32_t lifetime_seconds, std::string_view cause) {
    const std::string peer = wire::addr_text(sa.peer);
    publish(DebugTopic::kEngine, peer, engine_key_context(sa, true));
    publish(DebugTopic::kIpsec, peer, debug_create_sa(sa, lifetime_seconds));
    sa_line(LogEvent::kSaCreated, sa, cause);
}

void EventLog::sa_deleted(const wire::Sa& sa, std::string_view cause) {
    const std::string peer = wire::addr_text(sa.peer);
    publish(DebugTopic::kIpsec, peer, debug_delete_sa(sa));
    publish(DebugTopic::kEngine, peer, engine_key_context(sa, false));
    sa_line(LogEvent::kSaDeleted, sa, cause);
}

void EventLog::sa_changes(const PolicyDiff& d, std::string_view cause) {
    for (const CompiledSa& s : d.sas_removed)
        sa_deleted(s.sa, cause);
    for (const SaChange& c : d.sas_changed) {
        sa_deleted(c.before.sa, cause);
        sa_created(c.after.sa, c.after.lifetime_seconds, cause);
    }
    for (const CompiledSa& s : d.sas_added)
        sa_created(s.sa, s.lifetime_seconds, cause);
}

void EventLog::sa_changes(const std::vector<wire::Sa>& running, const CompiledPolicy& next,
                          std::string_view cause) {
    std::unordered_map<uint32_t, const wire::Sa*> by_conn;
    for (const wire::Sa& s : running)
        by_conn[s.conn_id] = &s;
    std::unordered_set<uint32_t> kept;
    for (const CompiledSa& s : next.sas) {
        kept.insert(s.sa.conn_id);
        const auto it = by_conn.find(s.sa.conn_id);
        if (it != by_conn.end() && same_without_keys(*it->second, s.sa)) continue;  // runs as is
        if (it != by_conn.end()) sa_deleted(*it->second, cause);
        sa_created(s.sa, s.lifetime_seconds, cause);
    }
    for (const wire::Sa& s : running)
        if (!kept.count(s.conn_id)) sa_deleted(s, cause);
}

void EventLog::tick() {
    const auto now = steady_();
    if (now - last_tick_ < std::chrono::milliseconds(100)) return;
    last_tick_ = now;
    for (const RateLimiter::Summary& s : limiter_.expire(now))
        suppressed(s.key, s.suppressed);
}

void EventLog::reopen() {
    for (Output& o : outputs_)
        o.sink->reopen();
}

}  // namespace espgw::control
