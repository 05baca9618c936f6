#include "control/log_catalogue.h"

#include <algorithm>
#include <iterator>

namespace espgw::control {
namespace {

using sadb::DropReason;

// Lifecycle lines: ASA 602303/602304 for SA creation and deletion ("An outbound LAN-to-LAN SA
// (SPI= 0x...) between A and B (user= B) has been created."), IOS %SYS-5-CONFIG_I for an
// applied configuration; espgw's own mnemonics for what Cisco has no message for.
constexpr EventInfo kEvents[] = {
    {LogEvent::kConfigApplied, "SYS-5-CONFIG_I", "{what} (generation {generation})"},
    {LogEvent::kConfigUnchanged, "SYS-5-CONFIG_I", "Reloaded {source}: no change"},
    {LogEvent::kConfigPartial, "ESPGW-3-CONFIG_PARTIAL",
     "{what} (generation {generation}): {refused} object(s) refused: {error}"},
    {LogEvent::kConfigFailed, "ESPGW-3-CONFIG_FAILED", "{what}: {error}"},
    {LogEvent::kConfigRejected, "ESPGW-3-CONFIG_REJECTED",
     "{source} has errors (see above); configuration not applied, the running one stays"},
    {LogEvent::kResync, "ESPGW-6-RESYNC",
     "dataplane runs {count} SA(s) at generation {generation}"},
    {LogEvent::kDataplaneLost, "ESPGW-3-DATAPLANE_LOST",
     "waiting for a dataplane of instance {instance}"},
    {LogEvent::kSaCreated, "ASA-6-602303",
     "IPSEC: An {dir} LAN-to-LAN SA (SPI= {spi_hex}) between {local} and {peer} (user= {peer}) "
     "has been created. Connection id {conn}, crypto map {map} {map_seq}, {transform} ({cause})"},
    {LogEvent::kSaDeleted, "ASA-6-602304",
     "IPSEC: An {dir} LAN-to-LAN SA (SPI= {spi_hex}) between {local} and {peer} (user= {peer}) "
     "has been deleted. Connection id {conn}, crypto map {map} {map_seq} ({cause})"},
    {LogEvent::kSaSoftExpired, "ESPGW-5-SA_SOFT_EXPIRED",
     "IPSEC: An {dir} SA (SPI= {spi_hex}) between {local} and {peer} reached its soft lifetime "
     "(connection id {conn}): it should be rekeyed"},
    {LogEvent::kSaHardExpired, "ESPGW-4-SA_HARD_EXPIRED",
     "IPSEC: An {dir} SA (SPI= {spi_hex}) between {local} and {peer} reached its hard lifetime "
     "(connection id {conn}): it carries no more traffic"},
    {LogEvent::kSaSeqExhausted, "ESPGW-3-SA_SEQ_EXHAUSTED",
     "IPSEC: An {dir} SA (SPI= {spi_hex}) between {local} and {peer} used its last sequence "
     "number (connection id {conn}): it must be rekeyed (RFC 4303 3.3.3)"},
    {LogEvent::kSaIdle, "ESPGW-5-SA_IDLE",
     "IPSEC: An {dir} SA (SPI= {spi_hex}) between {local} and {peer} is idle (connection id "
     "{conn})"},
    {LogEvent::kAcquire, "ESPGW-6-ACQUIRE",
     "traffic from {src} to {dst} (protocol {prot}) matches policy rule {rule} but has no SA "
     "(manual keys: check the crypto map)"},
    {LogEvent::kLogSuppressed, "ESPGW-4-LOG_SUPPRESSED", "{count} messages suppressed for {what}"},
};

constexpr bool events_in_order() {
    for (size_t i = 0; i < std::size(kEvents); ++i)
        if (static_cast<size_t>(kEvents[i].event) != i) return false;
    return std::size(kEvents) == static_cast<size_t>(LogEvent::kLogSuppressed) + 1;
}
static_assert(events_in_order(), "kEvents lists every LogEvent, in enum order");

// requirements.md §3: E10 (IOS RECVD_PKT_INV_SPI, fields of ASA 402101), E01 (PKT_REPLAY_ERR),
// E14 (RECVD_PKT_MAC_ERR), E76 (ASA 402130), E73 (ASA 402116), and IOS RECVD_PKT_NOT_IPSEC
// (cleartext that matched a crypto map's inbound mirror).
constexpr std::pair<DropReason, std::string_view> kDropTexts[] = {
    {DropReason::kInvalidSpi,
     "decaps: rec'd IPSEC packet has invalid spi for destaddr={dst}, prot={prot}, spi={spi}, "
     "srcaddr={src}, sequence number={seq}, input interface port{port}"},
    {DropReason::kReplayDuplicate,
     "decrypt: replay check failed connection id={conn}, spi={spi}, sequence number={seq}, "
     "srcaddr={src}, destaddr={dst} (duplicate)"},
    {DropReason::kReplayOld,
     "decrypt: replay check failed connection id={conn}, spi={spi}, sequence number={seq}, "
     "srcaddr={src}, destaddr={dst} (left of the window)"},
    {DropReason::kIcvMismatch,
     "decrypt: mac verify failed for connection id={conn}, spi={spi}, sequence number={seq}, "
     "srcaddr={src}, destaddr={dst}"},
    {DropReason::kBadPadding,
     "CRYPTO: Received an ESP packet (SPI = {spi_hex}, sequence number= {seq}) from {peer} "
     "(user= {peer}) to {local} with incorrect IPsec padding (connection id {conn})"},
    {DropReason::kNotIpsec,
     "Rec'd packet not an IPSEC packet. (ip) vrf/dest_addr= /{dst}, src_addr= {src}, prot= "
     "{prot}"},
    {DropReason::kInnerPolicyMismatch,
     "IPSEC: Received an ESP packet (SPI= {spi_hex}, sequence number= {seq}) from {peer} (user= "
     "{peer}) to {local}. The decapsulated inner packet doesn't match the negotiated policy in "
     "the SA. The packet specifies its destination as {inner_dst}, its source as {inner_src}, "
     "and its protocol as {inner_proto}. The SA specifies its local proxy as {local_proxy} and "
     "its remote_proxy as {remote_proxy} (connection id {conn})."},
};

constexpr std::string_view kGenericDrop = "{help}: src {src}, dst {dst}{sa_facts}";

constexpr std::string_view kDropNames[] = {
    "spi",         "spi_hex", "seq",   "src",      "dst",         "peer",
    "local",       "conn",    "port",  "prot",     "inner_src",   "inner_dst",
    "inner_proto", "help",    "label", "sa_facts", "local_proxy", "remote_proxy"};

}  // namespace

std::span<const EventInfo> event_catalogue() {
    return kEvents;
}

const EventInfo& event_info(LogEvent e) {
    return kEvents[static_cast<size_t>(e)];
}

std::string_view drop_template(sadb::DropReason r) {
    for (const auto& [reason, text] : kDropTexts)
        if (reason == r) return text;
    return kGenericDrop;
}

std::span<const std::string_view> drop_template_names() {
    return kDropNames;
}

std::string expand(std::string_view tmpl, const Vars& vars) {
    std::string out;
    size_t i = 0;
    while (i < tmpl.size()) {
        const size_t open = tmpl.find('{', i);
        const size_t close = open == std::string_view::npos ? open : tmpl.find('}', open);
        if (close == std::string_view::npos) break;
        out += tmpl.substr(i, open - i);
        const std::string_view name = tmpl.substr(open + 1, close - open - 1);
        const auto v = std::find_if(vars.begin(), vars.end(),
                                    [&](const auto& kv) { return kv.first == name; });
        out += v != vars.end() ? std::string_view(v->second) : tmpl.substr(open, close - open + 1);
        i = close + 1;
    }
    out += tmpl.substr(std::min(i, tmpl.size()));
    return out;
}

std::vector<std::string_view> template_names(std::string_view tmpl) {
    std::vector<std::string_view> names;
    for (size_t open = tmpl.find('{'); open != std::string_view::npos;
         open = tmpl.find('{', open + 1)) {
        const size_t close = tmpl.find('}', open);
        if (close == std::string_view::npos) break;
        names.push_back(tmpl.substr(open + 1, close - open - 1));
    }
    return names;
}

}  // namespace espgw::control
