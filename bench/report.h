// Results of the engine benchmark: one record per implementation x suite x size x SA count x
// direction, written as JSON and as a Markdown table with the ratios the issue asks for
// (espgw/rte_ipsec packets per second, espgw minus the crypto floor) and the goal check.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
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
// default (kEspgwMb is the same with the window off), named "espgw-ipsecmb-replay<window>". The
// name is built from the number at compile time so the two cannot drift apart.
inline constexpr uint32_t kRoundtripWindow = 1024;
inline constexpr auto kEspgwMbReplayName = [] {
    std::array<char, 32> name{};
    size_t n = 0;
    for (const char c : std::string_view("espgw-ipsecmb-replay"))
        name[n++] = c;
    char digits[10];
    size_t k = 0;
    for (uint32_t v = kRoundtripWindow; v != 0; v /= 10)
        digits[k++] = static_cast<char>('0' + v % 10);
    while (k != 0)
        name[n++] = digits[--k];
    return name;
}();
inline constexpr const char* kEspgwMbReplay = kEspgwMbReplayName.data();

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
