// Memory for the per-SA state every packet reads (SaRuntime, SaCrypto, private SaCounters).
//
// With thousands of SAs in rotation each SA's lines are cache misses, and on 4 KiB heap pages
// nearly every one is also a TLB miss: an SA takes ~2.2 KiB (runtime 320 B, crypto context
// 1.5 KiB, counters, replay bitmap), so 10,000 SAs span ~5,500 pages, more than the L2 TLB of
// current x86 cores holds (2-3 K entries). DPDK's hugepage heap (rte_malloc, 2 MiB pages) puts
// them under a dozen TLB entries, as rte_ipsec's SAs are: AES-128-CBC+HMAC-SHA1 with 10,000 SAs
// went from ~530 to ~325 cycles per 64 B packet (bench/results/esp_engine_profile.md).
#pragma once

#include <memory_resource>

namespace espgw::sadb {

// rte_malloc on the caller's NUMA socket once the EAL is initialised (hugepages, or its
// --no-huge heap), else the C++ heap; also the heap when rte_malloc fails (memory limit) and
// under AddressSanitizer, which cannot see inside DPDK's heap. Thread-safe; never on the fast
// path (SAs are built and freed by the main lcore and control paths).
std::pmr::memory_resource* hot_memory();

}  // namespace espgw::sadb
