//===- LowerToLinalg.cpp - qf ops to linalg on packed storage --------------===//
#include "passes/Passes.h"
#include "passes/StorageAccess.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::qf {
#define GEN_PASS_DEF_QFLOWERTOLINALG
#include "passes/Passes.h.inc"
} // namespace mlir::qf

using namespace mlir;
using namespace mlir::qf;

namespace {

/// !qf.qtensor -> one tensor<Nxi8> per storage buffer; everything else as is.
class StorageTypeConverter : public TypeConverter {
public:
  StorageTypeConverter() {
    addConversion([](Type t) { return t; });
    addConversion([](QTensorType t, SmallVectorImpl<Type> &results) {
      Type i8 = IntegerType::get(t.getContext(), 8);
      for (const StorageBuffer &b : getStorageLayout(t.getScheme(), t.getShape()).buffers)
        results.push_back(RankedTensorType::get({b.bytes}, i8));
      return success();
    });
  }
};

/// An empty f32 tensor shaped like `type`, dynamic sizes taken from `like`.
Value emptyLike(OpBuilder &b, Location loc, RankedTensorType type, Value like) {
  SmallVector<Value> dynamic;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynamic.push_back(tensor::DimOp::create(b, loc, like, d));
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(), dynamic);
}

struct MatmulLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult matchAndRewrite(MatmulOp op, OneToNOpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = op.getResult().getType();
    Value lhs = adaptor.getLhs().front();
    int64_t rank = resultType.getRank(); // batch..., M, N
    StorageAccess weights(op.getRhs().getType(), adaptor.getRhs());

    Value init = emptyLike(rewriter, loc, resultType, lhs);
    Value zero = arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(resultType.getElementType()));
    Value acc = linalg::FillOp::create(rewriter, loc, zero, init).getResult(0);

    // Loops (batch..., m, n, k).
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> lhsExprs, outExprs;
    for (int64_t d = 0; d < rank - 1; ++d) {
      lhsExprs.push_back(getAffineDimExpr(d, ctx));
      outExprs.push_back(getAffineDimExpr(d, ctx));
    }
    lhsExprs.push_back(getAffineDimExpr(rank, ctx));
    outExprs.push_back(getAffineDimExpr(rank - 1, ctx));
    SmallVector<AffineMap> maps = {AffineMap::get(rank + 1, 0, lhsExprs, ctx),
                                   AffineMap::get(rank + 1, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);

    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, ValueRange{lhs}, ValueRange{acc}, maps, iterators,
        [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
          Value n = linalg::IndexOp::create(b, bodyLoc, rank - 1);
          Value k = linalg::IndexOp::create(b, bodyLoc, rank);
          Value w = weights.emitDequantized(b, bodyLoc, {n, k});
          Value a = args[0];
          if (a.getType() != w.getType())
            a = arith::ExtFOp::create(b, bodyLoc, w.getType(), a);
          Value product = arith::MulFOp::create(b, bodyLoc, a, w);
          if (product.getType() != args[1].getType())
            product = arith::TruncFOp::create(b, bodyLoc, args[1].getType(), product);
          Value sum = arith::AddFOp::create(b, bodyLoc, args[1], product);
          linalg::YieldOp::create(b, bodyLoc, sum);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct DequantizeLowering : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult matchAndRewrite(DequantizeOp op, OneToNOpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = op.getResult().getType();
    StorageAccess storage(op.getInput().getType(), adaptor.getInput());
    // A dequantized tensor has the qtensor's static shape.
    Value init = tensor::EmptyOp::create(rewriter, loc, op.getInput().getType().getShape(),
                                         resultType.getElementType());
    int64_t rank = resultType.getRank();
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, init.getType(), ValueRange{}, ValueRange{init}, maps, iterators,
        [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
          SmallVector<Value> indices;
          for (int64_t d = 0; d < rank; ++d)
            indices.push_back(linalg::IndexOp::create(b, bodyLoc, d));
          Value v = storage.emitDequantized(b, bodyLoc, indices);
          if (v.getType() != args[0].getType())
            v = arith::TruncFOp::create(b, bodyLoc, args[0].getType(), v);
          linalg::YieldOp::create(b, bodyLoc, v);
        });
    Value result = generic.getResult(0);
    if (result.getType() != resultType)
      result = tensor::CastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct QfLowerToLinalgPass : qf::impl::QfLowerToLinalgBase<QfLowerToLinalgPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Ops whose lowering has not landed: say so where they are.
    WalkResult unsupported = module.walk([](Operation *op) {
      if (isa<QuantizeOp, RequantizeOp, HadamardOp, WeightOp>(op))
        return op->emitOpError("has no lowering to linalg yet"), WalkResult::interrupt();
      if (auto mm = dyn_cast<MatmulOp>(op); mm && mm.getActScheme())
        return mm.emitOpError("with an activation scheme has no lowering to linalg yet"),
               WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (unsupported.wasInterrupted())
      return signalPassFailure();

    MLIRContext *ctx = &getContext();
    StorageTypeConverter converter;
    RewritePatternSet patterns(ctx);
    patterns.add<MatmulLowering, DequantizeLowering>(converter, ctx);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns, converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    populateCallOpTypeConversionPattern(patterns, converter);

    ConversionTarget target(*ctx);
    target.addIllegalDialect<QfDialect>();
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect, arith::ArithDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp f) {
      return converter.isSignatureLegal(f.getFunctionType()) &&
             converter.isLegal(&f.getBody());
    });
    target.addDynamicallyLegalOp<func::ReturnOp, func::CallOp>(
        [&](Operation *op) { return converter.isLegal(op); });
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
