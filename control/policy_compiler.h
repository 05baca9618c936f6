// Compiles the configuration model into the objects the dataplane consumes (sadb/wire.h): SAs of
// the manually keyed crypto map entries, the SPD, interfaces, routes, neighbours and globals.
// Plus the ring messages of a full load, and the difference between two compilations so a SIGHUP
// touches only what changed (policy_diff.h).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "control/config_model.h"
#include "control/diagnostic.h"
#include "sadb/wire.h"

namespace espgw::control {

namespace wire = sadb::wire;

// One SA as the dataplane receives it, plus what stays with control: the time lifetime and the
// idle time (the dataplane counts bytes; control's timers, sa_timers.h, send kSaExpire) and the
// configuration line. The keys inside `sa` are wiped when the object dies.
struct CompiledSa {
    wire::Sa sa{};
    uint32_t lifetime_seconds = 0;  // 0 = no time limit
    uint32_t idle_seconds = 0;      // 0 = no idle time
    int line = 0;

    CompiledSa() = default;
    CompiledSa(const CompiledSa& o) = default;
    CompiledSa& operator=(const CompiledSa& o) = default;
    ~CompiledSa();
};

struct CompiledPolicy {
    wire::Globals globals{};
    std::vector<wire::Interface> interfaces;
    std::vector<CompiledSa> sas;  // inbound then outbound of each entry, by map name and sequence
    std::vector<wire::SpdRule> spd;  // in evaluation order: crypto map sequence, then ACL line
    std::vector<wire::Route> routes;
    std::vector<wire::Neighbor> neighbors;

    const CompiledSa* find_sa(uint32_t conn_id) const;
};

// Never throws; what cannot be compiled is a diagnostic (errors mean: do not apply).
CompiledPolicy compile(const Config& cfg, std::vector<Diagnostic>* diags);

// kConfigBegin(full), globals, interfaces, SAs, SPD rules (kSpdRulesPerMsg per message, at least
// one message so an empty SPD is a snapshot too), routes, neighbours, kConfigCommit. The
// messages carry keys: pass them to wipe_keys() once they are on the ring.
std::vector<wire::Msg> to_messages(const CompiledPolicy& p, uint64_t generation, bool full);

void wipe_keys(std::span<wire::Msg> msgs);

}  // namespace espgw::control
