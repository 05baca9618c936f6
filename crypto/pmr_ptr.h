// Owning pointers to objects placed in a std::pmr::memory_resource. Per-SA state is built off
// the fast path in whatever memory the caller chooses: the dataplane passes hugepage-backed
// memory (sadb/hot_memory.h), everything else gets the default heap.
#pragma once

#include <memory>
#include <memory_resource>
#include <new>
#include <utility>

namespace espgw::crypto {

template <class T>
struct PmrDelete {
    std::pmr::memory_resource* mr = nullptr;
    void operator()(T* p) const {
        p->~T();
        mr->deallocate(p, sizeof(T), alignof(T));
    }
};

template <class T>
using PmrPtr = std::unique_ptr<T, PmrDelete<T>>;

// Allocates a T from `mr` and lets `construct(void*)` place it there (a lambda, so that
// aggregates can use designated initialisers). The memory goes back if construction throws.
template <class T, class Construct>
PmrPtr<T> pmr_new(std::pmr::memory_resource* mr, Construct&& construct) {
    void* mem = mr->allocate(sizeof(T), alignof(T));
    try {
        return PmrPtr<T>(construct(mem), PmrDelete<T>{mr});
    } catch (...) {
        mr->deallocate(mem, sizeof(T), alignof(T));
        throw;
    }
}

template <class T, class... Args>
PmrPtr<T> pmr_make(std::pmr::memory_resource* mr, Args&&... args) {
    return pmr_new<T>(mr, [&](void* mem) { return new (mem) T(std::forward<Args>(args)...); });
}

}  // namespace espgw::crypto
