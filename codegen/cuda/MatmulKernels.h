//===- MatmulKernels.h - qf.matmul entries as GPU kernels ------------------===//
//
// Every public function of a kernel module that is one qf.matmul of its two
// arguments becomes a gpu.func in `gpu.module @qf_kernels`: the weights are
// read in their packed storage and decoded in registers (StorageAccess on
// memrefs), multiplied with f32/f16/bf16 activations and summed in f32.
//
// Launch: blocks of `threads` threads, 4 weight rows (output columns) a
// warp, `rowsPerBlock` rows and `tokensPerBlock` activation rows a block;
// grid (ceil(N / rowsPerBlock), ceil(M / tokensPerBlock)); the tensor-core
// kernel (TensorCoreKernel.h) records its own block in the same attributes.
// Every operand is passed as a rank-1 memref (its elements or bytes in
// order).
//===----------------------------------------------------------------------===//
#ifndef QFORGE_CODEGEN_CUDA_MATMULKERNELS_H
#define QFORGE_CODEGEN_CUDA_MATMULKERNELS_H

#include "mlir/IR/BuiltinOps.h"

namespace mlir::qf::cuda {

/// Attributes of a kernel's gpu.func: the entry it computes and its launch.
inline constexpr llvm::StringLiteral kEntryAttr = "qf.entry";
inline constexpr llvm::StringLiteral kRowsPerBlockAttr = "qf.rows_per_block";
inline constexpr llvm::StringLiteral kTokensPerBlockAttr = "qf.tokens_per_block";

/// Activation rows a block takes: all of them up to this many.
inline constexpr int64_t kMaxTokensPerBlock = 8;

/// Replaces each public function by its kernel (the module becomes a GPU
/// container module); fails at the op that no kernel computes. With
/// `tensorCores`, matmuls the tensor-core kernel applies to take it.
LogicalResult buildMatmulKernels(ModuleOp module, bool tensorCores = false);

} // namespace mlir::qf::cuda

#endif // QFORGE_CODEGEN_CUDA_MATMULKERNELS_H
