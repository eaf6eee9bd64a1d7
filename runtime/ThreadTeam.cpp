//===- ThreadTeam.cpp - Threads started once, run together many times ------===//
#include "runtime/ThreadTeam.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

using namespace qforge::runtime;

static void relax() {
#if defined(__x86_64__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// Pause iterations a worker spins before it sleeps: some milliseconds.
static constexpr int kSpins = 1 << 16;

ThreadTeam::ThreadTeam(int threads) : threads(threads) {
  for (int t = 1; t < threads; ++t)
    workers.emplace_back([this, t] { work(t); });
}

ThreadTeam::~ThreadTeam() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
    generation.fetch_add(1);
  }
  wake.notify_all();
  for (std::thread &w : workers)
    w.join();
}

void ThreadTeam::run(void (*runBody)(int, void *), void *runContext) {
  body = runBody;
  context = runContext;
  pending.store(threads - 1);
  {
    std::lock_guard<std::mutex> lock(mutex);
    generation.fetch_add(1, std::memory_order_release);
  }
  wake.notify_all();
  body(0, context);
  while (pending.load(std::memory_order_acquire) != 0)
    relax();
}

void ThreadTeam::work(int t) {
  unsigned seen = 0;
  for (;;) {
    int spins = 0;
    while (generation.load(std::memory_order_acquire) == seen && ++spins < kSpins)
      relax();
    if (generation.load(std::memory_order_acquire) == seen) {
      std::unique_lock<std::mutex> lock(mutex);
      wake.wait(lock, [&] { return generation.load() != seen; });
    }
    seen = generation.load(std::memory_order_acquire);
    if (stopping)
      return;
    body(t, context);
    pending.fetch_sub(1, std::memory_order_release);
  }
}
