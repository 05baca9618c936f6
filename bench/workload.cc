#include "bench/workload.h"

#include <rte_ip.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "dataplane/bytes.h"

namespace espgw::bench {

using dataplane::store_be16;
using dataplane::store_be32;

const std::vector<SizeClass>& all_size_classes() {
    // IMIX 7:4:1 (64, 594, 1518), interleaved so a burst carries the mix rather than runs.
    static const std::vector<SizeClass> kClasses = {
        {"64", {64}},
        {"512", {512}},
        {"1420", {1420}},
        {"imix", {64, 594, 64, 64, 1518, 64, 594, 64, 64, 594, 64, 594}},
    };
    return kClasses;
}

const SizeClass* find_size_class(std::string_view name) {
    for (const SizeClass& c : all_size_classes())
        if (c.name == name) return &c;
    return nullptr;
}

std::vector<uint8_t> make_inner_packet(uint16_t len, uint32_t seed) {
    std::vector<uint8_t> p(len);
    p[0] = 0x45;
    store_be16(&p[2], len);
    store_be16(&p[4], static_cast<uint16_t>(seed));
    p[8] = 64;
    p[9] = 17;                       // UDP
    store_be32(&p[12], 0xc6120001);  // 198.18.0.1
    store_be32(&p[16], 0xc6120101);  // 198.18.1.1
    const uint16_t c = rte_ipv4_cksum(reinterpret_cast<const rte_ipv4_hdr*>(p.data()));
    std::memcpy(&p[10], &c, 2);
    store_be16(&p[20], 1024);
    store_be16(&p[22], 4096);
    store_be16(&p[24], static_cast<uint16_t>(len - 20));
    for (uint32_t i = 28; i < len; ++i)
        p[i] = static_cast<uint8_t>(i * 7 + seed);
    return p;
}

void PacketPool::clear() {
    bytes_.clear();
    off_.clear();
    len_.clear();
}

void PacketPool::add(const uint8_t* data, uint16_t len) {
    off_.push_back(static_cast<uint32_t>(bytes_.size()));
    len_.push_back(len);
    bytes_.insert(bytes_.end(), data, data + len);
}

PacketPool inner_pool(const SizeClass& sc) {
    PacketPool pool;
    for (uint32_t p = 0; p < sc.pattern.size(); ++p) {
        const std::vector<uint8_t> pkt = make_inner_packet(sc.pattern[p], p);
        pool.add(pkt.data(), static_cast<uint16_t>(pkt.size()));
    }
    return pool;
}

void fill_burst(rte_mempool* mp, const PacketPool& pool, uint64_t g0, rte_mbuf** pkts, uint16_t n) {
    if (rte_pktmbuf_alloc_bulk(mp, pkts, n) != 0) {
        std::fprintf(stderr, "FATAL: mbuf pool exhausted (an implementation leaks mbufs)\n");
        std::abort();
    }
    // One division per burst, not per packet.
    const uint32_t period = pool.period();
    uint32_t p = static_cast<uint32_t>(g0 % period);
    for (uint16_t k = 0; k < n; ++k) {
        rte_mbuf* m = pkts[k];
        const uint16_t len = pool.len(p);
        std::memcpy(rte_pktmbuf_mtod(m, uint8_t*), pool.data(p), len);
        m->data_len = len;
        m->pkt_len = len;
        if (++p == period) p = 0;
    }
}

}  // namespace espgw::bench
