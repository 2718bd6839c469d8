#include "etch/core/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace etch {
namespace {

// Workers spin briefly on the job counter before sleeping on the condition
// variable: an inference runs one short parallel region per node, and a
// futex wake-up per region cost about a tenth of the run time at batch 64.
//
// The caller never waits for a worker that has not started on its job: chunks
// are claimed from a shared counter, the caller claims whatever is left, then
// closes the job and waits only for workers still inside it. On a loaded
// machine a descheduled worker would otherwise stall every region for a time
// slice. Which thread runs a chunk never changes the chunk boundaries, so
// results stay the same whatever the thread count and the scheduling.
class Pool {
 public:
  explicit Pool(int n) {
    for (int i = 0; i < n - 1; ++i) workers_.emplace_back([this] { loop(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_.store(true);
      generation_.fetch_add(1);
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
  }
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void run(int64_t chunks, const std::function<void(int64_t)>& body) {
    std::unique_lock<std::mutex> job_lock(job_mu_);  // one job at a time; nested calls run inline
    body_ = &body;
    chunks_ = chunks;
    next_.store(0);
    error_ = nullptr;
    bool wake;
    uint64_t gen;
    {
      std::lock_guard<std::mutex> lk(mu_);
      gen = generation_.load() + 1;
      state_.store(gen * 2 + 1);  // open before it is published
      generation_.store(gen);     // publishes the job to spinning workers
      wake = sleeping_ > 0;
    }
    if (wake) cv_.notify_all();
    work();
    // Every chunk is claimed: close the job, then wait for the workers that
    // joined it (a worker joins only while it is open, see loop()).
    state_.store(gen * 2);
    for (int i = 0; active_.load() != 0; ++i) {
      if (i < kSpins)
        relax();
      else
        std::this_thread::yield();
    }
    body_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static constexpr int kSpins = 4000;  // about 40 us (PAUSE is ~10 ns here)
  static void relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  void work() {
    for (;;) {
      int64_t c = next_.fetch_add(1);
      if (c >= chunks_) return;
      try {
        (*body_)(c);
      } catch (...) {
        std::lock_guard<std::mutex> lk(mu_);
        if (!error_) error_ = std::current_exception();
      }
    }
  }
  void loop() {
    uint64_t seen = 0;
    for (;;) {
      for (int i = 0; i < kSpins && generation_.load() == seen; ++i) relax();
      if (generation_.load() == seen) {
        std::unique_lock<std::mutex> lk(mu_);
        ++sleeping_;
        cv_.wait(lk, [&] { return generation_.load() != seen; });
        --sleeping_;
      }
      if (stop_.load()) return;
      seen = generation_.load();
      // Join job `seen` only while it is open: announce first, then re-check,
      // so either the caller sees this worker active or the worker sees the
      // job closed (both sides use sequentially consistent atomics).
      const uint64_t open = seen * 2 + 1;
      if (state_.load() != open) continue;
      active_.fetch_add(1);
      if (state_.load() == open) work();
      active_.fetch_sub(1);
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mu_, job_mu_;
  std::condition_variable cv_;
  const std::function<void(int64_t)>* body_ = nullptr;
  int64_t chunks_ = 0;
  std::atomic<int64_t> next_{0};
  std::atomic<int> active_{0};      // workers inside the current job
  std::atomic<uint64_t> state_{0};  // generation * 2 + (job open ? 1 : 0)
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
  int sleeping_ = 0;  // guarded by mu_
  std::exception_ptr error_;
};

int g_threads = 0;
std::unique_ptr<Pool> g_pool;
std::mutex g_pool_mu;
thread_local bool t_in_parallel = false;

Pool& pool() {
  std::lock_guard<std::mutex> lk(g_pool_mu);
  if (!g_pool) g_pool = std::make_unique<Pool>(num_threads());
  return *g_pool;
}

}  // namespace

void set_num_threads(int n) {
  std::lock_guard<std::mutex> lk(g_pool_mu);
  g_threads = n;
  g_pool.reset();
}

int num_threads() {
  if (g_threads > 0) return g_threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  const int64_t chunks = (n + grain - 1) / grain;
  auto chunk = [&](int64_t c) { fn(c * grain, std::min(n, (c + 1) * grain)); };
  if (chunks == 1 || t_in_parallel || num_threads() == 1) {
    for (int64_t c = 0; c < chunks; ++c) chunk(c);
    return;
  }
  pool().run(chunks, [&](int64_t c) {
    t_in_parallel = true;
    chunk(c);
    t_in_parallel = false;
  });
}

}  // namespace etch
