// Packet capture on the forwarding lcores (`espgw monitor capture`). While a capture runs, the
// stages hand matching packets to it: an lcore copies each one into a pcapng Enhanced Packet
// Block (rte_pcapng_copy into the capture's own mempool) and enqueues the copy on a ring that
// the main lcore drains into the file (capture_writer.h). A full ring or an empty capture pool
// loses the copy (counted per lcore), never the packet.
//
// Capture points (one hook per burst, a single predictable branch while no capture runs):
//   interface  rx: frames as received (worker poll); tx: frames as sent (transmit)
//   sa         ESP packets of the SA entering decap / leaving encap; with `inner` also its
//              clear packets after decap / before encap
//   drops      every packet the pipeline frees as dropped, its reason label as the packet's
//              comment (drops counted without a packet, e.g. tx queue full, are not captured)
// The file holds Ethernet frames only (the interfaces rte_pcapng_fdopen declares): packets
// captured inside the pipeline, where data starts at the IP header, get a synthetic Ethernet
// header with zero addresses.
#pragma once

#include <rte_branch_prediction.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <atomic>
#include <memory>

#include "dataplane/capture_block.h"
#include "dataplane/dataplane.h"
#include "dataplane/esp_burst.h"
#include "sadb/wire.h"

namespace espgw::dataplane {

// What the lcores see of a running capture: built whole by the main lcore, published in every
// LcoreCtx::capture, and freed only after an RCU grace period once unpublished.
struct CaptureSession {
    struct alignas(64) Lane {  // one per forwarding lcore, written by that lcore only
        uint64_t copied = 0;
        uint64_t lost = 0;
    };
    sadb::wire::CaptureStart cfg{};
    rte_mempool* pool = nullptr;  // pcapng block copies
    rte_ring* ring = nullptr;     // multi-producer, single consumer (the main lcore)
    CaptureClock clock;
    uint16_t n_ports = 0;
    std::unique_ptr<Lane[]> lanes;  // by worker index
};

// The slow paths (capture.cc), entered only while a capture runs.
void capture_port_burst(CaptureSession& s, LcoreCtx& c, uint16_t port, rte_mbuf* const* pkts,
                        uint16_t n, uint8_t dir);
void capture_esp_burst(CaptureSession& s, LcoreCtx& c, const EspBurst& b, uint8_t dir);
void capture_clear_burst(CaptureSession& s, LcoreCtx& c, const EspBurst& b, uint8_t dir);
void capture_dropped(CaptureSession& s, LcoreCtx& c, rte_mbuf* m, sadb::DropReason r,
                     const sadb::SaRuntime* sa, bool l2);

inline CaptureSession* capture_session(const LcoreCtx& c) {
    return c.capture.load(std::memory_order_acquire);
}

// Frames received on `port` (Ethernet header still on).
inline void capture_rx(LcoreCtx& c, uint16_t port, rte_mbuf* const* pkts, uint16_t n) {
    if (CaptureSession* s = capture_session(c); unlikely(s != nullptr))
        capture_port_burst(*s, c, port, pkts, n, sadb::wire::kCaptureIn);
}

// Frames about to be sent on `port`.
inline void capture_tx(LcoreCtx& c, uint16_t port, rte_mbuf* const* pkts, uint16_t n) {
    if (CaptureSession* s = capture_session(c); unlikely(s != nullptr))
        capture_port_burst(*s, c, port, pkts, n, sadb::wire::kCaptureOut);
}

// ESP packets: entering decap (dir kCaptureIn, SAs from the SPI lookup) or leaving encap
// (kCaptureOut).
inline void capture_esp(LcoreCtx& c, const EspBurst& b, uint8_t dir) {
    if (CaptureSession* s = capture_session(c); unlikely(s != nullptr))
        capture_esp_burst(*s, c, b, dir);
}

// Clear packets of an SA: after decap (kCaptureIn) or before encap (kCaptureOut).
inline void capture_clear(LcoreCtx& c, const EspBurst& b, uint8_t dir) {
    if (CaptureSession* s = capture_session(c); unlikely(s != nullptr))
        capture_clear_burst(*s, c, b, dir);
}

// A dropped packet, data at the IP header (`l2`: still at the Ethernet header).
inline void capture_drop(LcoreCtx& c, rte_mbuf* m, sadb::DropReason r, const sadb::SaRuntime* sa,
                         bool l2) {
    if (CaptureSession* s = capture_session(c); unlikely(s != nullptr))
        capture_dropped(*s, c, m, r, sa, l2);
}

}  // namespace espgw::dataplane
