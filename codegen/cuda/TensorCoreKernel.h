//===- TensorCoreKernel.h - qf.matmul on mma.sync with decoded bf16 weights -===//
//
// The GEMM kernel of the CUDA target: a block of 4 warps computes
// kTensorCoreTokens activation rows x kTensorCoreRows weight rows. Each K
// step of kTensorCoreKStep elements it stages the activations as bf16 in
// shared memory and decodes the weights' packed chunks (StorageAccess, one
// or two chunks a thread) into bf16 beside them; each warp then multiplies
// its 16 x 32 part with mma.sync.m16n8k16 (bf16 operands, f32 sums).
//===----------------------------------------------------------------------===//
#ifndef QFORGE_CODEGEN_CUDA_TENSORCOREKERNEL_H
#define QFORGE_CODEGEN_CUDA_TENSORCOREKERNEL_H

#include "qf/IR/Qf.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace mlir::qf::cuda {

inline constexpr int64_t kTensorCoreThreads = 128;
inline constexpr int64_t kTensorCoreTokens = 32;
inline constexpr int64_t kTensorCoreRows = 64;
inline constexpr int64_t kTensorCoreKStep = 64;

/// Whether `op` takes the tensor-core kernel: a static M above the GEMV
/// kernel's tokens a block, weights in 16- or 32-element chunks
/// (StorageAccess::supportsChunks) and K a multiple of the K step.
bool tensorCoreKernelApplies(MatmulOp op, int64_t gemvTokens);

/// Fills the body of `fn` (activations, the weights' storage buffers, the
/// result, each a rank-1 memref) with the kernel of `op` and adds its two
/// shared-memory tiles as workgroup attributions.
void buildTensorCoreKernel(MatmulOp op, gpu::GPUFuncOp fn);

} // namespace mlir::qf::cuda

#endif // QFORGE_CODEGEN_CUDA_TENSORCOREKERNEL_H
