//===- LowerLookup.cpp - qf.lookup to a permute or a select tree -----------===//
#include "passes/Passes.h"
#include "qf/IR/Qf.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::qf {
#define GEN_PASS_DEF_QFLOWERLOOKUP
#include "passes/Passes.h.inc"
} // namespace mlir::qf

using namespace mlir;
using namespace mlir::qf;

namespace {

struct LookupLowering : OpRewritePattern<LookupOp> {
  LookupLowering(MLIRContext *ctx, bool avx512) : OpRewritePattern(ctx), avx512(avx512) {}

  LogicalResult matchAndRewrite(LookupOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto codesType = cast<VectorType>(op.getCodes().getType());
    auto resultType = cast<VectorType>(op.getResult().getType());
    int64_t n = codesType.getDimSize(0);
    // The table padded to 16 entries (codes never index the padding).
    SmallVector<float> table(op.getTable());
    table.resize(16, 0.0f);
    if (avx512 && n % 16 == 0) {
      auto v16f = VectorType::get({16}, rewriter.getF32Type());
      Value values =
          arith::ConstantOp::create(rewriter, loc, DenseElementsAttr::get(v16f, ArrayRef(table)));
      Value result = arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(resultType, rewriter.getF32FloatAttr(0)));
      for (int64_t i = 0; i < n; i += 16) {
        Value idx = n == 16 ? op.getCodes()
                            : vector::ExtractStridedSliceOp::create(
                                  rewriter, loc, op.getCodes(), ArrayRef<int64_t>{i},
                                  ArrayRef<int64_t>{16}, ArrayRef<int64_t>{1})
                                  .getResult();
        Value part = LLVM::CallIntrinsicOp::create(
                         rewriter, loc, v16f,
                         rewriter.getStringAttr("llvm.x86.avx512.permvar.sf.512"),
                         ValueRange{values, idx})
                         .getResult(0);
        result = n == 16 ? part
                         : vector::InsertStridedSliceOp::create(rewriter, loc, part, result,
                                                                ArrayRef<int64_t>{i},
                                                                ArrayRef<int64_t>{1})
                               .getResult();
      }
      rewriter.replaceOp(op, result);
      return success();
    }
    // An arithmetic progression (q4_0's q - 8) is a convert and a multiply-add.
    ArrayRef<float> values = op.getTable();
    bool progression = true;
    for (size_t i = 2; i < values.size(); ++i)
      progression &= values[i] - values[i - 1] == values[1] - values[0];
    if (progression) {
      auto splatF32 = [&](float v) {
        return arith::ConstantOp::create(rewriter, loc,
                                         DenseElementsAttr::get(resultType, rewriter.getF32FloatAttr(v)))
            .getResult();
      };
      Value x = arith::UIToFPOp::create(rewriter, loc, resultType, op.getCodes());
      x = arith::MulFOp::create(rewriter, loc, x, splatF32(values[1] - values[0]));
      rewriter.replaceOpWithNewOp<arith::AddFOp>(op, x, splatF32(values[0]));
      return success();
    }
    // Otherwise a tree of selects on the code bits, lowest bit first.
    size_t size = op.getTable().size();
    SmallVector<Value> level;
    for (size_t i = 0; i < size; ++i)
      level.push_back(arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(resultType, rewriter.getF32FloatAttr(table[i]))));
    auto splatI32 = [&](int64_t v) {
      return arith::ConstantOp::create(rewriter, loc,
                                       DenseElementsAttr::get(codesType, rewriter.getI32IntegerAttr(v)))
          .getResult();
    };
    for (unsigned bit = 0; level.size() > 1; ++bit) {
      Value set = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::ne,
          arith::AndIOp::create(rewriter, loc, op.getCodes(), splatI32(1 << bit)), splatI32(0));
      SmallVector<Value> next;
      for (size_t i = 0; i < level.size(); i += 2)
        next.push_back(arith::SelectOp::create(rewriter, loc, set, level[i + 1], level[i]));
      level = std::move(next);
    }
    rewriter.replaceOp(op, level.front());
    return success();
  }

  bool avx512;
};

struct QfLowerLookupPass : qf::impl::QfLowerLookupBase<QfLowerLookupPass> {
  using QfLowerLookupBase::QfLowerLookupBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<LookupLowering>(&getContext(), avx512);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
