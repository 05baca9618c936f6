// Test helpers between byte vectors and mbuf bursts, shared by the engine tests.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "dataplane/drop_collect.h"
#include "dataplane/esp_burst.h"

namespace espgw::test_util {

using Bytes = std::vector<uint8_t>;

// A one-segment mbuf holding `b` (nullptr if the pool is empty).
inline rte_mbuf* mbuf_from(rte_mempool* pool, const Bytes& b) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool);
    if (m == nullptr) return nullptr;
    std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(b.size())), b.data(), b.size());
    return m;
}

// Lower-case hex, for failure messages.
inline std::string hex(const Bytes& b) {
    std::string h;
    char x[3];
    for (uint8_t v : b) {
        std::snprintf(x, sizeof x, "%02x", v);
        h += x;
    }
    return h;
}

inline Bytes bytes_of(const rte_mbuf* m) {
    Bytes out;
    for (const rte_mbuf* s = m; s != nullptr; s = s->next) {
        const auto* p = rte_pktmbuf_mtod(s, const uint8_t*);
        out.insert(out.end(), p, p + s->data_len);
    }
    return out;
}

// Ends a burst: frees the dropped packets (counting them), then returns the survivors' bytes in
// order and frees them too.
inline std::vector<Bytes> drain(dataplane::EspBurst& b, sadb::DropCounters& drops) {
    dataplane::collect_drops(b, drops);
    std::vector<Bytes> out;
    for (uint16_t k = 0; k < b.n; ++k)
        out.push_back(bytes_of(b.pkts[k]));
    rte_pktmbuf_free_bulk(b.pkts, b.n);
    b.n = 0;
    return out;
}

}  // namespace espgw::test_util
