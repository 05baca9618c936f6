#include "sadb/hot_memory.h"

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include <algorithm>
#include <new>

namespace espgw::sadb {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kUseDpdkHeap = false;
#else
constexpr bool kUseDpdkHeap = true;
#endif

class DpdkHeap final : public std::pmr::memory_resource {
    void* do_allocate(size_t bytes, size_t align) override {
        // rte_lcore_count() is 0 until rte_eal_init has run.
        if (kUseDpdkHeap && rte_lcore_count() != 0) {
            const size_t a = std::max<size_t>(align, RTE_CACHE_LINE_SIZE);
            if (void* p = rte_malloc_socket("espgw_sa", bytes, a, SOCKET_ID_ANY)) return p;
        }
        return ::operator new (bytes, std::align_val_t{align});
    }
    void do_deallocate(void* p, size_t bytes, size_t align) override {
        // Memory from rte_malloc belongs to one of the EAL's memseg lists; heap memory doesn't.
        if (kUseDpdkHeap && rte_lcore_count() != 0 && rte_mem_virt2memseg_list(p) != nullptr) {
            rte_free(p);
            return;
        }
        ::operator delete (p, bytes, std::align_val_t{align});
    }
    bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override {
        return this == &o;
    }
};

}  // namespace

std::pmr::memory_resource* hot_memory() {
    static DpdkHeap heap;
    return &heap;
}

}  // namespace espgw::sadb
