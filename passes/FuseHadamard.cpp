//===- FuseHadamard.cpp - qf.matmul(qf.hadamard(x)) -> rotating quantizer --===//
#include "passes/ActivationQuant.h"
#include "passes/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::qf {
#define GEN_PASS_DEF_QFFUSEHADAMARD
#include "passes/Passes.h.inc"
} // namespace mlir::qf

using namespace mlir;
using namespace mlir::qf;

namespace {

struct FuseHadamardIntoQuantizer : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp op, PatternRewriter &rewriter) const override {
    auto rotation = op.getLhs().getDefiningOp<HadamardOp>();
    std::optional<SchemeAttr> act = op.getActScheme();
    if (!rotation || !act || op.getActHadamard() || !rotation->hasOneUse())
      return rewriter.notifyMatchFailure(op, "no quantized activations rotated for this matmul alone");
    auto type = cast<RankedTensorType>(rotation.getInput().getType());
    int64_t axis = int64_t(rotation.getAxis());
    if (type.getRank() != 2 || !type.hasStaticShape() || (axis != 1 && axis != -1))
      return rewriter.notifyMatchFailure(op, "not a rotation along K of static [M, K] activations");
    int64_t size = int64_t(rotation.getSize());
    if (!ActivationQuantizer(*act, type).canRotate(size))
      return rewriter.notifyMatchFailure(op, "the rotation does not fit the quantizer's reads");
    rewriter.modifyOpInPlace(op, [&] {
      op.getLhsMutable().assign(rotation.getInput());
      op.setActHadamard(uint64_t(size));
      if (std::optional<uint64_t> seed = rotation.getSeed())
        op.setActHadamardSeed(*seed);
    });
    rewriter.eraseOp(rotation);
    return success();
  }
};

struct QfFuseHadamardPass : qf::impl::QfFuseHadamardBase<QfFuseHadamardPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseHadamardIntoQuantizer>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
