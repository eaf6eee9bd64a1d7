//===- ThreadTeam.h - Threads started once, run together many times --------===//
#ifndef QFORGE_RUNTIME_THREADTEAM_H
#define QFORGE_RUNTIME_THREADTEAM_H

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace qforge::runtime {

/// `threads` - 1 workers plus the caller. Workers spin briefly for the next
/// run before they sleep, so back-to-back runs of microsecond kernels (a
/// model's decode step, a benchmark) pay neither thread start-up nor a
/// wake-up. One run at a time.
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

} // namespace qforge::runtime

#endif // QFORGE_RUNTIME_THREADTEAM_H
