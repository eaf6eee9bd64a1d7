//===- Probes.h - The machine's own limits, measured in the same run -------===//
#ifndef QFORGE_BENCH_PROBES_H
#define QFORGE_BENCH_PROBES_H

#include "runtime/ThreadTeam.h"

namespace qforge::bench {

using runtime::ThreadTeam;

/// DRAM read bandwidth with all threads of a team: each streams its own
/// slice of a buffer far larger than the last-level cache with the widest
/// vector loads the CPU has, as one, two or four separate streams, with and
/// without software prefetch.
class DramProbe {
public:
  explicit DramProbe(ThreadTeam &team);
  ~DramProbe();
  DramProbe(const DramProbe &) = delete;
  DramProbe &operator=(const DramProbe &) = delete;

  /// GB/s of the fastest of one pass over the buffer in each access pattern.
  double measure();

private:
  double pass(int streams, bool prefetch);

  ThreadTeam &team;
  float *data;
};

/// f32 FMA peak in GFLOP/s on all threads of a team: independent FMA chains
/// on the widest vectors the CPU has. Median of `repeats`.
double measureFmaPeak(ThreadTeam &team, int repeats);

/// `bytes` of memory on 2 MiB pages where the kernel gives them
/// (MADV_HUGEPAGE): a stream over 4 KiB pages stalls at every page, where the
/// hardware prefetcher stops. The probe and the benchmarked weights both live
/// there; free with std::free.
void *allocateHugePages(size_t bytes);

/// How many copies of `bytes` of weights, used in turn, push each other out
/// of the last-level cache between two runs on one of them.
size_t copiesBeyondCache(int64_t bytes);

/// Median of samples (sorted in place).
double median(double *samples, int count);

} // namespace qforge::bench

#endif // QFORGE_BENCH_PROBES_H
