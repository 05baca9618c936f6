// Inbound ESP, second stage (RFC 4303 §3.4), in the order the RFC asks for: sequence pre-check
// against the replay window before any crypto, ICV verification with decryption, window update
// only after verification, trailer check, inner packet sanity. Output: the inner packet (tunnel
// mode) or the restored transport packet, or a drop reason.
#pragma once

#include "dataplane/esp_burst.h"

namespace espgw::dataplane {

void esp_decap(EspContext& ctx, EspBurst& b);

}  // namespace espgw::dataplane
