// Timing: TSC cycles per packet over a loop of bursts, each burst = alloc + copy (fill_burst),
// Impl::process, free of the survivors. Repetitions of all implementations of a case are
// interleaved so that the machine's noise hits them alike; the median is reported.
#pragma once

#include <rte_mempool.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bench/impl.h"
#include "bench/workload.h"

namespace espgw::bench {

struct Contender {
    std::string name;
    Impl* impl;
    const PacketPool* pool;
    bool slow = false;  // 3DES: keep the iteration count low
    // Packets a repetition should cover at least (the SA rotation and the source pool), so
    // that every repetition touches every SA; ignored for slow contenders.
    uint32_t cover = 0;
    // Filled by measure_case.
    uint32_t bursts = 0;
    std::vector<double> cycles;  // per packet, one per repetition
    uint64_t lost = 0;           // packets that did not survive (must stay 0)
    uint64_t g = 0;              // next packet index: SAs keep rotating across repetitions
};

struct TimingConfig {
    uint32_t reps = 9;
    double target_ms = 20;  // per repetition and contender
    uint32_t max_bursts = 200000;
};

// Calibrates each contender's burst count to ~target_ms, then runs `reps` interleaved rounds.
void measure_case(rte_mempool* mp, std::vector<Contender>& cs, const TimingConfig& cfg);

double median(std::vector<double> v);

}  // namespace espgw::bench
