//===- HadamardLowering.h - qf.hadamard as fast Walsh-Hadamard stages ------===//
#ifndef QFORGE_PASSES_HADAMARDLOWERING_H
#define QFORGE_PASSES_HADAMARDLOWERING_H

#include "mlir/Transforms/DialectConversion.h"

namespace mlir::qf {

/// qf.hadamard on statically shaped tensors: the signs as one elementwise
/// product, then log2(size) butterfly stages (linalg.generic each, pairs
/// h = 1, 2, 4, ... apart within blocks of `size`), the 1/sqrt(size) scale in
/// the last stage: H_size in Sylvester (natural) order.
void populateHadamardLoweringPattern(const TypeConverter &converter, RewritePatternSet &patterns);

} // namespace mlir::qf

#endif // QFORGE_PASSES_HADAMARDLOWERING_H
