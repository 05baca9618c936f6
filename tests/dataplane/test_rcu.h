// An rte_rcu_qsbr variable for table tests, and a reader thread's membership of it. Plain
// std::threads are not lcores: each reader registers a thread id it picks itself.
#pragma once

#include <pthread.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include <cstdint>

namespace espgw::dataplane {

// rte_eal_init() pins the main thread to the main lcore's CPU and threads inherit it: a reader
// started from a test would share one CPU with the writer and only run when it is preempted.
inline void run_on_any_cpu() {
    cpu_set_t all;
    CPU_ZERO(&all);
    for (int c = 0; c < CPU_SETSIZE; ++c)
        CPU_SET(c, &all);
    pthread_setaffinity_np(pthread_self(), sizeof(all), &all);
}

class TestRcu {
  public:
    explicit TestRcu(uint32_t max_threads) {
        const size_t size = rte_rcu_qsbr_get_memsize(max_threads);
        v_ = static_cast<rte_rcu_qsbr*>(rte_zmalloc("test_rcu", size, RTE_CACHE_LINE_SIZE));
        if (v_ != nullptr) rte_rcu_qsbr_init(v_, max_threads);
    }
    ~TestRcu() { rte_free(v_); }
    TestRcu(const TestRcu&) = delete;
    TestRcu& operator=(const TestRcu&) = delete;
    rte_rcu_qsbr* get() const { return v_; }

  private:
    rte_rcu_qsbr* v_;
};

// Registered and online for its lifetime; quiescent() between bursts, as a worker would.
class RcuReader {
  public:
    RcuReader(rte_rcu_qsbr* v, unsigned int id) : v_(v), id_(id) {
        rte_rcu_qsbr_thread_register(v_, id_);
        rte_rcu_qsbr_thread_online(v_, id_);
    }
    ~RcuReader() {
        rte_rcu_qsbr_thread_offline(v_, id_);
        rte_rcu_qsbr_thread_unregister(v_, id_);
    }
    RcuReader(const RcuReader&) = delete;
    RcuReader& operator=(const RcuReader&) = delete;
    void quiescent() { rte_rcu_qsbr_quiescent(v_, id_); }

  private:
    rte_rcu_qsbr* v_;
    unsigned int id_;
};

}  // namespace espgw::dataplane
