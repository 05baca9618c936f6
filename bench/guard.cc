#include "bench/guard.h"

#include <rte_ip.h>

#include <cstring>
#include <numeric>
#include <stdexcept>

#include "bench/espgw_impl.h"

namespace espgw::bench {
namespace {

constexpr uint32_t kOuterIp = 20;

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("GUARD: " + what);
}

std::string why_dropped(Impl* impl) {
    if (auto* d = dynamic_cast<EspgwDecap*>(impl))
        return " (drops: " + drop_summary(d->drops()) + ")";
    if (auto* e = dynamic_cast<EspgwEncap*>(impl))
        return " (drops: " + drop_summary(e->drops()) + ")";
    return "";
}

// Runs one burst of packets 0..31 from `pool`; all must survive.
void run_burst(rte_mempool* mp, const Named& who, const PacketPool& pool) {
    fill_burst(mp, pool, 0, who.second->slots(), kBurst);
    const uint16_t live = who.second->process(0, kBurst);
    if (live != kBurst) {
        rte_pktmbuf_free_bulk(who.second->slots(), live);
        fail(who.first + " kept " + std::to_string(live) + "/32 packets" + why_dropped(who.second));
    }
}

// Copies a burst of ESP packets out. rte_ipsec leaves the outer IPv4 checksum at 0, which
// espgw's parser rightly rejects; the guard fills it in so the cross-check tests the ESP part.
PacketPool take_esp(rte_mbuf** pkts) {
    PacketPool out;
    for (uint16_t k = 0; k < kBurst; ++k) {
        rte_mbuf* m = pkts[k];
        if (m->nb_segs != 1) fail("multi-segment output");
        std::vector<uint8_t> b(rte_pktmbuf_mtod(m, uint8_t*),
                               rte_pktmbuf_mtod(m, uint8_t*) + m->data_len);
        if (b.size() >= kOuterIp && b[10] == 0 && b[11] == 0) {
            const uint16_t c = rte_ipv4_cksum(reinterpret_cast<const rte_ipv4_hdr*>(b.data()));
            std::memcpy(&b[10], &c, 2);
        }
        out.add(b.data(), static_cast<uint16_t>(b.size()));
    }
    rte_pktmbuf_free_bulk(pkts, kBurst);
    return out;
}

void compare_inner(const std::string& who, rte_mbuf** pkts, const PacketPool& inner) {
    for (uint16_t k = 0; k < kBurst; ++k) {
        const uint32_t p = k % inner.period();
        const rte_mbuf* m = pkts[k];
        if (m->pkt_len != inner.len(p) ||
            std::memcmp(rte_pktmbuf_mtod(m, const uint8_t*), inner.data(p), inner.len(p)) != 0)
            fail(who + ": packet " + std::to_string(k) + " differs from the inner packet (len " +
                 std::to_string(m->pkt_len) + " vs " + std::to_string(inner.len(p)) + ")");
    }
}

void check_floor(rte_mempool* mp, const Suite& s, const std::string& who, FloorImpl* f,
                 const PacketPool& esp, const PacketPool& inner) {
    run_burst(mp, {who, f}, esp);
    for (uint16_t k = 0; k < kBurst; ++k) {
        const uint8_t* pkt = rte_pktmbuf_mtod(f->slots()[k], const uint8_t*);
        const uint32_t len = f->slots()[k]->data_len;
        const uint32_t p = k % inner.period();
        const bool icv_ok = std::memcmp(f->icv(k), pkt + len - s.icv_len, s.icv_len) == 0;
        const bool text_ok =
            std::memcmp(pkt + kOuterIp + 8 + s.iv_len, inner.data(p), inner.len(p)) == 0;
        if (!icv_ok || !text_ok)
            fail(who + ": packet " + std::to_string(k) + (icv_ok ? " plaintext" : " ICV") +
                 " mismatch");
    }
    rte_pktmbuf_free_bulk(f->slots(), kBurst);
}

}  // namespace

void check_cross(rte_mempool* mp, const Suite& suite, const PacketPool& inner,
                 const GuardSet& set) {
    for (const Named& e : set.encaps) {
        run_burst(mp, e, inner);
        const PacketPool esp = take_esp(e.second->slots());
        for (const Named& d : set.decaps) {
            run_burst(mp, d, esp);
            compare_inner(e.first + " encap -> " + d.first + " decap", d.second->slots(), inner);
            rte_pktmbuf_free_bulk(d.second->slots(), kBurst);
        }
        for (const auto& [name, f] : set.floors)
            check_floor(mp, suite, e.first + " encap -> " + name + " decap", f, esp, inner);
    }
}

PacketPool build_esp_pool(rte_mempool* mp, Impl& encap, const PacketPool& inner, uint32_t n_sa) {
    const uint64_t period = std::lcm(uint64_t{n_sa}, uint64_t{inner.period()});
    PacketPool out;
    for (uint64_t g = 0; g < period; g += kBurst) {
        const uint16_t n = static_cast<uint16_t>(std::min<uint64_t>(kBurst, period - g));
        fill_burst(mp, inner, g, encap.slots(), n);
        if (encap.process(g, n) != n) fail("pool encap dropped packets" + why_dropped(&encap));
        for (uint16_t k = 0; k < n; ++k) {
            rte_mbuf* m = encap.slots()[k];
            out.add(rte_pktmbuf_mtod(m, const uint8_t*), static_cast<uint16_t>(m->data_len));
        }
        rte_pktmbuf_free_bulk(encap.slots(), n);
    }
    return out;
}

}  // namespace espgw::bench
