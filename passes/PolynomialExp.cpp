//===- PolynomialExp.cpp - f32 math.exp as vectorizable arithmetic ---------===//
#include "passes/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::qf {
#define GEN_PASS_DEF_QFPOLYNOMIALEXP
#include "passes/Passes.h.inc"
} // namespace mlir::qf

using namespace mlir;

namespace {
struct PolynomialExp : qf::impl::QfPolynomialExpBase<PolynomialExp> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef name) { return name == math::ExpOp::getOperationName(); });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
