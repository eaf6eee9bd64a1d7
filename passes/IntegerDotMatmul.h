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

/// Whether `op` (with an activation scheme) can run its decode kernel on
/// word planes (StorageAccess::getWordPlanes): as hasIntegerDotPath, for
/// weights without byte codes or block offsets, K in whole byte pairs, at
/// most 2 activation rows.
bool hasWordPlanePath(MatmulOp op);

/// The lowering of such matmuls to qf.dot4 on the weights' byte codes and
/// activations quantized on the fly; `signedWeightBytes` as
/// StorageAccess::getByteCodes takes it, `vectorRegisters` as
/// PackedDotMatmul does; with `wordPlanes`, also those with a word plane
/// path, to qf.dot2.
void populateIntegerDotMatmulPattern(const TypeConverter &converter, RewritePatternSet &patterns,
                                     bool signedWeightBytes, bool wordPlanes, int64_t vectorRegisters);

} // namespace mlir::qf

#endif // QFORGE_PASSES_INTEGERDOTMATMUL_H
