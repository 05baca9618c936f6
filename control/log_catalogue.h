// The catalogue of event-log lines: for each event kind control logs, its mnemonic (the Cisco
// one where requirements.md §3 has one, ESPGW-S-NAME otherwise; the digit is the syslog
// severity) and its text template; for drop reasons the mnemonic comes from
// sadb/drop_reason.def and the Cisco text templates (E10, E01, E14, E76, E73) are here.
//
// Templates name facts in braces, `{spi}`, filled by expand(); a line carries SPI (hex),
// sequence number, source, destination and connection id wherever they exist.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sadb/drop_reason.h"

namespace espgw::control {

enum class LogEvent : uint8_t {
    kConfigApplied,
    kConfigUnchanged,
    kConfigPartial,
    kConfigFailed,
    kConfigRejected,
    kResync,
    kDataplaneLost,
    kSaCreated,
    kSaDeleted,
    kSaSoftExpired,
    kSaHardExpired,
    kSaSeqExhausted,
    kSaIdle,
    kAcquire,
    kLogSuppressed,
};

struct EventInfo {
    LogEvent event;
    std::string_view mnemonic;
    std::string_view text;  // template
};

std::span<const EventInfo> event_catalogue();
const EventInfo& event_info(LogEvent e);

// The Cisco text of a drop reason, or the generic template (help text plus the packet's facts).
std::string_view drop_template(sadb::DropReason r);

// The names a drop template may use (drop_vars() in event_log.cc provides each).
std::span<const std::string_view> drop_template_names();

using Vars = std::vector<std::pair<std::string_view, std::string>>;

// Replaces each `{name}` by its value in `vars`; an unknown name is left as written.
std::string expand(std::string_view tmpl, const Vars& vars);

// The names a template uses, in order (for the catalogue's tests).
std::vector<std::string_view> template_names(std::string_view tmpl);

}  // namespace espgw::control
