// espgw-dataplane: the DPDK primary process.
//
//   espgw-dataplane [EAL arguments] -- [--instance NAME] [--idle-backoff on|off]
//                   [--max-sas N] [--backend ipsec-mb|openssl]
//
// Every DPDK port the EAL created (physical NICs through vfio-pci, or virtual ones: net_pcap,
// net_af_packet, ...) is configured with one rx and tx queue per forwarding lcore. Worker lcores
// forward; the main lcore keeps house (rings to control, ARP/ICMP, stats) and forwards too when
// it is the only lcore. Nothing is forwarded before control applied a first full configuration.
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "dataplane/control_endpoint.h"
#include "dataplane/drops.h"
#include "dataplane/eal_setup.h"
#include "dataplane/neighbor_publish.h"
#include "dataplane/resource_publish.h"
#include "dataplane/services.h"
#include "dataplane/shm_files.h"
#include "dataplane/worker.h"

namespace espgw::dataplane {
namespace {

constexpr uint16_t kRxDesc = 1024, kTxDesc = 1024;

struct Options {
    std::string instance = "default";
    bool idle_backoff = true;
    uint32_t max_sas = 16384;
    uint32_t max_spd_rules = 16384;
    crypto::BackendKind backend = crypto::BackendKind::kIpsecMb;
};

std::atomic<bool>* g_stop = nullptr;

void on_signal(int) {
    if (g_stop != nullptr) g_stop->store(true);
}

// Bad option values are refused with the option's name, never guessed (a misspelt `of` must
// not mean "on") nor left to an exception.
bool parse_on_off(const std::string& v, bool* out, std::string* error) {
    if (v != "on" && v != "off") {
        *error = "--idle-backoff " + v + ": expected on or off";
        return false;
    }
    *out = v == "on";
    return true;
}

constexpr uint32_t kMaxSasLimit = 1u << 20;  // stats segment slots: ~700 MiB at the limit

bool parse_max_sas(const std::string& v, uint32_t* out, std::string* error) {
    uint32_t n = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || end != v.data() + v.size() || n == 0 || n > kMaxSasLimit) {
        *error = "--max-sas " + v + ": expected a number from 1 to " + std::to_string(kMaxSasLimit);
        return false;
    }
    *out = n;
    return true;
}

bool parse_options(int argc, char** argv, Options* o, std::string* error) {
    for (int i = 0; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_value = i + 1 < argc;
        if (a == "--instance" && has_value) {
            o->instance = argv[++i];
        } else if (a == "--idle-backoff" && has_value) {
            if (!parse_on_off(argv[++i], &o->idle_backoff, error)) return false;
        } else if (a == "--max-sas" && has_value) {
            if (!parse_max_sas(argv[++i], &o->max_sas, error)) return false;
        } else if (a == "--backend" && has_value) {
            const auto kind = crypto::backend_from_name(argv[++i]);
            if (!kind) {
                *error = std::string("unknown backend ") + argv[i] + " (ipsec-mb or openssl)";
                return false;
            }
            o->backend = *kind;
        } else {
            *error = "unknown option " + a;
            return false;
        }
    }
    return true;
}

bool setup_port(Dataplane& dp, uint16_t port, uint16_t queues, std::string* error) {
    rte_eth_dev_info info{};
    rte_eth_dev_info_get(port, &info);
    const uint16_t rxq = std::min<uint16_t>(queues, info.max_rx_queues);
    const uint16_t txq = std::min<uint16_t>(queues, info.max_tx_queues);
    rte_eth_conf conf{};
    if (rxq > 1 && info.flow_type_rss_offloads != 0) {
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IP & info.flow_type_rss_offloads;
    }
    const int socket = rte_eth_dev_socket_id(port);
    bool ok = rte_eth_dev_configure(port, rxq, txq, &conf) == 0;
    for (uint16_t q = 0; ok && q < rxq; ++q)
        ok = rte_eth_rx_queue_setup(port, q, kRxDesc, socket, nullptr, dp.pool) == 0;
    for (uint16_t q = 0; ok && q < txq; ++q)
        ok = rte_eth_tx_queue_setup(port, q, kTxDesc, socket, nullptr) == 0;
    ok = ok && rte_eth_dev_start(port) == 0;
    if (!ok) {
        *error = "cannot start DPDK port " + std::to_string(port);
        return false;
    }
    rte_eth_promiscuous_enable(port);
    rte_eth_macaddr_get(port, &dp.macs[port]);
    dp.txq[port] = std::min<uint16_t>(txq, 16);
    dp.tx_shared[port] = dp.lcores.size() > dp.txq[port];
    for (auto& l : dp.tx_lock[port])
        rte_spinlock_init(&l);
    // An rx queue has one reader: with fewer queues than workers, the extra workers do not
    // poll this port (they still forward what is handed to them).
    for (uint16_t w = 0; w < dp.lcores.size() && w < rxq; ++w)
        dp.worker(w).rx.emplace_back(port, w);
    return true;
}

rte_ring* make_ring(const std::string& name, unsigned esize, unsigned count, unsigned flags) {
    return rte_ring_create_elem(name.c_str(), esize, count, static_cast<int>(rte_socket_id()),
                                flags);
}

bool setup_lcore(Dataplane& dp, LcoreCtx& c, std::string* error) {
    const std::string id = std::to_string(c.index);
    c.handoff_in = make_ring("hand" + id, sizeof(Handoff), 1024, RING_F_SC_DEQ);
    c.to_main = make_ring("tomain" + id, sizeof(ToMain), 4096, RING_F_SP_ENQ | RING_F_SC_DEQ);
    c.from_main = make_ring("frmain" + id, sizeof(ToWorker), 1024, RING_F_SP_ENQ | RING_F_SC_DEQ);
    const uint64_t timeout = rte_get_tsc_hz() * 2;  // reassembly gives up after 2 s
    c.frag_tbl =
        rte_ip_frag_table_create(1024, 8, 8192, timeout, static_cast<int>(rte_socket_id()));
    c.stats = dp.stats.lcore(c.index);
    c.stats->lcore_id = c.lcore_id;
    c.stats->active = 1;
    c.stats->is_main = c.is_main;
    c.spd_hits = dp.stats.spd_hits(c.index);
    if (c.handoff_in && c.to_main && c.from_main && c.frag_tbl) return true;
    *error = "cannot create the rings or reassembly table of lcore " + std::to_string(c.lcore_id);
    return false;
}

bool setup_lcores(Dataplane& dp, crypto::BackendKind backend, std::string* error) {
    std::vector<unsigned> ids;
    unsigned l;
    RTE_LCORE_FOREACH_WORKER(l) ids.push_back(l);
    const bool main_forwards = ids.empty();
    if (main_forwards) ids.push_back(rte_get_main_lcore());
    for (unsigned lcore : ids) {
        auto mgr = std::make_unique<crypto::MbManager>();
        auto c = std::make_unique<LcoreCtx>(backend, *mgr);
        c->own_mgr = std::move(mgr);
        c->lcore_id = lcore;
        c->index = static_cast<uint16_t>(dp.lcores.size());
        c->is_main = main_forwards;
        dp.index_of_lcore[lcore] = static_cast<int16_t>(c->index);
        c->esp.drop_sampler = sample_drop;
        c->esp.drop_sampler_user = c.get();
        if (!setup_lcore(dp, *c, error)) return false;
        dp.lcores.push_back(std::move(c));
    }
    const size_t sz = rte_rcu_qsbr_get_memsize(static_cast<uint32_t>(dp.lcores.size()));
    dp.rcu = static_cast<rte_rcu_qsbr*>(rte_zmalloc("rcu", sz, RTE_CACHE_LINE_SIZE));
    rte_rcu_qsbr_init(dp.rcu, static_cast<uint32_t>(dp.lcores.size()));
    for (uint16_t w = 0; w < dp.lcores.size(); ++w)
        rte_rcu_qsbr_thread_register(dp.rcu, w);
    return true;
}

bool setup_tables(Dataplane& dp, const Options& o, std::string* error) {
    dp.sas =
        std::make_unique<SaTable>(o.max_sas, dp.stats, static_cast<int>(rte_socket_id()), dp.rcu);
    dp.routes = RouteTable::create("routes", static_cast<int>(rte_socket_id()), dp.rcu, error);
    dp.neighbors =
        NeighborTable::create("neighbors", static_cast<int>(rte_socket_id()), 8192, dp.rcu, error);
    return dp.routes && dp.neighbors;
}

void update_port_stats(Dataplane& dp) {
    for (uint16_t p = 0; p < dp.n_ports && p < kMaxPorts; ++p) {
        rte_eth_stats st{};
        if (rte_eth_stats_get(p, &st) != 0) continue;
        sadb::PortStats* s = dp.stats.port(p);
        sadb::seq_write_begin(&s->seq);
        s->port = p;
        s->active = 1;
        s->rx_packets = st.ipackets;
        s->rx_bytes = st.ibytes;
        s->tx_packets = st.opackets;
        s->tx_bytes = st.obytes;
        s->rx_errors = st.ierrors;
        s->tx_errors = st.oerrors;
        s->rx_missed = st.imissed;
        s->rx_nombuf = st.rx_nombuf;
        rte_eth_dev_get_name_by_port(p, s->name);
        sadb::seq_write_end(&s->seq);
    }
}

// The ARP cache for `show arp` (the CLI cannot read the dataplane's hash table).
void publish_tables(Dataplane& dp) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    publish_neighbors(*dp.neighbors, dp.stats, rte_get_tsc_cycles(), rte_get_tsc_hz(),
                      static_cast<uint64_t>(now / std::chrono::nanoseconds(1)));
}

// Drains what the workers passed to the main lcore.
uint32_t drain_workers(Dataplane& dp, ServicesCtx& svc, ControlEndpoint& ep) {
    uint32_t total = 0;
    svc.policy = dp.current();
    for (auto& c : dp.lcores) {
        ToMain items[64];
        const unsigned n =
            rte_ring_dequeue_burst_elem(c->to_main, items, sizeof(ToMain), 64, nullptr);
        for (unsigned k = 0; k < n; ++k) {
            const ToMain::Kind kind = items[k].kind;
            if (kind == ToMain::kSaEvent || kind == ToMain::kAcquire ||
                kind == ToMain::kDropSample) {
                ep.forward(items[k]);
            } else if (svc.policy != nullptr) {
                service(svc, items[k]);
            } else if (items[k].m != nullptr) {
                rte_pktmbuf_free(items[k].m);
            }
        }
        total += n;
    }
    return total;
}

void main_loop(Dataplane& dp, ControlEndpoint& ep, ServicesCtx& svc, bool main_forwards) {
    sadb::LcoreStats* mine = main_forwards ? dp.worker(0).stats : dp.stats.lcore(dp.lcores.size());
    mine->lcore_id = rte_get_main_lcore();
    mine->is_main = 1;
    mine->active = 1;
    uint64_t next_stats = 0;
    uint32_t idle = 0;
    if (main_forwards) rte_rcu_qsbr_thread_online(dp.rcu, 0);
    while (!dp.stop.load()) {
        uint32_t done = ep.poll();
        if (main_forwards) done += worker_poll(dp.worker(0), dp);
        sadb::stats_write_begin(mine);
        done += drain_workers(dp, svc, ep);
        sadb::stats_write_end(mine);
        if (main_forwards) rte_rcu_qsbr_quiescent(dp.rcu, 0);
        if (rte_get_tsc_cycles() > next_stats) {
            update_port_stats(dp);
            publish_tables(dp);
            publish_resources(dp, ep.ring_region(), ep.events_lost());
            age_path_mtus(svc, rte_get_tsc_cycles());
            next_stats = rte_get_tsc_cycles() + rte_get_tsc_hz();
        }
        if (done != 0) {
            idle = 0;
        } else if (dp.idle_backoff || !main_forwards) {
            idle_backoff(&idle);
        }
    }
    if (main_forwards) rte_rcu_qsbr_thread_offline(dp.rcu, 0);
}

void shutdown_ports(Dataplane& dp) {
    for (uint16_t p = 0; p < dp.n_ports; ++p) {
        rte_eth_dev_stop(p);
        rte_eth_dev_close(p);  // net_pcap writes its output file here
    }
}

// The shared memory other processes meet the dataplane in: the stats segment (counters, read
// by the CLI and the exporter) and the two rings to and from control.
bool open_shared_memory(Dataplane& dp, const Options& opt, ShmFile* stats, ShmFile* ring,
                        std::string* error) {
    const uint32_t max_lcores = RTE_MAX_LCORE < 128 ? RTE_MAX_LCORE : 128;
    const sadb::StatsLayout layout{max_lcores, kMaxPorts, opt.max_sas, opt.max_spd_rules};
    *stats = create_stats_segment(opt.instance, layout, error);
    if (!stats->valid()) return false;
    *ring = create_ring_region(opt.instance, error);
    if (!ring->valid()) return false;
    dp.stats.base = static_cast<uint8_t*>(stats->base());
    return true;
}

// Mbuf pool, lcores, tables and ports; nothing forwards yet.
bool set_up(Dataplane& dp, const Options& opt, std::string* error) {
    dp.n_ports = static_cast<uint16_t>(std::min<unsigned>(rte_eth_dev_count_avail(), kMaxPorts));
    dp.pool = rte_pktmbuf_pool_create("espgw_pool", 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                      static_cast<int>(rte_socket_id()));
    bool ok =
        dp.pool != nullptr && setup_lcores(dp, opt.backend, error) && setup_tables(dp, opt, error);
    for (uint16_t p = 0; ok && p < dp.n_ports; ++p)
        ok = setup_port(dp, p, static_cast<uint16_t>(dp.lcores.size()), error);
    return ok;
}

// The main lcore's services (ARP, ICMP, PMTU); it transmits through worker 0's ring, or
// forwards itself when it is the only lcore.
void set_up_services(Dataplane& dp, bool main_forwards, ServicesCtx& svc) {
    svc.neighbors = dp.neighbors.get();
    svc.sas = dp.sas.get();
    svc.stats = &dp.stats;
    svc.pool = dp.pool;
    svc.out = dp.worker(0).from_main;
    svc.drops = &(main_forwards ? dp.worker(0).stats : dp.stats.lcore(dp.lcores.size()))->drops;
    svc.pmtu_age_tsc = rte_get_tsc_hz() * 600;  // RFC 1191 §6.3: 10 minutes
}

void launch_workers(Dataplane& dp, std::vector<WorkerArgs>& args) {
    args.resize(dp.lcores.size());
    for (uint16_t w = 0; w < dp.lcores.size(); ++w) {
        args[w] = {&dp.worker(w), &dp};
        rte_eal_remote_launch(worker_main, &args[w], dp.worker(w).lcore_id);
    }
}

int fail(const std::string& error, const char* fallback, int status) {
    std::fprintf(stderr, "espgw-dataplane: %s\n", error.empty() ? fallback : error.c_str());
    return status;
}

int run(int argc, char** argv) {
    const int eal_args = rte_eal_init(argc, argv);
    if (eal_args < 0) return fail("", "EAL initialisation failed", 1);
    Options opt;
    std::string error;
    if (!parse_options(argc - eal_args - 1, argv + eal_args + 1, &opt, &error))
        return fail(error, "bad options", 2);
    Dataplane dp;
    dp.instance = opt.instance;
    dp.idle_backoff = opt.idle_backoff;
    g_stop = &dp.stop;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGHUP, SIG_IGN);
    ShmFile stats, ring;
    if (!open_shared_memory(dp, opt, &stats, &ring, &error)) return fail(error, "shm", 1);
    if (!set_up(dp, opt, &error)) return fail(error, "set-up failed", 1);
    const bool main_forwards = dp.lcores.size() == 1 && dp.worker(0).is_main;
    crypto::MbManager main_mgr;
    ServicesCtx svc;
    set_up_services(dp, main_forwards, svc);
    ControlEndpoint ep(dp, ring.base(), main_mgr, main_forwards, svc);
    svc.punt_to_control = [&ep](rte_mbuf* m) { return ep.punt_packet(m); };
    std::fprintf(stderr,
                 "espgw-dataplane: instance %s, %u port(s), %zu forwarding lcore(s), "
                 "intel-ipsec-mb %s; waiting for control\n",
                 opt.instance.c_str(), dp.n_ports, dp.lcores.size(), main_mgr.arch_name().data());
    std::vector<WorkerArgs> args;
    if (!main_forwards) launch_workers(dp, args);
    main_loop(dp, ep, svc, main_forwards);
    rte_eal_mp_wait_lcore();
    shutdown_ports(dp);
    std::fprintf(stderr, "espgw-dataplane: stopped\n");
    return 0;
}

}  // namespace
}  // namespace espgw::dataplane

int main(int argc, char** argv) {
    return espgw::dataplane::run(argc, argv);
}
