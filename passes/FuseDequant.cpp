//===- FuseDequant.cpp - contraction(qf.dequantize(w)) -> qf.matmul --------===//
#include "passes/Passes.h"
#include "qf/IR/Qf.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::qf {
#define GEN_PASS_DEF_QFFUSEDEQUANT
#include "passes/Passes.h.inc"
} // namespace mlir::qf

using namespace mlir;
using namespace mlir::qf;

namespace {

/// Whether `init` is a tensor filled with zeros.
bool isZeroFilled(Value init) {
  auto fill = init.getDefiningOp<linalg::FillOp>();
  return fill && (matchPattern(fill.getInputs()[0], m_AnyZeroFloat()) ||
                  matchPattern(fill.getInputs()[0], m_Zero()));
}

struct FuseDequantIntoContraction : OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(linalg::LinalgOp op, PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
        !linalg::isaContractionOpInterface(op))
      return rewriter.notifyMatchFailure(op, "not a two-input contraction on tensors");
    int weightIndex = -1;
    DequantizeOp dequant;
    for (int i = 0; i < 2; ++i)
      if (auto d = op.getDpsInputs()[i].getDefiningOp<DequantizeOp>()) {
        weightIndex = i;
        dequant = d;
      }
    if (!dequant)
      return rewriter.notifyMatchFailure(op, "no input is qf.dequantize");

    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    AffineMap weightMap = maps[weightIndex], actMap = maps[1 - weightIndex], outMap = maps[2];
    if (weightMap.getNumResults() != 2 || !weightMap.isProjectedPermutation() ||
        !actMap.isProjectedPermutation() || !outMap.isProjectedPermutation())
      return rewriter.notifyMatchFailure(op, "weights are not a 2-D projection");
    // Weights (n, k) with k reduced; activations (..., k); output (..., n).
    AffineExpr n = weightMap.getResult(0), k = weightMap.getResult(1);
    auto iterators = op.getIteratorTypesArray();
    if (iterators[cast<AffineDimExpr>(k).getPosition()] != utils::IteratorType::reduction ||
        actMap.getNumResults() == 0 || actMap.getResults().back() != k)
      return rewriter.notifyMatchFailure(op, "weights are not indexed (n, k) with k reduced");
    SmallVector<AffineExpr> expectedOut(actMap.getResults().drop_back());
    expectedOut.push_back(n);
    if (outMap.getResults() != ArrayRef<AffineExpr>(expectedOut))
      return rewriter.notifyMatchFailure(op, "output is not (..., n)");

    Location loc = op.getLoc();
    Value act = op.getDpsInputs()[1 - weightIndex];
    Value init = op.getDpsInits()[0];
    auto actType = cast<RankedTensorType>(act.getType());
    auto outType = cast<RankedTensorType>(init.getType());
    if (!actType.getElementType().isF32() || !outType.getElementType().isF32() ||
        !dequant.getResult().getType().getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "only f32 contractions fuse");

    // A vector activation is a single row.
    bool vector = actType.getRank() == 1;
    if (vector)
      act = tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get({1, actType.getDimSize(0)}, actType.getElementType()),
          act, SmallVector<ReassociationIndices>{{0, 1}});
    SmallVector<int64_t> resultShape(cast<RankedTensorType>(act.getType()).getShape().drop_back());
    resultShape.push_back(outType.getShape().back());
    Value fused = MatmulOp::create(rewriter, loc, RankedTensorType::get(resultShape, rewriter.getF32Type()),
                                   act, dequant.getInput(), /*act_scheme=*/nullptr,
                                   /*act_hadamard=*/nullptr, /*act_hadamard_seed=*/nullptr, /*schedule=*/nullptr);
    if (vector)
      fused = tensor::CollapseShapeOp::create(rewriter, loc, outType, fused,
                                              SmallVector<ReassociationIndices>{{0, 1}});
    if (fused.getType() != outType)
      fused = tensor::CastOp::create(rewriter, loc, outType, fused);
    if (!isZeroFilled(init))
      fused = linalg::AddOp::create(rewriter, loc, ValueRange{fused, init}, ValueRange{init})
                  .getResult(0);
    rewriter.replaceOp(op, fused);
    return success();
  }
};

struct QfFuseDequantPass : qf::impl::QfFuseDequantBase<QfFuseDequantPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseDequantIntoContraction>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
