// Chained (multi-segment) mbufs: the ESP stages need the packet in one buffer because the cipher
// runs over it in place. Linearise in place when the first segment has room, otherwise copy into
// one fresh mbuf from the same pool; a packet larger than one buffer is a counted drop, never
// misprocessed.
#pragma once

#include <rte_mbuf.h>

#include "sadb/drop_reason.h"

namespace espgw::dataplane {

// On success *m may point to a new mbuf (the old chain is freed). Returns kNone or the reason.
sadb::DropReason make_contiguous(rte_mbuf** m);

}  // namespace espgw::dataplane
