// The SA views: show crypto ipsec sa [...], show crypto engine connection active, show crypto
// drops, and the key export. Each fetches the stats segment (counters) and control's `sas`
// (names), joins them (ipsec_sa_data.h) and renders text or prints the document as JSON.
#include <ctime>

#include "mgmt/commands.h"
#include "mgmt/ipsec_sa_data.h"
#include "mgmt/key_export_file.h"
#include "mgmt/session.h"
#include "mgmt/show_drops.h"
#include "mgmt/show_engine.h"
#include "mgmt/show_ipsec_sa.h"
#include "sadb/mgmt_protocol.h"

namespace espgw::mgmt {
namespace {

namespace proto = sadb::mgmt;

SaFilter filter_of(const Invocation& inv) {
    SaFilter f;
    if (inv.has("peer")) f.peer = canonical_address(*inv.arg("ADDR"));
    if (inv.has("map")) f.map = inv.arg("NAME");
    if (inv.has("spi")) f.spi = static_cast<uint32_t>(std::stoul(*inv.arg("SPI"), nullptr, 0));
    return f;
}

// The joined SA document, or nullopt with a one-line error (no dataplane). Control not running
// is not an error: the document says so and names come from the dataplane.
std::optional<Json> sa_document(const Invocation& inv, const SaFilter& f, std::string* error,
                                const StatsReader** stats = nullptr) {
    const StatsReader* r = inv.session->stats(error);
    if (!r) return std::nullopt;
    if (stats) *stats = r;
    std::string ignored;
    const std::optional<Json> control = inv.session->request(proto::kReqSas, &ignored);
    const CounterBaseline b =
        CounterBaseline::load(proto::baseline_path(inv.session->instance()), *r);
    return ipsec_sa_document(*r, control ? *control : Json(), b, f,
                             static_cast<int64_t>(std::time(nullptr)));
}

std::string dump(const Json& j) {
    return j.dump(1) + "\n";
}

CommandResult show_sa(const Invocation& inv) {
    std::string error;
    const SaFilter f = filter_of(inv);
    const std::optional<Json> doc = sa_document(inv, f, &error);
    if (!doc) return CommandResult::fail(error);
    if (inv.json) return CommandResult::text(dump(*doc));
    return CommandResult::text(render_ipsec_sa(*doc, {inv.has("detail"), f.peer}));
}

CommandResult show_engine(const Invocation& inv) {
    std::string error;
    const std::optional<Json> doc = sa_document(inv, {}, &error);
    if (!doc) return CommandResult::fail(error);
    const Json e = engine_document(*doc);
    if (inv.json) return CommandResult::text(dump(e));
    const std::string note = doc->value("control", true) ? "" : Session::kControlDownNote;
    return CommandResult::text((note.empty() ? "" : note + "\n") + render_engine(e));
}

CommandResult show_drops(const Invocation& inv) {
    std::string error;
    const StatsReader* r = nullptr;
    const std::optional<Json> doc = sa_document(inv, {}, &error, &r);
    if (!doc) return CommandResult::fail(error);
    const CounterBaseline b =
        CounterBaseline::load(proto::baseline_path(inv.session->instance()), *r);
    const Json d = drops_document(*r, b, *doc);
    return CommandResult::text(inv.json ? dump(d) : render_drops(d));
}

CommandResult export_keys(const Invocation& inv) {
    std::string error;
    std::optional<Json> keys = inv.session->request(proto::kReqKeys, &error);
    if (!keys) return CommandResult::fail(error);
    int rows = 0, skipped = 0;
    std::string text = wireshark_esp_sa(*keys, &rows, &skipped);
    proto::wipe_strings(*keys);
    if (ControlClient* c = inv.session->control(&error)) c->wipe();
    const std::string path = *inv.arg("FILE");
    const bool ok = write_secret_file(path, text, &error);
    proto::wipe_buffer(text);
    if (!ok) return CommandResult::fail(error);
    std::string out = std::to_string(rows) + " SA(s) written to " + path +
                      " (Wireshark esp_sa table, mode 0600: it holds the session keys)\n";
    if (skipped != 0)
        out += std::to_string(skipped) + " SA(s) left out: ESN or an algorithm Wireshark lacks\n";
    return CommandResult::text(out);
}

void register_filters(CommandTree& tree, const char* base, CommandAction a) {
    const std::string b = base;
    tree.add(b, "", a);
    tree.add(b + " detail", "Detailed output with drop counters by reason", a);
    for (const char* f : {" peer ADDR", " map NAME", " spi SPI"}) {
        tree.add(b + f, "", a);
        tree.add(b + f + " detail", "Detailed output with drop counters by reason", a);
    }
    tree.describe(b + " peer", "Show SAs of a peer (IP address)");
    tree.describe(b + " map", "Show SAs of a crypto map");
    tree.describe(b + " spi", "Show the tunnel of an SPI (decimal or 0x hex)");
}

}  // namespace

void register_sa_commands(CommandTree& tree) {
    tree.describe("show crypto ipsec", "Show IPSEC policy map information");
    register_filters(tree, "show crypto ipsec sa", show_sa);
    tree.describe("show crypto ipsec sa", "IPSEC SA table");
    tree.describe("show crypto ipsec sa keys", "Export the session keys (root only)");
    tree.add("show crypto ipsec sa keys --wireshark FILE",
             "Write Wireshark's esp_sa table to FILE (mode 0600)", export_keys);
    tree.describe("show crypto engine", "Show crypto engine info");
    tree.describe("show crypto engine connection", "Show the crypto engine's connections");
    tree.add("show crypto engine connection active",
             "Traffic of each SA and direction (encrypted / decrypted)", show_engine);
    tree.add("show crypto drops", "Dataplane drops by reason (global, per lcore, per SA)",
             show_drops);
}

}  // namespace espgw::mgmt
