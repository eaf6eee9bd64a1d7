//===- BuilderHelpers.h - Small IR-building helpers shared by the passes ---===//
#ifndef QFORGE_PASSES_BUILDERHELPERS_H
#define QFORGE_PASSES_BUILDERHELPERS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

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

} // namespace mlir::qf

#endif // QFORGE_PASSES_BUILDERHELPERS_H
