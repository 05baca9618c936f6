// Edits of the pcapng Enhanced Packet Block that DPDK 22.11's rte_pcapng_copy builds in a
// capture mbuf (draft-ietf-opsawg-pcapng §4.3):
//
//   [type 6][total length][interface][ts high][ts low][captured][original]
//   [packet data, padded to 32 bits][options: flags, queue][total length]
//
// 22.11 has no per-packet comment argument (it came in 23.11) and its TSC-to-time conversion
// gives dates centuries off, so the capture path appends the comment itself and writes the
// timestamp from its own clock. Every edit keeps the block valid: both total-length fields
// agree and options stay 32-bit aligned.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>
#include <string_view>

namespace espgw::dataplane {

// Largest comment appended (a drop reason label is far shorter).
inline constexpr uint16_t kMaxCaptureComment = 64;
// Tailroom a capture mbuf needs beyond rte_pcapng_mbuf_size() for the comment option, its
// padding and the end-of-options marker.
inline constexpr uint16_t kCaptureCommentRoom = 4 + kMaxCaptureComment + 4;

// Appends opt_comment (code 1, §3.5) and opt_endofopt (code 0) to the block in `mc`, which must
// be one segment as rte_pcapng_copy left it, and updates both total lengths. False (block
// unchanged) when the text is too long or the mbuf has no room.
bool epb_append_comment(rte_mbuf* mc, std::string_view text);

// Sets the block's timestamp (nanoseconds since the epoch; the interface blocks of
// rte_pcapng_fdopen declare if_tsresol 9).
void epb_set_timestamp(rte_mbuf* mc, uint64_t ns);

// TSC cycles to wall-clock nanoseconds, from one (tsc, CLOCK_REALTIME) pair taken at start.
struct CaptureClock {
    uint64_t tsc0 = 0;
    uint64_t ns0 = 0;
    uint64_t ns_per_tsc_q32 = 0;  // 2^32 * 1e9 / TSC Hz

    static CaptureClock now();
    uint64_t ns(uint64_t tsc) const {
        if (tsc < tsc0) return ns0;  // read on another core just before the start
        const unsigned __int128 d = static_cast<unsigned __int128>(tsc - tsc0) * ns_per_tsc_q32;
        return ns0 + static_cast<uint64_t>(d >> 32);
    }
};

}  // namespace espgw::dataplane
