//===- Probes.cpp - The machine's own limits, measured in the same run -----===//
//
// Compiled for several ISA levels with target attributes and picked at run
// time, so the probes use the same vector width the kernels can.
//===----------------------------------------------------------------------===//
#include "bench/Probes.h"

#include "llvm/Support/ErrorHandling.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

using namespace qforge::bench;

double qforge::bench::median(double *samples, int count) {
  std::sort(samples, samples + count);
  return count % 2 ? samples[count / 2] : 0.5 * (samples[count / 2 - 1] + samples[count / 2]);
}

static double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {

typedef float v16f __attribute__((vector_size(64)));
typedef float v8f __attribute__((vector_size(32)));
typedef int v16i __attribute__((vector_size(64)));
typedef int v8i __attribute__((vector_size(32)));

// Each thread reads `streams` separate parts of its range at once, 256 bytes
// per part and iteration, optionally prefetching 1 KiB ahead; xors keep the
// loads alive (one thread read 10 % more with xors than with float adds, and
// the q8_0 kernel beat the float-add probe).
template <typename V, bool Prefetch>
__attribute__((always_inline)) inline float readStreams(const float *p, size_t n, int streams) {
  constexpr size_t lanes = sizeof(V) / sizeof(float), step = 4 * lanes;
  V acc[4] = {};
  size_t part = n / streams / step * step;
  for (size_t i = 0; i + step <= part; i += step)
    for (int s = 0; s < streams; ++s) {
      const float *q = p + s * part + i;
      if (Prefetch)
        __builtin_prefetch(q + 256);
      for (size_t j = 0; j < 4; ++j) {
        V x;
        std::memcpy(&x, q + lanes * j, sizeof(V));
        acc[j] ^= x;
      }
    }
  V sum = acc[0] ^ acc[1] ^ acc[2] ^ acc[3];
  return float(sum[0] ^ sum[lanes - 1]);
}

template <bool Prefetch>
__attribute__((target("avx512f"))) float readAvx512(const float *p, size_t n, int streams) {
  return readStreams<v16i, Prefetch>(p, n, streams);
}
template <bool Prefetch>
__attribute__((target("avx2"))) float readAvx2(const float *p, size_t n, int streams) {
  return readStreams<v8i, Prefetch>(p, n, streams);
}

float readGeneric(const float *p, size_t n) {
  float a = 0, b = 0, c = 0, d = 0;
  for (size_t i = 0; i + 4 <= n; i += 4) {
    a += p[i];
    b += p[i + 1];
    c += p[i + 2];
    d += p[i + 3];
  }
  return a + b + c + d;
}

float readVector(const float *p, size_t n, int streams, bool prefetch) {
  if (__builtin_cpu_supports("avx512f"))
    return prefetch ? readAvx512<true>(p, n, streams) : readAvx512<false>(p, n, streams);
  if (__builtin_cpu_supports("avx2"))
    return prefetch ? readAvx2<true>(p, n, streams) : readAvx2<false>(p, n, streams);
  return readGeneric(p, n);
}

// 12 independent accumulator chains hide the FMA latency.
template <typename V>
__attribute__((always_inline)) inline float fmaChains(long iterations, float seed) {
  V acc[12];
  V x, y;
  for (int i = 0; i < 12; ++i)
    for (int l = 0; l < int(sizeof(V) / 4); ++l)
      acc[i][l] = seed * float(i + l);
  for (int l = 0; l < int(sizeof(V) / 4); ++l) {
    x[l] = 1.0000001f;
    y[l] = 0.9999999f;
  }
  for (long it = 0; it < iterations; ++it)
    for (int i = 0; i < 12; ++i)
      acc[i] = acc[i] * x + y;
  float s = 0;
  for (int i = 0; i < 12; ++i)
    s += acc[i][0];
  return s;
}

__attribute__((target("avx512f,fma"))) float fmaAvx512(long n, float s) {
  return fmaChains<v16f>(n, s);
}
__attribute__((target("avx2,fma"))) float fmaAvx2(long n, float s) { return fmaChains<v8f>(n, s); }

/// FLOPs of one fmaChains pass per iteration.
int fmaWidth() {
  if (__builtin_cpu_supports("avx512f"))
    return 16;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return 8;
  return 0;
}

float fmaRun(long n, float s) {
  int w = fmaWidth();
  if (w == 16)
    return fmaAvx512(n, s);
  if (w == 8)
    return fmaAvx2(n, s);
  float a = s;
  for (long i = 0; i < n * 12; ++i)
    a = a * 1.0000001f + 0.9999999f;
  return a;
}

struct ReadContext {
  const float *data;
  size_t perThread;
  int streams;
  bool prefetch;
  float sink[64];
};

struct FmaContext {
  long iterations;
  float sink[64];
};

} // namespace

/// Median seconds of `repeats` runs of `body` on the team, after one that
/// warms caches and the TLB.
static double medianSeconds(ThreadTeam &team, int repeats, void (*body)(int, void *), void *context) {
  std::vector<double> samples;
  for (int r = 0; r < repeats + 1; ++r) {
    double t0 = now();
    team.run(body, context);
    if (r > 0)
      samples.push_back(now() - t0);
  }
  return median(samples.data(), int(samples.size()));
}

// 1 GiB: far beyond any last-level cache of the machines this runs on.
static constexpr size_t kProbeBytes = size_t(1) << 30;

void *qforge::bench::allocateHugePages(size_t bytes) {
  constexpr size_t kHugePage = size_t(2) << 20;
  size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void *p = std::aligned_alloc(kHugePage, rounded ? rounded : kHugePage);
  if (!p)
    llvm::report_bad_alloc_error("allocateHugePages");
  madvise(p, rounded, MADV_HUGEPAGE); // advice: 4 KiB pages where refused
  return p;
}

DramProbe::DramProbe(ThreadTeam &team)
    : team(team), data(static_cast<float *>(allocateHugePages(kProbeBytes))) {
  std::memset(data, 1, kProbeBytes); // touch every page
}

DramProbe::~DramProbe() { std::free(data); }

double DramProbe::measure() {
  // The probe must be one that kernels do not beat, and which access pattern
  // reads fastest differs between machines and moments (software prefetch
  // helped on some and slowed the reads by a third on others): the best of
  // several, each a pass.
  double best = 0;
  for (auto [streams, prefetch] : {std::pair{1, false}, {2, false}, {4, false}, {2, true}})
    best = std::max(best, pass(streams, prefetch));
  return best;
}

double DramProbe::pass(int streams, bool prefetch) {
  ReadContext ctx{data, kProbeBytes / sizeof(float) / team.size(), streams, prefetch, {}};
  double t0 = now();
  team.run(
      [](int t, void *c) {
        auto *rc = static_cast<ReadContext *>(c);
        rc->sink[t] = readVector(rc->data + t * rc->perThread, rc->perThread, rc->streams, rc->prefetch);
      },
      &ctx);
  return double(kProbeBytes) / (now() - t0) / 1e9;
}

double qforge::bench::measureFmaPeak(ThreadTeam &team, int repeats) {
  int width = std::max(fmaWidth(), 1);
  FmaContext ctx{20'000'000 / width * 4, {}};
  double seconds = medianSeconds(
      team, repeats,
      [](int t, void *c) {
        auto *fc = static_cast<FmaContext *>(c);
        fc->sink[t] = fmaRun(fc->iterations, float(t + 1));
      },
      &ctx);
  return 2.0 * 12 * width * double(ctx.iterations) * team.size() / seconds / 1e9;
}

size_t qforge::bench::copiesBeyondCache(int64_t bytes) {
  long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
  int64_t cache = l3 > 0 ? l3 : int64_t(64) << 20; // a generous guess
  return 1 + size_t((2 * cache + bytes - 1) / bytes);
}
