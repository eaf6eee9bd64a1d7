//===- MatmulBench.h - `qforge bench matmul` -------------------------------===//
#ifndef QFORGE_BENCH_MATMULBENCH_H
#define QFORGE_BENCH_MATMULBENCH_H

#include "codegen/cpu/Target.h"
#include "qf/IR/Qf.h"

#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/Error.h"

#include <string>

namespace qforge::bench {

struct MatmulBenchOptions {
  mlir::qf::SchemeAttr scheme;
  /// When set (a preset name or a #qf.scheme body): the fused kernel
  /// quantizes activations with it, and the exact f32 kernel is timed too.
  std::string actScheme;
  /// With actScheme: a seeded Hadamard of this size rotates the activations
  /// in the quantizer (qf.matmul act_hadamard); 0 for none.
  int64_t actHadamard = 0, actHadamardSeed = 0;
  /// The CPU the kernels are compiled for.
  mlir::qf::CpuTarget target = mlir::qf::CpuTarget::host();
  /// The fused kernel's #qf.cpu_schedule body (docs/tuning.md), without
  /// `split`: the benchmark gives each thread its own rows.
  std::string schedule;
  int64_t m = 1, n = 4096, k = 4096;
  int threads = 1;
  int repeats = 5;
};

/// All figures measured in one run, medians of `repeats`.
struct MatmulBenchReport {
  double weightBytes = 0, flops = 0;
  double fusedSeconds = 0, unfusedSeconds = 0;
  double exactSeconds = 0; ///< f32 activations, when an activation scheme is set
  /// The DRAM probe's median over passes run just before each fused run.
  double dramGBs = 0, fmaGflops = 0;
  /// Median over fused runs of the run's weight GB/s over the probe pass
  /// just before it: the ratio least moved by a machine whose bandwidth
  /// drifts during the run.
  double fusedOfDram = 0;
};

llvm::Expected<MatmulBenchReport> runMatmulBench(mlir::MLIRContext *ctx,
                                                 const MatmulBenchOptions &options);

} // namespace qforge::bench

#endif // QFORGE_BENCH_MATMULBENCH_H
