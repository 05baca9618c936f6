// SA state lives in DPDK's hugepage heap once the EAL is up (sadb/hot_memory.h): thousands of
// SAs on 4 KiB heap pages cost a TLB miss each. Checks where build_sa_runtime places the runtime,
// its crypto context, replay bitmap and private counters, and that freeing an SA returns every
// byte to the DPDK heap.
#include <gtest/gtest.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include <fstream>
#include <string>
#include <vector>

#include "crypto/mb_manager.h"
#include "sadb/hot_memory.h"
#include "sadb/sa_runtime.h"

namespace espgw::sadb {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kDpdkHeap = false;  // AddressSanitizer cannot see inside DPDK's heap
#else
constexpr bool kDpdkHeap = true;
#endif

SaConfig inbound_config(uint32_t spi) {
    SaConfig c;
    c.name = "hot";
    c.spi = spi;
    c.direction = Direction::kInbound;
    c.mode = Mode::kTunnel;
    c.cipher = crypto::Cipher::kAes128Cbc;
    c.integrity = crypto::Integrity::kHmacSha1_96;
    const uint8_t key[20] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    c.cipher_key.assign({key, 16});
    c.auth_key.assign({key, 20});
    c.local = IpAddr::v4(0xc0000201);
    c.peer = IpAddr::v4(0xc6336401);
    c.replay_window = 1024;
    return c;
}

bool in_dpdk_heap(const void* p) {
    return rte_mem_virt2memseg_list(p) != nullptr;
}

// DPDK's malloc statistics summed over the sockets.
rte_malloc_socket_stats dpdk_heap() {
    rte_malloc_socket_stats sum{};
    for (unsigned s = 0; s < rte_socket_count(); ++s) {
        rte_malloc_socket_stats st{};
        if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(s), &st) != 0) continue;
        sum.heap_allocsz_bytes += st.heap_allocsz_bytes;
        sum.heap_freesz_bytes += st.heap_freesz_bytes;
    }
    return sum;
}

size_t dpdk_heap_allocated() {
    return dpdk_heap().heap_allocsz_bytes;
}

// HugePages_Free × Hugepagesize from /proc/meminfo.
size_t free_hugepage_bytes() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    size_t value = 0, pages = 0, page_kb = 0;
    while (in >> key >> value) {
        if (key == "HugePages_Free:") pages = value;
        if (key == "Hugepagesize:") page_kb = value;
        in.ignore(256, '\n');
    }
    return pages * page_kb * 1024;
}

TEST(HotMemory, SaStateIsInTheDpdkHeapAndFreedWhole) {
    crypto::MbManager mgr;
    const size_t before = dpdk_heap_allocated();
    std::vector<SaRuntimePtr> sas;
    for (uint32_t k = 0; k < 100; ++k) {
        std::string error;
        sas.push_back(build_sa_runtime(inbound_config(0x1000 + k), mgr.get(), &error));
        ASSERT_TRUE(sas.back()) << error;
        const SaRuntime& s = *sas.back();
        EXPECT_EQ(in_dpdk_heap(&s), kDpdkHeap);
        EXPECT_EQ(in_dpdk_heap(s.crypto), kDpdkHeap);
        EXPECT_EQ(in_dpdk_heap(s.counters), kDpdkHeap);
        EXPECT_EQ(reinterpret_cast<uintptr_t>(&s) % 64, 0u);
        EXPECT_EQ(reinterpret_cast<uintptr_t>(s.crypto) % 64, 0u);
    }
    // The window works from its new home: a fresh number passes, a repeat does not.
    EXPECT_EQ(sas[0]->replay.accept(5), ReplayResult::kOk);
    EXPECT_EQ(sas[0]->replay.accept(5), ReplayResult::kDuplicate);
    if (kDpdkHeap) {
        EXPECT_GT(dpdk_heap_allocated(), before + 100 * sizeof(SaRuntime));
    }
    sas.clear();
    EXPECT_EQ(dpdk_heap_allocated(), before);
}

TEST(HotMemory, FallsBackToTheHeapWhenTheDpdkHeapCannotServe) {
    if (!kDpdkHeap) GTEST_SKIP() << "the heap is always used under AddressSanitizer";
    // More than DPDK could still find (its free heap plus every free hugepage of the system);
    // the C++ heap maps it lazily.
    const size_t kHuge = dpdk_heap().heap_freesz_bytes + free_hugepage_bytes() + (size_t{1} << 30);
    const size_t before = dpdk_heap_allocated();
    std::pmr::memory_resource* mr = hot_memory();
    void* p = mr->allocate(kHuge, 64);
    ASSERT_NE(p, nullptr);
    EXPECT_FALSE(in_dpdk_heap(p));
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
    static_cast<uint8_t*>(p)[kHuge - 1] = 1;  // really usable
    mr->deallocate(p, kHuge, 64);             // must go to the heap, not rte_free
    void* q = mr->allocate(256, 64);          // small ones still come from DPDK
    EXPECT_TRUE(in_dpdk_heap(q));
    mr->deallocate(q, 256, 64);
    EXPECT_EQ(dpdk_heap_allocated(), before);
}

}  // namespace
}  // namespace espgw::sadb
