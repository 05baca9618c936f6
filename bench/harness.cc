#include "bench/harness.h"

#include <rte_cycles.h>

#include <algorithm>
#include <cmath>

namespace espgw::bench {
namespace {

// Cycles per packet of `bursts` bursts.
double run_bursts(rte_mempool* mp, Contender& c, uint32_t bursts) {
    rte_mbuf** slots = c.impl->slots();
    uint64_t lost = 0;
    const uint64_t t0 = rte_rdtsc_precise();
    for (uint32_t b = 0; b < bursts; ++b) {
        fill_burst(mp, *c.pool, c.g, slots, kBurst);
        const uint16_t live = c.impl->process(c.g, kBurst);
        rte_pktmbuf_free_bulk(slots, live);
        lost += kBurst - live;
        c.g += kBurst;
    }
    const uint64_t t1 = rte_rdtsc_precise();
    c.lost += lost;
    return static_cast<double>(t1 - t0) / (static_cast<double>(bursts) * kBurst);
}

uint32_t bursts_for(uint64_t packets) {
    return static_cast<uint32_t>((packets + kBurst - 1) / kBurst);
}

// Warms caches (every SA touched once), then times probes of growing length until one lasts
// ~2 ms, and sizes a repetition to ~target_ms.
uint32_t calibrate(rte_mempool* mp, Contender& c, const TimingConfig& cfg) {
    const double hz = static_cast<double>(rte_get_tsc_hz());
    run_bursts(mp, c, c.slow ? 2 : std::max(2u, bursts_for(c.cover)));
    uint32_t probe = c.slow ? 1 : 4;
    double cpp = run_bursts(mp, c, probe);
    while (!c.slow && cpp * probe * kBurst < 2e-3 * hz && probe < cfg.max_bursts) {
        probe *= 4;
        cpp = run_bursts(mp, c, probe);
    }
    const double want = cfg.target_ms * 1e-3 * hz / (cpp * kBurst);
    const double lo = c.slow ? 2 : std::max(16u, bursts_for(c.cover));
    return static_cast<uint32_t>(std::clamp(want, lo, std::max(lo, double(cfg.max_bursts))));
}

}  // namespace

double median(std::vector<double> v) {
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void measure_case(rte_mempool* mp, std::vector<Contender>& cs, const TimingConfig& cfg) {
    for (Contender& c : cs) {
        c.cycles.clear();
        c.bursts = calibrate(mp, c, cfg);
    }
    // Rotate the starting contender every round so no one always runs right after another.
    for (uint32_t r = 0; r < cfg.reps; ++r)
        for (size_t i = 0; i < cs.size(); ++i) {
            Contender& c = cs[(i + r) % cs.size()];
            c.cycles.push_back(run_bursts(mp, c, c.bursts));
        }
}

}  // namespace espgw::bench
