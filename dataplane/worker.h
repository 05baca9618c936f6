// Forwarding lcores: the poll loop and its entry point for rte_eal_remote_launch.
#pragma once

#include "dataplane/dataplane.h"

namespace espgw::dataplane {

struct WorkerArgs {
    LcoreCtx* ctx;
    Dataplane* dp;
};

// One iteration over rx queues, handed-over packets and main-lcore requests; returns the
// number of packets it handled (0 = an idle poll). Forwards nothing before the first
// configuration is applied.
uint32_t worker_poll(LcoreCtx& c, Dataplane& dp);

// Sleeps a little after many idle polls (the lab runs several gateways on two cores).
void idle_backoff(uint32_t* idle_polls);

int worker_main(void* worker_args);

}  // namespace espgw::dataplane
