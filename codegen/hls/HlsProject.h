//===- HlsProject.h - qf kernels as Vitis-HLS-style C++ projects -----------===//
//
// `qforge compile --target hls`: each function of a kernel module (one
// qf.matmul, qf.hadamard or qf.quantize) becomes synthesizable C++ (ap_int
// codes, AXI-pointer interfaces, #pragma HLS), a testbench with its data
// (inputs and the host reference's outputs), a Vitis HLS tcl script, a
// Makefile that C-simulates it with g++ against the ap_types headers, and a
// resource/latency estimate. docs/hls.md states each kernel's arithmetic,
// which the kernel and the host reference share bit for bit.
//===----------------------------------------------------------------------===//
#ifndef QFORGE_CODEGEN_HLS_HLSPROJECT_H
#define QFORGE_CODEGEN_HLS_HLSPROJECT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

namespace qforge::hls {

/// The knobs of the generated kernels.
struct HlsOptions {
  /// Matmul: lanes of the dot product a cycle (a divisor of the joint
  /// block; 0: all of it). Hadamard: butterflies a cycle (0: up to 8).
  int64_t unroll = 0;
  /// Cyclic partitions of the buffer the unrolled loop reads (0: what one
  /// cycle needs); fewer than that raises the initiation interval.
  int64_t partition = 0;
  /// Seed of the testbench's random inputs.
  uint64_t seed = 1;
  /// Target clock period in ns (tcl script and the latency estimate).
  double clockNs = 4.0;
};

/// Writes one project directory per function of `module` under `dir`, and
/// dir/README.md listing them. Errors name the op and the rule it breaks.
llvm::Error writeHlsProjects(mlir::ModuleOp module, llvm::StringRef dir, const HlsOptions &options);

} // namespace qforge::hls

#endif // QFORGE_CODEGEN_HLS_HLSPROJECT_H
