// Last step of a burst: frees every dropped mbuf once, counts its reason, and compacts the
// survivors to the front of the burst.
#pragma once

#include "dataplane/esp_burst.h"

namespace espgw::dataplane {

// Returns the number of packets left. With `ctx`, its drop sampler sees each dropped packet.
uint16_t collect_drops(EspBurst& b, sadb::DropCounters& counters,
                       const EspContext* ctx = nullptr);

}  // namespace espgw::dataplane
