// The main lcore's side of packet capture (`espgw monitor capture`, relayed by control over the
// ring): starts a capture (the file, mode 0600; a capture mempool and ring; the session
// published to every lcore), drains the lcores' copies into the file with
// rte_pcapng_write_packets, enforces the packet and byte limits, and stops (unpublish, RCU grace
// period, drain, close). Remembers how recent captures ended for `show monitor capture`.
//
// One capture runs at a time; every capture is bounded (kDefault* limits when the request says
// 0). Nothing here runs on a forwarding lcore.
#pragma once

#include <rte_pcapng.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/capture.h"
#include "dataplane/dataplane.h"
#include "sadb/wire.h"

namespace espgw::dataplane {

inline constexpr uint64_t kDefaultCapturePackets = 10000;
inline constexpr uint64_t kDefaultCaptureBytes = 64ull << 20;
inline constexpr uint32_t kDefaultSnaplen = 9216;  // jumbo frames and reassembled ESP whole
inline constexpr uint32_t kMinSnaplen = 64;
inline constexpr uint32_t kMaxSnaplen = 65000;      // a block must fit one mbuf (16-bit data room)
inline constexpr uint64_t kMinCaptureBytes = 4096;  // room for the header blocks and a packet
inline constexpr size_t kCapturesRemembered = 16;

class CaptureWriter {
  public:
    // `synchronize` returns once every forwarding lcore passed a quiescent point.
    CaptureWriter(Dataplane& dp, std::function<void()> synchronize);
    ~CaptureWriter();  // a running capture ends with kShutdown
    CaptureWriter(const CaptureWriter&) = delete;
    CaptureWriter& operator=(const CaptureWriter&) = delete;

    // Each returns the kCaptureStatus bodies answering the request.
    std::vector<sadb::wire::CaptureStatus> start(const sadb::wire::CaptureStart& req);
    std::vector<sadb::wire::CaptureStatus> stop(const sadb::wire::CaptureRef& req);
    std::vector<sadb::wire::CaptureStatus> query(const sadb::wire::CaptureRef& req) const;

    // Writes what the lcores copied; returns how many copies it took. A capture that reaches a
    // limit or cannot write stops here, and its final status is put in `ended`.
    uint32_t poll(std::optional<sadb::wire::CaptureStatus>* ended);

    bool running() const { return session_ != nullptr; }

  private:
    struct Record {
        sadb::wire::CaptureStart cfg{};
        sadb::wire::CaptureState state = sadb::wire::CaptureState::kNone;
        sadb::wire::CaptureStopReason reason = sadb::wire::CaptureStopReason::kNone;
        uint64_t packets = 0, bytes = 0, lost = 0;
        uint64_t started_ns = 0, stopped_ns = 0;
        std::string error;
    };

    std::string check(const sadb::wire::CaptureStart& req) const;
    bool open_file(const std::string& path, int* fd, std::string* error) const;
    bool create_session(const sadb::wire::CaptureStart& cfg, std::string* error);
    void publish(CaptureSession* s);
    sadb::wire::CaptureStopReason write_copies(rte_mbuf** copies, unsigned n);
    uint32_t drain(bool* stop, sadb::wire::CaptureStopReason* why);
    void finish(sadb::wire::CaptureStopReason why);
    void destroy_session();
    uint64_t lost_now() const;
    Record& remember(const sadb::wire::CaptureStart& cfg);
    const Record* find(const char* name) const;
    sadb::wire::CaptureStatus status_of(const Record& r, uint32_t request_id) const;

    Dataplane& dp_;
    std::function<void()> synchronize_;
    std::unique_ptr<CaptureSession> session_;
    rte_pcapng_t* file_ = nullptr;
    Record* active_ = nullptr;
    std::vector<std::unique_ptr<Record>> records_;  // oldest first
    uint32_t serial_ = 0;                           // unique pool and ring names
};

}  // namespace espgw::dataplane
