// espgw-esp-bench: the ESP engine benchmark. espgw (intel-ipsec-mb and OpenSSL backends), DPDK's
// rte_ipsec (crypto_aesni_mb, cpu-crypto) and the bare intel-ipsec-mb floor on the same packets,
// same run, one core. See bench/README.md and bench/results/esp_engine.md.
//
//   espgw-esp-bench [--suites a,b] [--sizes 64,512,1420,imix] [--sas 1,10000]
//                   [--dirs encap,decap,roundtrip] [--impls name,...] [--reps 5] [--target-ms 25]
//                   [--lcore 1] [--json FILE] [--md FILE] [--allow-no-huge]
//                   [--invoked-as "wrapper command line"] [--engine-rev REV]
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_version.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/espgw_impl.h"
#include "bench/floor_impl.h"
#include "bench/guard.h"
#include "bench/harness.h"
#include "bench/report.h"
#include "bench/rte_ipsec_impl.h"
#include "bench/suites.h"
#include "bench/workload.h"
#include "crypto/mb_manager.h"
#include "dataplane/eal_setup.h"

namespace espgw::bench {
namespace {

struct Options {
    std::vector<std::string> suites, sizes, dirs, impls;
    std::vector<uint32_t> sas{1, 10000};
    TimingConfig timing;
    std::string lcore = "1";
    std::string json_path, md_path;
    bool allow_no_huge = false;
    std::string command;
    std::string invoked_as;  // the wrapper script's command line, for the results file
    std::string engine_rev;  // git revision of the engine sources measured
};

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string w; std::getline(in, w, ',');)
        if (!w.empty()) out.push_back(w);
    return out;
}

void usage() {
    std::fprintf(
        stderr,
        "usage: espgw-esp-bench [--suites a,b] [--sizes 64,512,1420,imix] [--sas 1,10000]\n"
        "  [--dirs encap,decap,roundtrip] [--impls name,...] [--reps N] [--target-ms MS]\n"
        "  [--lcore CPU] [--json FILE] [--md FILE] [--allow-no-huge] [--invoked-as CMD]\n"
        "  [--engine-rev REV]\n");
}

using Setter = std::function<void(Options&, const std::string&)>;

// Options that take a value.
const std::map<std::string, Setter>& setters() {
    static const std::map<std::string, Setter> kSetters = {
        {"--suites", [](Options& o, const std::string& v) { o.suites = split(v); }},
        {"--sizes", [](Options& o, const std::string& v) { o.sizes = split(v); }},
        {"--dirs", [](Options& o, const std::string& v) { o.dirs = split(v); }},
        {"--impls", [](Options& o, const std::string& v) { o.impls = split(v); }},
        {"--sas",
         [](Options& o, const std::string& v) {
             o.sas.clear();
             for (const std::string& n : split(v))
                 o.sas.push_back(std::stoul(n));
         }},
        {"--reps", [](Options& o, const std::string& v) { o.timing.reps = std::stoul(v); }},
        {"--target-ms",
         [](Options& o, const std::string& v) { o.timing.target_ms = std::stod(v); }},
        {"--lcore", [](Options& o, const std::string& v) { o.lcore = v; }},
        {"--json", [](Options& o, const std::string& v) { o.json_path = v; }},
        {"--md", [](Options& o, const std::string& v) { o.md_path = v; }},
        {"--invoked-as", [](Options& o, const std::string& v) { o.invoked_as = v; }},
        {"--engine-rev", [](Options& o, const std::string& v) { o.engine_rev = v; }},
    };
    return kSetters;
}

Options defaults() {
    Options o;
    for (const Suite& s : all_suites())
        o.suites.emplace_back(s.name);
    for (const SizeClass& c : all_size_classes())
        o.sizes.emplace_back(c.name);
    o.dirs = {"encap", "decap"};
    o.impls = {kEspgwMb, kEspgwOssl, kFloorJob, kFloorDirect, kRteIpsec, kBaseline, kEspgwMbReplay};
    return o;
}

Options parse(int argc, char** argv) {
    Options o = defaults();
    for (int i = 0; i < argc; ++i) {
        if (i > 0) o.command += ' ';
        o.command += argv[i];
    }
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto it = setters().find(a);
        if (a == "--allow-no-huge") {
            o.allow_no_huge = true;
        } else if (it != setters().end() && i + 1 < argc) {
            it->second(o, argv[++i]);
        } else {
            usage();
            throw std::runtime_error("bad argument " + a);
        }
    }
    for (const std::string& d : o.dirs)
        if (d != "encap" && d != "decap" && d != "roundtrip")
            throw std::runtime_error("unknown direction " + d + " (encap, decap, roundtrip)");
    return o;
}

bool contains(const std::vector<std::string>& list, const std::string& name) {
    return std::find(list.begin(), list.end(), name) != list.end();
}

std::string eal_start(const Options& o) {
    std::vector<std::string> args = dataplane::default_eal_args("espgw-esp-bench");
    const bool huge = std::find(args.begin(), args.end(), "--no-huge") == args.end();
    if (!huge && !o.allow_no_huge)
        throw std::runtime_error(
            "no free hugepages: run scripts/hugepages.sh (or pass "
            "--allow-no-huge for a functional run; numbers are then ~2.5x off)");
    args.insert(args.end(), {"-l", o.lcore});
    std::string error;
    if (!dataplane::init_eal(args, &error)) throw std::runtime_error(error);
    std::string joined;
    for (size_t i = 1; i < args.size(); ++i) {
        if (i > 1) joined += ' ';
        joined += args[i];
    }
    return joined;
}

std::string cpu_model() {
    std::ifstream f("/proc/cpuinfo");
    for (std::string line; std::getline(f, line);)
        if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
    return "unknown";
}

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    char b[32];
    std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return b;
}

// The roundtrip contenders: anti-replay off (the benchmark's SAs) and on (SAs of their own).
struct Roundtrips {
    Roundtrips(const Suite& s, uint32_t n, crypto::MbManager& mgr, const EspgwSas& plain,
               const std::string& tag)
        : replay_sas(s, n, mgr, tag + "_rt", kRoundtripWindow),
          off(plain, mgr),
          on(replay_sas, mgr) {}
    EspgwSas replay_sas;
    EspgwRoundtrip off, on;
};

// All implementations of one suite and SA count, every direction asked for.
struct Engines {
    Engines(const Options& o, const Suite& s, uint32_t n, CryptoDev& dev, crypto::MbManager& mgr,
            crypto::MbManager& floor_mgr)
        : tag(std::string(s.name) + "_" + std::to_string(n)),
          esas(s, n, mgr, tag),
          rsas(dev, s, n, tag),
          enc_mb(esas, crypto::BackendKind::kIpsecMb, mgr),
          enc_ossl(esas, crypto::BackendKind::kOpenSsl, mgr),
          enc_rte(rsas),
          enc_floor(esas, true, FloorApi::kJob, floor_mgr),
          enc_floor_direct(esas, true, FloorApi::kGcmDirect, floor_mgr),
          dec_mb(esas, crypto::BackendKind::kIpsecMb, mgr),
          dec_ossl(esas, crypto::BackendKind::kOpenSsl, mgr),
          dec_rte(rsas),
          dec_floor(esas, false, FloorApi::kJob, floor_mgr),
          dec_floor_direct(esas, false, FloorApi::kGcmDirect, floor_mgr) {
        if (contains(o.dirs, "roundtrip")) rt = std::make_unique<Roundtrips>(s, n, mgr, esas, tag);
    }

    std::string tag;
    EspgwSas esas;
    RteSas rsas;
    EspgwEncap enc_mb, enc_ossl;
    RteEncap enc_rte;
    FloorImpl enc_floor, enc_floor_direct;
    EspgwDecap dec_mb, dec_ossl;
    RteDecap dec_rte;
    FloorImpl dec_floor, dec_floor_direct;
    std::unique_ptr<Roundtrips> rt;
    NoopImpl noop;
};

GuardSet guard_set(Engines& e, const Suite& s) {
    GuardSet g;
    g.encaps = {{kEspgwMb, &e.enc_mb}, {kEspgwOssl, &e.enc_ossl}, {kRteIpsec, &e.enc_rte}};
    g.decaps = {{kEspgwMb, &e.dec_mb}, {kEspgwOssl, &e.dec_ossl}, {kRteIpsec, &e.dec_rte}};
    g.floors = {{kFloorJob, &e.dec_floor}};
    if (s.aead) g.floors.emplace_back(kFloorDirect, &e.dec_floor_direct);
    return g;
}

std::vector<Contender> contenders(const Options& o, Engines& e, const Suite& s,
                                  const std::string& dir, const PacketPool& pool) {
    std::vector<Contender> cs;
    const uint32_t cover = std::max(e.esas.size(), pool.period());
    auto add = [&](const char* name, Impl* impl) {
        if (contains(o.impls, name)) cs.push_back({name, impl, &pool, s.slow, cover});
    };
    if (dir == "roundtrip") {
        add(kEspgwMb, &e.rt->off);
        add(kEspgwMbReplay, &e.rt->on);
        add(kBaseline, &e.noop);
        return cs;
    }
    const bool encap = dir == "encap";
    add(kEspgwMb, encap ? static_cast<Impl*>(&e.enc_mb) : &e.dec_mb);
    add(kEspgwOssl, encap ? static_cast<Impl*>(&e.enc_ossl) : &e.dec_ossl);
    add(kFloorJob, encap ? &e.enc_floor : &e.dec_floor);
    if (s.aead) add(kFloorDirect, encap ? &e.enc_floor_direct : &e.dec_floor_direct);
    add(kRteIpsec, encap ? static_cast<Impl*>(&e.enc_rte) : &e.dec_rte);
    add(kBaseline, &e.noop);
    return cs;
}

void record_case(const Suite& s, const SizeClass& sc, uint32_t n, const std::string& dir,
                 const std::vector<Contender>& cs, std::vector<Record>& out) {
    const double hz = static_cast<double>(rte_get_tsc_hz());
    std::printf("%-16s %-5s N=%-5u %-5s", std::string(s.name).c_str(), std::string(sc.name).c_str(),
                n, dir.c_str());
    for (const Contender& c : cs) {
        if (c.lost != 0)
            throw std::runtime_error(c.name + " lost " + std::to_string(c.lost) +
                                     " packets during timing");
        Record r{c.name,
                 std::string(s.name),
                 std::string(sc.name),
                 dir,
                 n,
                 median(c.cycles),
                 0,
                 c.cycles,
                 c.bursts};
        r.mpps = hz / r.cycles_per_packet / 1e6;
        std::printf("  %s %.0f", c.name.c_str(), r.cycles_per_packet);
        out.push_back(std::move(r));
    }
    std::printf("\n");
    std::fflush(stdout);
}

void run_size(const Options& o, rte_mempool* mp, Engines& e, const Suite& s, uint32_t n,
              const SizeClass& sc, std::vector<Record>& out) {
    const PacketPool inner = inner_pool(sc);
    const PacketPool esp = build_esp_pool(mp, e.enc_mb, inner, n);
    check_cross(mp, s, inner, guard_set(e, s));
    for (const std::string& dir : o.dirs) {
        const bool decap = dir == "decap";
        std::vector<Contender> cs = contenders(o, e, s, dir, decap ? esp : inner);
        measure_case(mp, cs, o.timing);
        record_case(s, sc, n, dir, cs, out);
    }
}

int run(int argc, char** argv) {
    const auto start = std::chrono::steady_clock::now();
    Options o = parse(argc, argv);
    Meta meta;
    meta.eal_args = eal_start(o);
    rte_mempool* mp = rte_pktmbuf_pool_create(
        "bench_mbufs", 4095, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, static_cast<int>(rte_socket_id()));
    if (mp == nullptr) throw std::runtime_error("cannot create the mbuf pool");
    crypto::MbManager mgr, floor_mgr;
    const uint32_t max_sa = *std::max_element(o.sas.begin(), o.sas.end());
    CryptoDev dev(2 * max_sa + 64);
    std::vector<Record> recs;
    for (const std::string& sn : o.suites) {
        const Suite* s = find_suite(sn);
        if (s == nullptr) throw std::runtime_error("unknown suite " + sn);
        for (uint32_t n : o.sas) {
            auto e = std::make_unique<Engines>(o, *s, n, dev, mgr, floor_mgr);
            for (const std::string& zn : o.sizes) {
                const SizeClass* sc = find_size_class(zn);
                if (sc == nullptr) throw std::runtime_error("unknown size " + zn);
                run_size(o, mp, *e, *s, n, *sc, recs);
            }
        }
    }
    meta.command = o.invoked_as.empty() ? o.command : o.invoked_as;
    meta.date = utc_now();
    meta.engine_rev = o.engine_rev;
    meta.cpu = cpu_model();
    meta.ipsecmb_arch = std::string(mgr.arch_name());
    meta.ipsecmb_version = IMB_VERSION_STR;
    meta.dpdk_version = rte_version();
    meta.tsc_hz = static_cast<double>(rte_get_tsc_hz());
    meta.reps = o.timing.reps;
    meta.target_ms = o.timing.target_ms;
    meta.run_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    print_tables(recs);
    if (!o.json_path.empty()) write_json(o.json_path, meta, recs);
    if (!o.md_path.empty()) write_markdown(o.md_path, meta, recs);
    return 0;
}

}  // namespace
}  // namespace espgw::bench

int main(int argc, char** argv) {
    try {
        return espgw::bench::run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "espgw-esp-bench: FAILED: %s\n", e.what());
        return 1;
    }
}
