//===- ThreadTeam.h - Threads started once, run together many times --------===//
#ifndef QFORGE_BENCH_THREADTEAM_H
#define QFORGE_BENCH_THREADTEAM_H

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace qforge::bench {

/// `threads` - 1 workers plus the caller. Workers spin briefly for the next
/// run before they sleep, so back-to-back runs of microsecond kernels measure
/// the kernel, not thread start-up or wake-up.
class ThreadTeam {
public:
  explicit ThreadTeam(int threads);
  ~ThreadTeam();
  ThreadTeam(const ThreadTeam &) = delete;
  ThreadTeam &operator=(const ThreadTeam &) = delete;

  int size() const { return threads; }

  /// Runs `body(t, context)` for t in [0, size()) on the team, the caller
  /// taking t = 0, and returns when all have finished.
  void run(void (*body)(int, void *), void *context);

private:
  void work(int t);

  int threads;
  std::vector<std::thread> workers;
  void (*body)(int, void *) = nullptr;
  void *context = nullptr;
  std::atomic<unsigned> generation{0}; ///< bumped once a run
  std::atomic<int> pending{0};         ///< workers still in the current run
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable wake;
};

} // namespace qforge::bench

#endif // QFORGE_BENCH_THREADTEAM_H
