// Outbound ESP stage. Input: a burst of IP packets (data starts at the IP header) each with its
// outbound SA in b.sa[k]. Output: the same mbufs as ESP packets ready for routing, or marked
// dropped with a reason (freed later by collect_drops).
#pragma once

#include "dataplane/esp_burst.h"

namespace espgw::dataplane {

void esp_encap(EspContext& ctx, EspBurst& b);

}  // namespace espgw::dataplane
