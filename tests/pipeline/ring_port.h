// Test plumbing shared by the in-process pipeline tests (inprocess_gateway.h,
// reconfigure_test.cc): DPDK ports on two rte_rings (net_ring), and freeing what an lcore
// context owns.
#pragma once

#include <gtest/gtest.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip_frag.h>
#include <rte_ring.h>

#include <string>
#include <vector>

#include "dataplane/dataplane.h"
#include "tests/unit/burst_bytes.h"

namespace espgw::dataplane::test_ports {

// The test enqueues received frames on `rx` and dequeues transmitted ones from `tx`.
struct RingPort {
    uint16_t id = 0;
    rte_ring* rx = nullptr;
    rte_ring* tx = nullptr;
};

// A started port with one rx and one tx queue; `name` is unique per process. Failures are
// recorded as gtest failures.
inline RingPort open_ring_port(const std::string& name, unsigned rx_size, unsigned tx_size,
                               rte_mempool* pool) {
    RingPort p;
    p.rx = rte_ring_create((name + "rx").c_str(), rx_size, SOCKET_ID_ANY,
                           RING_F_SP_ENQ | RING_F_SC_DEQ);
    p.tx = rte_ring_create((name + "tx").c_str(), tx_size, SOCKET_ID_ANY,
                           RING_F_SP_ENQ | RING_F_SC_DEQ);
    EXPECT_TRUE(p.rx && p.tx);
    const int id = rte_eth_from_rings(name.c_str(), &p.rx, 1, &p.tx, 1, 0);
    EXPECT_GE(id, 0);
    p.id = static_cast<uint16_t>(id);
    EXPECT_LT(p.id, kMaxPorts);
    rte_eth_conf conf{};
    EXPECT_EQ(rte_eth_dev_configure(p.id, 1, 1, &conf), 0);
    EXPECT_EQ(rte_eth_rx_queue_setup(p.id, 0, rx_size, SOCKET_ID_ANY, nullptr, pool), 0);
    EXPECT_EQ(rte_eth_tx_queue_setup(p.id, 0, tx_size, SOCKET_ID_ANY, nullptr), 0);
    EXPECT_EQ(rte_eth_dev_start(p.id), 0);
    return p;
}

// What the port transmitted (freed).
inline std::vector<test_util::Bytes> transmitted(const RingPort& p) {
    std::vector<test_util::Bytes> out;
    void* m = nullptr;
    while (rte_ring_dequeue(p.tx, &m) == 0) {
        out.push_back(test_util::bytes_of(static_cast<rte_mbuf*>(m)));
        rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
    }
    return out;
}

// Stops and closes the port and frees its rings (empty them first).
inline void close_ring_port(const RingPort& p) {
    rte_eth_dev_stop(p.id);
    rte_eth_dev_close(p.id);
    rte_ring_free(p.rx);
    rte_ring_free(p.tx);
}

// The rings and reassembly table an lcore context owns (empty the rings first).
inline void free_lcore_rings(LcoreCtx& c) {
    rte_ring_free(c.handoff_in);
    rte_ring_free(c.to_main);
    rte_ring_free(c.from_main);
    rte_ip_frag_table_destroy(c.frag_tbl);
}

}  // namespace espgw::dataplane::test_ports
