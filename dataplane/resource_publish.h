// Publication of what the exporter and `show crypto capacity` need beyond counters into the
// stats segment (sadb/stats_segment.h): ring depths, event ring drops and mbuf pool use (about
// once a second), and the rules of the live SPD snapshot that the lcores' hit counters index
// (after each commit). Main lcore only: each region has one writer and is a seqlock.
#pragma once

#include <cstdint>

#include "dataplane/dataplane.h"
#include "dataplane/spd.h"
#include "sadb/ring_region.h"

namespace espgw::dataplane {

// The rings to and from control live in the ring region; `events_lost` counts the events the
// full event ring refused (ControlEndpoint::events_lost). Returns the number of rings published.
uint32_t publish_resources(const Dataplane& dp, const sadb::RingRegionHeader& ring_region,
                           uint64_t events_lost);

// `spd` may be null (no policy yet): publishes an empty rule table.
void publish_spd_rules(const sadb::StatsView& stats, const SpdSnapshot* spd);

}  // namespace espgw::dataplane
