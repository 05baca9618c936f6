// clear crypto sa [peer ADDR | map NAME | spi SPI] (control re-installs the manually keyed SAs)
// and clear crypto counters (a baseline the shows subtract; the dataplane's counters, and with
// them Prometheus, stay monotonic).
#include "mgmt/commands.h"
#include "mgmt/counter_baseline.h"
#include "mgmt/session.h"
#include "sadb/mgmt_protocol.h"

namespace espgw::mgmt {
namespace {

namespace proto = sadb::mgmt;

Json selection(const Invocation& inv) {
    if (inv.has("peer")) return {{"peer", canonical_address(*inv.arg("ADDR"))}};
    if (inv.has("map")) return {{"map", *inv.arg("NAME")}};
    if (inv.has("spi")) return {{"spi", std::stoul(*inv.arg("SPI"), nullptr, 0)}};
    return {{"all", true}};
}

CommandResult clear_sa(const Invocation& inv) {
    std::string error;
    // Control waits up to 10 s for the dataplane's acknowledgement of the transaction.
    const std::optional<Json> r =
        inv.session->request(proto::kReqClearSa, selection(inv), &error, std::chrono::seconds(30));
    if (!r) return CommandResult::fail(error);
    if (inv.json) return CommandResult::text(r->dump(1) + "\n");
    const unsigned n = r->value("cleared", 0u);
    std::string out =
        std::to_string(n) + " SA(s) cleared and re-installed from the configuration\n";
    if (r->value("manual_replay", false))
        out +=
            "Note: the re-installed outbound SAs restart at sequence number 1; the peer's "
            "anti-replay window drops them until the peer clears its SAs too\n";
    return CommandResult::text(out);
}

CommandResult clear_counters(const Invocation& inv) {
    std::string error;
    const StatsReader* r = inv.session->stats(&error);
    if (!r) return CommandResult::fail(error);
    const CounterBaseline b = CounterBaseline::capture(*r);
    if (!b.save(proto::baseline_path(inv.session->instance()), &error))
        return CommandResult::fail(error);
    return CommandResult::text("");  // IOS prints nothing
}

}  // namespace

void register_clear_commands(CommandTree& tree) {
    tree.describe("clear crypto sa", "Clear (re-install) IPsec SAs");
    tree.add("clear crypto sa", "", clear_sa);
    tree.add("clear crypto sa peer ADDR", "Clear all SAs for a given crypto peer", clear_sa);
    tree.add("clear crypto sa map NAME", "Clear all SAs for a given crypto map", clear_sa);
    tree.add("clear crypto sa spi SPI", "Clear SA by SPI (its tunnel)", clear_sa);
    tree.describe("clear crypto sa peer", "Clear all SAs for a given crypto peer");
    tree.describe("clear crypto sa map", "Clear all SAs for a given crypto map");
    tree.describe("clear crypto sa spi", "Clear SA by SPI");
    tree.add("clear crypto sa counters", "Reset the SA counters", clear_counters);
    tree.add("clear crypto counters", "Reset the counters the shows print", clear_counters);
}

}  // namespace espgw::mgmt
