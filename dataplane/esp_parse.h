// Inbound ESP, first stage. Input: outer IP packets classified as ESP (IP protocol 50, or UDP
// to port 4500 for RFC 3948). Output: b.in[k] filled and b.sa[k] set to the inbound SA, or the
// packet marked dropped (malformed, invalid SPI, NAT-T keepalive, IKE, ...).
#pragma once

#include "dataplane/esp_burst.h"

namespace espgw::dataplane {

void esp_parse(EspContext& ctx, EspBurst& b);

}  // namespace espgw::dataplane
