// show crypto ipsec sa [...] and show crypto drops: fetch (stats segment, control), join, render.
#include "mgmt/commands.h"
#include "mgmt/session.h"
#include "mgmt/show_ipsec_sa.h"

namespace espgw::mgmt {
namespace {

CommandResult show_sa(const Invocation& inv) {
    std::string error;
    const StatsReader* r = inv.session->stats(&error);
    if (!r) return CommandResult::fail(error);
    return CommandResult::text(inv.json ? show_crypto_ipsec_sa_json(*r) : show_crypto_ipsec_sa(*r));
}

CommandResult show_drops(const Invocation& inv) {
    std::string error;
    const StatsReader* r = inv.session->stats(&error);
    if (!r) return CommandResult::fail(error);
    return CommandResult::text(inv.json ? show_crypto_drops_json(*r) : show_crypto_drops(*r));
}

}  // namespace

void register_sa_commands(CommandTree& tree) {
    tree.describe("show crypto ipsec", "Show IPSEC policy map information");
    tree.add("show crypto ipsec sa", "IPSEC SA table", show_sa);
    tree.add("show crypto drops", "Dataplane drops by reason (global, per lcore, per SA)",
             show_drops);
}

}  // namespace espgw::mgmt
