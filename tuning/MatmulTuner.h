//===- MatmulTuner.h - Tuning one qf.matmul on this machine ----------------===//
//
// Each candidate schedule is compiled into a package by the same path
// `qforge compile` takes (so the thread split is the runtime's own), loaded
// and run on the machine's threads: a warm-up, then batches of runs (at
// least 20 ms each) whose median survives the rejection of outliers. Weights
// cycle through copies larger than the last-level cache, as a model's do,
// and every candidate's output must match the default schedule's. The
// winner and the default are measured in turn once more at the end, and
// those medians are what the record holds.
//===----------------------------------------------------------------------===//
#ifndef QFORGE_TUNING_MATMULTUNER_H
#define QFORGE_TUNING_MATMULTUNER_H

#include "tuning/TuningDb.h"

#include "codegen/cpu/Target.h"
#include "qf/IR/Qf.h"

#include <functional>

namespace qforge::tuning {

/// A matmul kernel as tuning sees it: weights [n, k], activations [m, k].
struct MatmulKernel {
  mlir::qf::SchemeAttr weights;
  mlir::qf::SchemeAttr activations; ///< null: f32 activations
  int64_t hadamard = 0, hadamardSeed = 0;
  int64_t m = 1, n = 0, k = 0;

  /// The kernel of a qf.matmul with static 2-D shapes.
  static std::optional<MatmulKernel> of(mlir::qf::MatmulOp op);
  /// "mxfp4 1x14336x4096 act mxint8": for progress and reports.
  std::string describe() const;
};

/// The database key of a kernel tuned on `threads` threads of this machine
/// for `target`.
TuningKey tuningKey(const MatmulKernel &kernel, const mlir::qf::CpuTarget &target, int threads);

struct TuneProgress {
  int64_t trial, trials;    ///< measured so far, budget
  double bestSeconds, defaultSeconds;
  double elapsed, eta;      ///< seconds
};

struct TuneOptions {
  int threads = 1;
  int64_t trials = 32;      ///< candidates measured, the default included
  double timeBudget = 0;    ///< seconds; 0: no limit
  uint64_t seed = 1;
  int repeats = 5;          ///< timed batches a candidate
  std::function<void(const TuneProgress &)> progress;
};

struct TuneResult {
  TuningRecord record;
  std::vector<Trial> trials;
  int64_t pruned = 0;       ///< candidates legality rejected before compiling
};

llvm::Expected<TuneResult> tuneMatmul(mlir::MLIRContext *ctx, const MatmulKernel &kernel,
                                      const mlir::qf::CpuTarget &target, const TuneOptions &options);

/// Times of the runs, median after dropping those more than three median
/// absolute deviations from the median.
double robustMedian(std::vector<double> samples);

/// Sets the `schedule` of every qf.matmul in `module` that `db` holds a
/// legal record for (tuned on `threads` threads for `target`). Returns how
/// many matmuls it set and how many had no usable record.
llvm::Expected<std::pair<int64_t, int64_t>> applyTunedSchedules(mlir::ModuleOp module, TuningDb &db,
                                                                const mlir::qf::CpuTarget &target,
                                                                int threads);

} // namespace qforge::tuning

#endif // QFORGE_TUNING_MATMULTUNER_H
