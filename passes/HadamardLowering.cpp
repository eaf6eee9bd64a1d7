//===- HadamardLowering.cpp - qf.hadamard as fast Walsh-Hadamard stages ----===//
#include "passes/HadamardLowering.h"
#include "qf/IR/Qf.h"
#include "qf/Reference/Hadamard.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qf;

namespace {
using utils::IteratorType;

struct HadamardLowering : OpConversionPattern<HadamardOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult matchAndRewrite(HadamardOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getInput().getType());
    if (!type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    int64_t rank = type.getRank(), size = int64_t(op.getSize());
    int64_t axis = int64_t(op.getAxis()) < 0 ? int64_t(op.getAxis()) + rank : int64_t(op.getAxis());
    int64_t extent = type.getDimSize(axis);
    Type elem = type.getElementType();
    auto identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    Value x = adaptor.getInput();

    if (std::optional<uint64_t> seed = op.getSeed()) {
      SmallVector<Attribute> signs;
      for (int64_t i = 0; i < extent; ++i)
        signs.push_back(FloatAttr::get(elem, hadamardSign(*seed, uint64_t(i))));
      Value diagonal = arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(RankedTensorType::get({extent}, elem), signs));
      AffineMap along = AffineMap::get(rank, 0, getAffineDimExpr(unsigned(axis), ctx));
      x = linalg::GenericOp::create(
              rewriter, loc, type, ValueRange{x, diagonal},
              ValueRange{tensor::EmptyOp::create(rewriter, loc, type.getShape(), elem)},
              ArrayRef<AffineMap>{identity, along, identity},
              SmallVector<IteratorType>(rank, IteratorType::parallel),
              [](OpBuilder &b, Location l, ValueRange a) {
                linalg::YieldOp::create(b, l, arith::MulFOp::create(b, l, a[0], a[1]).getResult());
              })
              .getResult(0);
    }

    // Stage h: the axis viewed as [extent / 2h, 2, h]; element (g, p, t)
    // becomes x(g, 0, t) + x(g, 1, t) for p = 0 and x(g, 0, t) - x(g, 1, t)
    // for p = 1.
    SmallVector<ReassociationIndices> groups;
    for (int64_t d = 0; d < rank; ++d)
      groups.push_back(d < axis ? ReassociationIndices{d}
                       : d == axis ? ReassociationIndices{d, d + 1, d + 2}
                                   : ReassociationIndices{d + 2});
    Value scale = arith::ConstantOp::create(rewriter, loc, FloatAttr::get(elem, 1.0 / std::sqrt(double(size))));
    for (int64_t h = 1; h < size; h *= 2) {
      SmallVector<int64_t> shape(type.getShape());
      shape[size_t(axis)] = h;
      shape.insert(shape.begin() + axis, {extent / (2 * h), 2});
      auto stageType = RankedTensorType::get(shape, elem);
      Value view = tensor::ExpandShapeOp::create(rewriter, loc, stageType, x, groups);
      SmallVector<AffineExpr> self, partner;
      for (int64_t d = 0; d < rank + 2; ++d) {
        self.push_back(getAffineDimExpr(unsigned(d), ctx));
        partner.push_back(d == axis + 1 ? 1 - self.back() : self.back());
      }
      AffineMap selfMap = AffineMap::get(unsigned(rank + 2), 0, self, ctx);
      AffineMap partnerMap = AffineMap::get(unsigned(rank + 2), 0, partner, ctx);
      bool last = 2 * h == size;
      Value stage =
          linalg::GenericOp::create(
              rewriter, loc, stageType, ValueRange{view, view},
              ValueRange{tensor::EmptyOp::create(rewriter, loc, shape, elem)},
              ArrayRef<AffineMap>{selfMap, partnerMap, selfMap},
              SmallVector<IteratorType>(size_t(rank + 2), IteratorType::parallel),
              [&](OpBuilder &b, Location l, ValueRange a) {
                Value p = linalg::IndexOp::create(b, l, uint64_t(axis + 1));
                Value first = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, p,
                                                    arith::ConstantIndexOp::create(b, l, 0));
                Value sum = arith::AddFOp::create(b, l, a[0], a[1]);
                Value difference = arith::SubFOp::create(b, l, a[1], a[0]);
                Value y = arith::SelectOp::create(b, l, first, sum, difference);
                if (last)
                  y = arith::MulFOp::create(b, l, y, scale);
                linalg::YieldOp::create(b, l, y);
              })
              .getResult(0);
      x = tensor::CollapseShapeOp::create(rewriter, loc, type, stage, groups);
    }
    rewriter.replaceOp(op, x);
    return success();
  }
};
} // namespace

void qf::populateHadamardLoweringPattern(const TypeConverter &converter,
                                         RewritePatternSet &patterns) {
  patterns.add<HadamardLowering>(converter, patterns.getContext());
}
