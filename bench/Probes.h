//===- Probes.h - The machine's own limits, measured in the same run -------===//
#ifndef QFORGE_BENCH_PROBES_H
#define QFORGE_BENCH_PROBES_H

namespace qforge::bench {

/// DRAM read bandwidth in GB/s with `threads` threads: each streams its own
/// slice of a buffer far larger than the last-level cache with the widest
/// vector loads the CPU has and software prefetch, as one, two and four
/// separate streams. The best of their medians of `repeats` passes.
double measureReadBandwidth(int threads, int repeats);

/// f32 FMA peak in GFLOP/s with `threads` threads: independent FMA chains
/// on the widest vectors the CPU has. Median of `repeats`.
double measureFmaPeak(int threads, int repeats);

/// Runs `body(thread)` on `threads` threads and waits for all.
void parallelFor(int threads, void (*body)(int, void *), void *context);

/// Median of samples (sorted in place).
double median(double *samples, int count);

} // namespace qforge::bench

#endif // QFORGE_BENCH_PROBES_H
