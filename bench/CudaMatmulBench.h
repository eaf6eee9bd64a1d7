//===- CudaMatmulBench.h - `qforge bench matmul --device cuda` -------------===//
#ifndef QFORGE_BENCH_CUDAMATMULBENCH_H
#define QFORGE_BENCH_CUDAMATMULBENCH_H

#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/Error.h"

#include <string>

namespace qforge::bench {

struct CudaMatmulBenchOptions {
  std::string scheme;
  int64_t m = 1, n = 8192, k = 8192;
  int repeats = 5;
  /// sm_80, sm_89 or sm_90a; empty: the GPU's own.
  std::string arch;
  /// The mma.sync kernel where it applies (CudaTarget::tensorCores).
  bool tensorCores = false;
};

/// All figures measured in one run on one GPU, medians of `repeats`.
struct CudaMatmulBenchReport {
  std::string device, arch;
  double weightBytes = 0, movedBytes = 0, flops = 0;
  double kernelSeconds = 0;
  /// Device-to-device copy, bytes read plus bytes written per second.
  double copyGBs = 0;
  /// cuBLAS's bf16 GEMM of the same shape (dense bf16 weights); 0 without
  /// cuBLAS, with `cublasNote` saying why.
  double cublasSeconds = 0;
  std::string cublasNote;
};

/// Compiles the qf.matmul kernel of bf16 activations and `scheme` weights
/// for the GPU, and times it against the device's copy bandwidth and cuBLAS.
llvm::Expected<CudaMatmulBenchReport> runCudaMatmulBench(mlir::MLIRContext *ctx,
                                                         const CudaMatmulBenchOptions &options);

} // namespace qforge::bench

#endif // QFORGE_BENCH_CUDAMATMULBENCH_H
