#include "dataplane/capture_block.h"

#include <rte_cycles.h>

#include <cstring>
#include <ctime>

namespace espgw::dataplane {
namespace {

constexpr uint32_t kEpbType = 6;
constexpr uint16_t kOptEndOfOpt = 0;
constexpr uint16_t kOptComment = 1;
constexpr uint32_t kLengthOffset = 4;
constexpr uint32_t kTsHighOffset = 12;
constexpr uint32_t kTsLowOffset = 16;

uint32_t align4(uint32_t n) {
    return (n + 3) & ~3u;
}

// pcapng fields are in the byte order of the section header: the host's (rte_pcapng writes its
// byte-order magic natively).
void put16(uint8_t* p, uint16_t v) {
    std::memcpy(p, &v, sizeof v);
}
void put32(uint8_t* p, uint32_t v) {
    std::memcpy(p, &v, sizeof v);
}
uint32_t get32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

}  // namespace

bool epb_append_comment(rte_mbuf* mc, std::string_view text) {
    if (text.empty() || text.size() > kMaxCaptureComment || mc->nb_segs != 1) return false;
    uint8_t* block = rte_pktmbuf_mtod(mc, uint8_t*);
    const uint32_t old_len = mc->data_len;
    if (old_len < 32 || get32(block) != kEpbType || get32(block + kLengthOffset) != old_len)
        return false;
    const uint32_t option = 4 + align4(static_cast<uint32_t>(text.size()));
    const uint32_t grow = option + 4;  // + opt_endofopt; the trailing length moves to the end
    if (rte_pktmbuf_append(mc, static_cast<uint16_t>(grow)) == nullptr) return false;
    block = rte_pktmbuf_mtod(mc, uint8_t*);
    // The comment starts where the trailing total length was (§3.1: options end the body).
    uint8_t* p = block + old_len - 4;
    put16(p, kOptComment);
    put16(p + 2, static_cast<uint16_t>(text.size()));
    std::memset(p + 4, 0, option - 4);
    std::memcpy(p + 4, text.data(), text.size());
    p += option;
    put16(p, kOptEndOfOpt);
    put16(p + 2, 0);
    const uint32_t new_len = old_len + grow;
    put32(p + 4, new_len);
    put32(block + kLengthOffset, new_len);
    return true;
}

void epb_set_timestamp(rte_mbuf* mc, uint64_t ns) {
    uint8_t* block = rte_pktmbuf_mtod(mc, uint8_t*);
    put32(block + kTsHighOffset, static_cast<uint32_t>(ns >> 32));
    put32(block + kTsLowOffset, static_cast<uint32_t>(ns));
}

CaptureClock CaptureClock::now() {
    CaptureClock c;
    timespec ts{};
    const uint64_t before = rte_get_tsc_cycles();
    clock_gettime(CLOCK_REALTIME, &ts);
    c.tsc0 = before + (rte_get_tsc_cycles() - before) / 2;
    c.ns0 = static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
    c.ns_per_tsc_q32 = static_cast<uint64_t>((static_cast<unsigned __int128>(1000000000ull) << 32) /
                                             rte_get_tsc_hz());
    return c;
}

}  // namespace espgw::dataplane
