//===- LayerKernels.h - A llama layer's steps besides the matmuls, as IR ---===//
//
// RMSNorm, RoPE and SwiGLU as linalg entry points of a model package's
// kernel module, for a fixed token count, and attention of one query head
// over its KV head's cache, for any cached length; the entry names are
// runtime/ModelDescription.h's. The runtime owns the cache, writes it, maps
// query heads to KV heads and runs heads on threads.
//===----------------------------------------------------------------------===//
#ifndef QFORGE_FRONTEND_LLAMA_LAYERKERNELS_H
#define QFORGE_FRONTEND_LLAMA_LAYERKERNELS_H

#include "mlir/IR/Builders.h"

namespace qforge::llama {

/// x[m, d] / sqrt(mean(x^2) + eps) * gain[d]; the sum of squares in f64.
void addRmsNormKernel(mlir::OpBuilder &b, mlir::Location loc, int64_t d, int64_t m, double eps);

/// silu(gate) * up over [m, f]: from one [m, 2f] argument when `stacked`.
void addSwigluKernel(mlir::OpBuilder &b, mlir::Location loc, int64_t f, int64_t m, bool stacked);

/// q and k rotated pairwise by pos[t] * base^(-2i/headDim) (f32 arguments).
void addRopeKernel(mlir::OpBuilder &b, mlir::Location loc, int64_t heads, int64_t kvHeads,
                   int64_t headDim, int64_t m, double base);

/// softmax(q . keysT[:, :n] / sqrt(headDim)) . values[:n] for one head, with
/// keysT of any capacity and n the rows of values (at most the capacity).
void addAttentionKernel(mlir::OpBuilder &b, mlir::Location loc, int64_t headDim);

} // namespace qforge::llama

#endif // QFORGE_FRONTEND_LLAMA_LAYERKERNELS_H
