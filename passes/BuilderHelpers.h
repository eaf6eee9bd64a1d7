//===- BuilderHelpers.h - Small IR-building helpers shared by the passes ---===//
#ifndef QFORGE_PASSES_BUILDERHELPERS_H
#define QFORGE_PASSES_BUILDERHELPERS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::qf {

inline Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// An scf.for from `lo` to `hi` carrying `init`; `body` returns what to yield.
inline SmallVector<Value>
forLoop(OpBuilder &b, Location loc, Value lo, Value hi, int64_t step, ValueRange init,
        function_ref<SmallVector<Value>(OpBuilder &, Location, Value, ValueRange)> body) {
  auto loop = scf::ForOp::create(b, loc, lo, hi, indexConst(b, loc, step), init,
                                 [&](OpBuilder &b, Location l, Value iv, ValueRange carried) {
                                   scf::YieldOp::create(b, l, body(b, l, iv, carried));
                                 });
  return SmallVector<Value>(loop.getResults());
}

/// The sum of the lanes of `vec` in any order: a tree of shuffles and vector
/// adds rather than one scalar add a lane (about 6 % of the instructions of
/// a decode GEMV's row).
inline Value sumLanes(OpBuilder &b, Location loc, Value vec) {
  return vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, vec, arith::FastMathFlags::reassoc);
}

/// The sum of all lanes of the vectors `accs` (accumulators of one value
/// taken in turn), added lane by lane first.
inline Value sumAccumulators(OpBuilder &b, Location loc, ArrayRef<Value> accs) {
  Value vec = accs.front();
  for (Value acc : accs.drop_front())
    vec = arith::AddFOp::create(b, loc, vec, acc);
  return sumLanes(b, loc, vec);
}

} // namespace mlir::qf

#endif // QFORGE_PASSES_BUILDERHELPERS_H
