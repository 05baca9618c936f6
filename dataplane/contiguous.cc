#include "dataplane/contiguous.h"

#include <cstring>

namespace espgw::dataplane {

sadb::DropReason make_contiguous(rte_mbuf** pm) {
    rte_mbuf* m = *pm;
    if (m->nb_segs == 1 || rte_pktmbuf_linearize(m) == 0) return sadb::DropReason::kNone;
    const uint32_t room = rte_pktmbuf_data_room_size(m->pool);
    if (room < RTE_PKTMBUF_HEADROOM || m->pkt_len > room - RTE_PKTMBUF_HEADROOM)
        return sadb::DropReason::kChainedMbuf;
    rte_mbuf* flat = rte_pktmbuf_alloc(m->pool);
    if (flat == nullptr) return sadb::DropReason::kNoMbuf;
    auto* dst =
        reinterpret_cast<uint8_t*>(rte_pktmbuf_append(flat, static_cast<uint16_t>(m->pkt_len)));
    const void* src = rte_pktmbuf_read(m, 0, m->pkt_len, dst);  // copies only if it must
    if (src != dst) std::memcpy(dst, src, m->pkt_len);
    flat->port = m->port;
    flat->ol_flags = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
    rte_pktmbuf_free(m);
    *pm = flat;
    return sadb::DropReason::kNone;
}

}  // namespace espgw::dataplane
