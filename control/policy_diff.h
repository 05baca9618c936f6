// What changed between two compilations of the configuration (SIGHUP), and the transaction that
// applies only that: a tunnel whose SAs compile to the same objects is never touched.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "control/policy_compiler.h"

namespace espgw::control {

struct SaChange {
    CompiledSa before;
    CompiledSa after;
};

struct PolicyDiff {
    // SAs are matched by conn_id (stable for an unchanged crypto map entry); changed = any field
    // differs.
    std::vector<CompiledSa> sas_added;
    std::vector<CompiledSa> sas_removed;
    std::vector<SaChange> sas_changed;
    bool spd_changed = false;  // the whole new snapshot is sent
    std::vector<wire::SpdRule> spd;
    bool globals_changed = false;
    wire::Globals globals{};
    // Interfaces by port, routes by prefix, neighbours by address and port; a changed object is
    // removed and added.
    std::vector<wire::Interface> interfaces_added;
    std::vector<wire::Interface> interfaces_removed;
    std::vector<wire::Route> routes_added;
    std::vector<wire::Route> routes_removed;
    std::vector<wire::Neighbor> neighbors_added;
    std::vector<wire::Neighbor> neighbors_removed;

    bool empty() const;
};

PolicyDiff diff(const CompiledPolicy& old, const CompiledPolicy& next);

// kConfigBegin(full = 0), then: globals, interface deletes (removed, moved to another port or
// changed) before interface adds, SA adds (new and changed), the SPD snapshot if it changed, SA
// deletes (removed, and the old SPI of a changed SA whose SPI moved), route and neighbour
// deletes before adds, kConfigCommit.
std::vector<wire::Msg> to_messages(const PolicyDiff& d, uint64_t generation);

}  // namespace espgw::control
