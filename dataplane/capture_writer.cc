#include "dataplane/capture_writer.h"

#include <fcntl.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace espgw::dataplane {
namespace {

namespace wire = sadb::wire;

constexpr unsigned kRingSlots = 2048;
constexpr size_t kPoolBudget = 8u << 20;  // bytes of capture copies in flight
constexpr unsigned kPoolMin = 255, kPoolMax = 2047;
constexpr unsigned kDrainBursts = 8;  // per poll: the main lcore has other work too

using wire::text_of;

template <size_t N>
void copy_text(char (&field)[N], const std::string& s) {
    std::memset(field, 0, N);
    std::memcpy(field, s.data(), std::min(s.size(), N - 1));
}

uint64_t wall_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Fills the defaults a request leaves at 0: every capture is bounded.
wire::CaptureStart with_defaults(wire::CaptureStart c) {
    if (c.snaplen == 0) c.snaplen = kDefaultSnaplen;
    if (c.limit_packets == 0) c.limit_packets = kDefaultCapturePackets;
    if (c.limit_bytes == 0) c.limit_bytes = kDefaultCaptureBytes;
    c.name[sizeof c.name - 1] = '\0';
    c.iface[sizeof c.iface - 1] = '\0';
    c.path[sizeof c.path - 1] = '\0';
    return c;
}

uint16_t data_room(uint32_t snaplen) {
    return static_cast<uint16_t>(RTE_PKTMBUF_HEADROOM + rte_pcapng_mbuf_size(snaplen) +
                                 kCaptureCommentRoom);
}

unsigned pool_size(uint16_t room) {
    const size_t n = kPoolBudget / (room + sizeof(rte_mbuf));
    return static_cast<unsigned>(std::clamp<size_t>(n, kPoolMin, kPoolMax));
}

std::string scope_text(const wire::CaptureStart& c) {
    switch (c.scope) {
        case wire::CaptureScope::kInterface:
            return "interface " + text_of(c.iface);
        case wire::CaptureScope::kSa:
            return "sa spi " + std::to_string(c.spi);
        case wire::CaptureScope::kDrops:
            return "drops";
    }
    return "?";
}

}  // namespace

CaptureWriter::CaptureWriter(Dataplane& dp, std::function<void()> synchronize)
    : dp_(dp), synchronize_(std::move(synchronize)) {}

CaptureWriter::~CaptureWriter() {
    if (running()) finish(wire::CaptureStopReason::kShutdown);
}

std::string CaptureWriter::check(const wire::CaptureStart& c) const {
    const std::string name = text_of(c.name);
    if (name.empty()) return "a capture needs a name";
    if (running()) {
        const std::string other = text_of(active_->cfg.name);
        return other == name ? "capture " + name + " is already running"
                             : "capture " + other + " is running; stop it first (one at a time)";
    }
    if (c.scope == wire::CaptureScope::kInterface && c.port >= dp_.n_ports)
        return "no DPDK port " + std::to_string(c.port);
    if (c.scope == wire::CaptureScope::kInterface &&
        (c.dir & (wire::kCaptureIn | wire::kCaptureOut)) == 0)
        return "interface capture without a direction";
    if (c.snaplen < kMinSnaplen || c.snaplen > kMaxSnaplen)
        return "snaplen " + std::to_string(c.snaplen) + " out of range " +
               std::to_string(kMinSnaplen) + "-" + std::to_string(kMaxSnaplen);
    if (c.limit_bytes < kMinCaptureBytes)
        return "limit bytes " + std::to_string(c.limit_bytes) + " is below " +
               std::to_string(kMinCaptureBytes);
    if (c.path[0] != '/') return "file " + text_of(c.path) + ": not an absolute path";
    return {};
}

// The file is root's (the dataplane runs as root): created 0600, never through a symbolic
// link, and only a regular file is overwritten.
bool CaptureWriter::open_file(const std::string& path, int* fd, std::string* error) const {
    *fd = open(path.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    struct stat st {};
    if (*fd >= 0 && fstat(*fd, &st) == 0 && !S_ISREG(st.st_mode)) {
        close(*fd);
        *error = "cannot write " + path + ": not a regular file";
        return false;
    }
    if (*fd < 0 || ftruncate(*fd, 0) != 0 || fchmod(*fd, 0600) != 0) {
        *error = "cannot write " + path + ": " + std::strerror(errno);
        if (*fd >= 0) close(*fd);
        return false;
    }
    return true;
}

bool CaptureWriter::create_session(const wire::CaptureStart& cfg, std::string* error) {
    auto s = std::make_unique<CaptureSession>();
    s->cfg = cfg;
    s->n_ports = dp_.n_ports;
    s->lanes = std::make_unique<CaptureSession::Lane[]>(dp_.lcores.size());
    const std::string id = std::to_string(++serial_);
    const uint16_t room = data_room(cfg.snaplen);
    s->pool = rte_pktmbuf_pool_create(("capture" + id).c_str(), pool_size(room), 64, 0, room,
                                      static_cast<int>(rte_socket_id()));
    s->ring = rte_ring_create(("capring" + id).c_str(), kRingSlots,
                              static_cast<int>(rte_socket_id()), RING_F_SC_DEQ);
    if (s->pool == nullptr || s->ring == nullptr) {
        *error = std::string("no memory for the capture buffers: ") + rte_strerror(rte_errno);
        rte_mempool_free(s->pool);
        rte_ring_free(s->ring);
        return false;
    }
    s->clock = CaptureClock::now();
    session_ = std::move(s);
    return true;
}

void CaptureWriter::publish(CaptureSession* s) {
    for (auto& c : dp_.lcores)
        c->capture.store(s, std::memory_order_release);
}

std::vector<wire::CaptureStatus> CaptureWriter::start(const wire::CaptureStart& req) {
    const wire::CaptureStart cfg = with_defaults(req);
    wire::CaptureStatus fail{};
    fail.request_id = req.request_id;
    fail.config = cfg;
    fail.count = 1;
    const std::string bad = check(cfg);
    if (!bad.empty()) {
        fail.result =
            running() ? wire::CaptureResult::kAlreadyRunning : wire::CaptureResult::kBadRequest;
        copy_text(fail.error, bad);
        return {fail};
    }
    int fd = -1;
    std::string error;
    if (!open_file(cfg.path, &fd, &error)) {
        fail.result = wire::CaptureResult::kFileError;
        copy_text(fail.error, error);
        return {fail};
    }
    if (!create_session(cfg, &error)) {
        close(fd);
        fail.result = wire::CaptureResult::kNoResources;
        copy_text(fail.error, error);
        return {fail};
    }
    const std::string comment =
        "espgw monitor capture " + text_of(cfg.name) + ": " + scope_text(cfg);
    file_ = rte_pcapng_fdopen(fd, "Linux", nullptr, "espgw-dataplane", comment.c_str());
    if (file_ == nullptr) {
        close(fd);
        destroy_session();
        fail.result = wire::CaptureResult::kFileError;
        copy_text(fail.error, "cannot write " + text_of(cfg.path) + ": pcapng header failed");
        return {fail};
    }
    Record& r = remember(cfg);
    r.bytes = static_cast<uint64_t>(std::max<off_t>(lseek(fd, 0, SEEK_CUR), 0));
    active_ = &r;
    publish(session_.get());
    return {status_of(r, req.request_id)};
}

// Keeps at most kCapturesRemembered records; a new capture replaces one of the same name.
CaptureWriter::Record& CaptureWriter::remember(const wire::CaptureStart& cfg) {
    const std::string name = text_of(cfg.name);
    std::erase_if(records_, [&](const auto& r) { return text_of(r->cfg.name) == name; });
    if (records_.size() >= kCapturesRemembered) records_.erase(records_.begin());
    auto r = std::make_unique<Record>();
    r->cfg = cfg;
    r->state = wire::CaptureState::kRunning;
    r->started_ns = session_->clock.ns0;
    records_.push_back(std::move(r));
    return *records_.back();
}

const CaptureWriter::Record* CaptureWriter::find(const char* name) const {
    for (const auto& r : records_)
        if (std::strncmp(r->cfg.name, name, sizeof r->cfg.name) == 0) return r.get();
    return nullptr;
}

// Writes copies while they fit the limits; the rest are freed unwritten.
wire::CaptureStopReason CaptureWriter::write_copies(rte_mbuf** copies, unsigned n) {
    Record& r = *active_;
    auto why = wire::CaptureStopReason::kNone;
    unsigned keep = 0;
    uint64_t bytes = 0;
    for (; keep < n; ++keep) {
        if (r.packets + keep >= r.cfg.limit_packets) {
            why = wire::CaptureStopReason::kPacketLimit;
            break;
        }
        if (r.bytes + bytes + copies[keep]->data_len > r.cfg.limit_bytes) {
            why = wire::CaptureStopReason::kByteLimit;
            break;
        }
        bytes += copies[keep]->data_len;
    }
    if (keep != 0) {
        const ssize_t w = rte_pcapng_write_packets(file_, copies, static_cast<uint16_t>(keep));
        if (w < 0) {
            r.error =
                std::string("cannot write ") + text_of(r.cfg.path) + ": " + rte_strerror(rte_errno);
            why = wire::CaptureStopReason::kWriteError;
        } else {
            r.packets += keep;
            r.bytes += static_cast<uint64_t>(w);
        }
    }
    if (why == wire::CaptureStopReason::kNone && r.packets >= r.cfg.limit_packets)
        why = wire::CaptureStopReason::kPacketLimit;
    rte_pktmbuf_free_bulk(copies, n);
    return why;
}

// Takes what the lcores queued; once a limit is reached the rest is only freed.
uint32_t CaptureWriter::drain(bool* stop, wire::CaptureStopReason* why) {
    uint32_t total = 0;
    rte_mbuf* copies[kMaxBurst];
    for (unsigned b = 0; b < kDrainBursts; ++b) {
        const unsigned n = rte_ring_sc_dequeue_burst(
            session_->ring, reinterpret_cast<void**>(copies), kMaxBurst, nullptr);
        if (n == 0) break;
        total += n;
        if (*stop) {
            rte_pktmbuf_free_bulk(copies, n);
            continue;
        }
        const wire::CaptureStopReason w = write_copies(copies, n);
        if (w != wire::CaptureStopReason::kNone) {
            *stop = true;
            *why = w;
        }
    }
    return total;
}

uint32_t CaptureWriter::poll(std::optional<wire::CaptureStatus>* ended) {
    if (!running()) return 0;
    bool stop = false;
    auto why = wire::CaptureStopReason::kNone;
    const uint32_t n = drain(&stop, &why);
    if (stop) {
        const Record* r = active_;
        finish(why);
        *ended = status_of(*r, 0);
    }
    return n;
}

// Unpublishes the session, waits until no lcore can still be copying, writes (or, past a
// limit, frees) what they queued, then closes the file and frees the capture buffers.
void CaptureWriter::finish(wire::CaptureStopReason why) {
    publish(nullptr);
    synchronize_();
    bool stop = why != wire::CaptureStopReason::kUser && why != wire::CaptureStopReason::kShutdown;
    auto late = wire::CaptureStopReason::kNone;
    while (drain(&stop, &late) != 0) {
    }
    Record& r = *active_;
    r.lost = lost_now();
    r.state = wire::CaptureState::kStopped;
    r.reason = late == wire::CaptureStopReason::kNone ? why : late;
    r.stopped_ns = wall_ns();
    rte_pcapng_close(file_);  // closes the descriptor too
    file_ = nullptr;
    active_ = nullptr;
    destroy_session();
}

void CaptureWriter::destroy_session() {
    rte_ring_free(session_->ring);
    rte_mempool_free(session_->pool);
    session_.reset();
}

uint64_t CaptureWriter::lost_now() const {
    uint64_t lost = 0;
    for (size_t k = 0; k < dp_.lcores.size(); ++k)
        lost += __atomic_load_n(&session_->lanes[k].lost, __ATOMIC_RELAXED);
    return lost;
}

std::vector<wire::CaptureStatus> CaptureWriter::stop(const wire::CaptureRef& req) {
    const Record* r = find(req.name);
    if (r == nullptr) return query(req);
    if (r == active_) finish(wire::CaptureStopReason::kUser);
    return {status_of(*r, req.request_id)};
}

std::vector<wire::CaptureStatus> CaptureWriter::query(const wire::CaptureRef& req) const {
    std::vector<wire::CaptureStatus> out;
    if (req.name[0] != '\0') {
        if (const Record* r = find(req.name)) return {status_of(*r, req.request_id)};
        wire::CaptureStatus none{};
        none.request_id = req.request_id;
        none.result = wire::CaptureResult::kNotFound;
        copy_text(none.error, "no capture named " + text_of(req.name));
        return {none};
    }
    for (const auto& r : records_)
        out.push_back(status_of(*r, req.request_id));
    for (size_t k = 0; k < out.size(); ++k) {
        out[k].index = static_cast<uint16_t>(k);
        out[k].count = static_cast<uint16_t>(out.size());
    }
    if (out.empty()) {
        wire::CaptureStatus none{};
        none.request_id = req.request_id;
        out.push_back(none);  // count 0: no capture
    }
    return out;
}

wire::CaptureStatus CaptureWriter::status_of(const Record& r, uint32_t request_id) const {
    wire::CaptureStatus s{};
    s.request_id = request_id;
    s.result = wire::CaptureResult::kOk;
    s.state = r.state;
    s.stop_reason = r.reason;
    s.count = 1;
    s.config = r.cfg;
    s.packets = r.packets;
    s.bytes = r.bytes;
    s.lost = &r == active_ ? lost_now() : r.lost;
    s.started_ns = r.started_ns;
    s.stopped_ns = r.stopped_ns;
    copy_text(s.error, r.error);
    return s;
}

}  // namespace espgw::dataplane
