// Results of the engine benchmark: one record per implementation x suite x size x SA count x
// direction, written as JSON and as a Markdown table with the ratios the issue asks for
// (espgw/rte_ipsec packets per second, espgw minus the crypto floor) and the goal check.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace espgw::bench {

// Implementation names used in records and tables.
inline constexpr const char* kEspgwMb = "espgw-ipsecmb";
inline constexpr const char* kEspgwOssl = "espgw-openssl";
inline constexpr const char* kFloorJob = "floor-ipsecmb-job";
inline constexpr const char* kFloorDirect = "floor-ipsecmb-gcm-direct";
inline constexpr const char* kRteIpsec = "rte_ipsec-cpu-crypto";
inline constexpr const char* kBaseline = "mbuf-alloc-copy-free";
// Direction "roundtrip" only: espgw encap + decap with the inbound SAs' anti-replay window at its
// default (kEspgwMb is the same with the window off).
inline constexpr const char* kEspgwMbReplay = "espgw-ipsecmb-replay1024";
inline constexpr uint32_t kRoundtripWindow = 1024;

struct Record {
    std::string impl, suite, size, direction;
    uint32_t n_sa = 0;
    double cycles_per_packet = 0;  // median of the repetitions
    double mpps = 0;
    std::vector<double> reps;
    uint32_t bursts_per_rep = 0;
};

struct Meta {
    std::string command, engine_rev, date, cpu, ipsecmb_arch, ipsecmb_version, dpdk_version,
        eal_args;
    double tsc_hz = 0;
    uint32_t reps = 0;
    double target_ms = 0;
    double run_seconds = 0;
};

void write_json(const std::string& path, const Meta& meta, const std::vector<Record>& recs);
void write_markdown(const std::string& path, const Meta& meta, const std::vector<Record>& recs);
// The same tables, on stdout.
void print_tables(const std::vector<Record>& recs);

}  // namespace espgw::bench
