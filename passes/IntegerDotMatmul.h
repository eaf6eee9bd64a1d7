//===- IntegerDotMatmul.h - qf.matmul with int8 activations on byte dots ---===//
#ifndef QFORGE_PASSES_INTEGERDOTMATMUL_H
#define QFORGE_PASSES_INTEGERDOTMATMUL_H

#include "qf/IR/Qf.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::qf {

/// Whether `op` (with an activation scheme) runs on integer dot products:
/// byte-coded weights (StorageAccess::getByteCodes), static rank-2 f32
/// operands, and activation codes in whole 32-element chunks.
bool hasIntegerDotPath(MatmulOp op);

/// The lowering of such matmuls to qf.dot4 on the weights' byte codes and
/// activations quantized on the fly; `signedWeightBytes` as
/// StorageAccess::getByteCodes takes it, `vectorRegisters` as
/// PackedDotMatmul does.
void populateIntegerDotMatmulPattern(const TypeConverter &converter, RewritePatternSet &patterns,
                                     bool signedWeightBytes, int64_t vectorRegisters);

} // namespace mlir::qf

#endif // QFORGE_PASSES_INTEGERDOTMATMUL_H
