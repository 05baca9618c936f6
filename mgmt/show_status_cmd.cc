// show crypto isakmp sa [detail] (IKE SAs from control) and show crypto capacity (stats segment).
#include "mgmt/commands.h"
#include "mgmt/session.h"
#include "mgmt/show_capacity.h"
#include "mgmt/show_isakmp.h"
#include "sadb/mgmt_protocol.h"

namespace espgw::mgmt {
namespace {

CommandResult show_isakmp(const Invocation& inv) {
    std::string error;
    const std::optional<Json> d = inv.session->request(sadb::mgmt::kReqIkeSas, &error);
    if (!d) return CommandResult::fail(error);
    return CommandResult::text(inv.json ? d->dump(1) + "\n" : render_isakmp(*d, inv.has("detail")));
}

CommandResult show_capacity(const Invocation& inv) {
    std::string error;
    const StatsReader* r = inv.session->stats(&error);
    if (!r) return CommandResult::fail(error);
    const Json d = capacity_document(*r);
    return CommandResult::text(inv.json ? d.dump(1) + "\n" : render_capacity(d));
}

}  // namespace

void register_status_commands(CommandTree& tree) {
    tree.describe("show crypto isakmp", "Show ISAKMP");
    tree.add("show crypto isakmp sa", "Show ISAKMP Security Associations", show_isakmp);
    tree.add("show crypto isakmp sa detail", "Show ISAKMP SA Detail", show_isakmp);
    tree.add("show crypto capacity", "SAs, SPD rules, buffers and rings in use of the maximum",
             show_capacity);
}

}  // namespace espgw::mgmt
