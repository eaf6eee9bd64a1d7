//===- LayerKernels.cpp - A llama layer's steps besides the matmuls, as IR -===//
#include "frontend/llama/LayerKernels.h"
#include "runtime/ModelDescription.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <cmath>

using namespace mlir;

namespace {
using utils::IteratorType;
/// Positions an attention loop step handles: 16 f32 lanes, one AVX-512 register.
constexpr int64_t kAttentionLanes = 16;
using BodyFn = function_ref<void(OpBuilder &, Location, ValueRange)>;

/// A function `name` of `args` returning `results`, with `b` inside it.
func::FuncOp startFunction(ImplicitLocOpBuilder &b, const std::string &name, TypeRange args,
                           TypeRange results) {
  auto fn = func::FuncOp::create(b, name, b.getFunctionType(args, results));
  b.setInsertionPointToStart(fn.addEntryBlock());
  return fn;
}

/// An affine map of `dims` dimensions picking `results` (dimension numbers,
/// or an expression built from them).
AffineMap pick(MLIRContext *ctx, unsigned dims, ArrayRef<AffineExpr> results) {
  return AffineMap::get(dims, 0, results, ctx);
}

Value empty(ImplicitLocOpBuilder &b, ArrayRef<int64_t> shape, Type type,
            ValueRange dynamicSizes = {}) {
  return tensor::EmptyOp::create(b, shape, type, dynamicSizes);
}

Value filled(ImplicitLocOpBuilder &b, double value, Value init) {
  auto type = cast<RankedTensorType>(init.getType());
  Value v = arith::ConstantOp::create(b, b.getFloatAttr(type.getElementType(), value));
  return linalg::FillOp::create(b, v, init).getResult(0);
}

/// A generic over `iterators`, one result per `outs`.
ValueRange generic(ImplicitLocOpBuilder &b, ValueRange ins, ValueRange outs, ArrayRef<AffineMap> maps,
                   ArrayRef<IteratorType> iterators, BodyFn body) {
  return linalg::GenericOp::create(b, outs.getTypes(), ins, outs, maps, iterators, body).getResults();
}
} // namespace

void qforge::llama::addRmsNormKernel(OpBuilder &builder, Location loc, int64_t d, int64_t m,
                                     double eps) {
  ImplicitLocOpBuilder b(loc, builder);
  OpBuilder::InsertionGuard guard(b);
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type(), f64 = b.getF64Type();
  auto xType = RankedTensorType::get({m, d}, f32);
  func::FuncOp fn = startFunction(b, runtime::rmsNormEntry(d, m),
                                  {xType, RankedTensorType::get({d}, f32)}, {xType});
  Value x = fn.getArgument(0), gain = fn.getArgument(1);
  AffineExpr t = getAffineDimExpr(0, ctx), i = getAffineDimExpr(1, ctx);
  AffineMap all = pick(ctx, 2, {t, i}), row = pick(ctx, 2, {t}), col = pick(ctx, 2, {i});
  auto parallel = IteratorType::parallel;

  Value acc = filled(b, 0, empty(b, {m}, f64));
  Value sums = generic(b, x, acc, {all, row}, {parallel, IteratorType::reduction},
                       [](OpBuilder &nb, Location l, ValueRange a) {
                         Value v = arith::ExtFOp::create(nb, l, nb.getF64Type(), a[0]);
                         Value sum = arith::AddFOp::create(nb, l, a[1], arith::MulFOp::create(nb, l, v, v));
                         linalg::YieldOp::create(nb, l, sum);
                       })[0];
  // 1 / sqrt(mean + eps) a token, in f32.
  AffineMap one = pick(ctx, 1, {getAffineDimExpr(0, ctx)});
  Value scales = generic(b, sums, empty(b, {m}, f32), {one, one}, {parallel},
                         [&](OpBuilder &nb, Location l, ValueRange a) {
                           Value mean = arith::DivFOp::create(
                               nb, l, a[0], arith::ConstantOp::create(nb, l, nb.getF64FloatAttr(double(d))));
                           Value shifted = arith::AddFOp::create(
                               nb, l, arith::TruncFOp::create(nb, l, f32, mean),
                               arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(float(eps))));
                           linalg::YieldOp::create(nb, l, math::RsqrtOp::create(nb, l, shifted).getResult());
                         })[0];
  Value y = generic(b, {x, scales, gain}, empty(b, {m, d}, f32), {all, row, col, all},
                    {parallel, parallel}, [](OpBuilder &nb, Location l, ValueRange a) {
                      Value scaled = arith::MulFOp::create(nb, l, a[0], a[1]);
                      linalg::YieldOp::create(nb, l, arith::MulFOp::create(nb, l, scaled, a[2]).getResult());
                    })[0];
  func::ReturnOp::create(b, y);
}

void qforge::llama::addSwigluKernel(OpBuilder &builder, Location loc, int64_t f, int64_t m,
                                    bool stacked) {
  ImplicitLocOpBuilder b(loc, builder);
  OpBuilder::InsertionGuard guard(b);
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  auto half = RankedTensorType::get({m, f}, f32);
  SmallVector<Type> args = stacked ? SmallVector<Type>{RankedTensorType::get({m, 2 * f}, f32)}
                                   : SmallVector<Type>{half, half};
  func::FuncOp fn = startFunction(b, runtime::swigluEntry(f, m, stacked), args, {half});
  Value gate = fn.getArgument(0), up;
  if (stacked) {
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(m), b.getIndexAttr(f)};
    SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
    up = tensor::ExtractSliceOp::create(b, half, gate, ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(f)},
                                        sizes, strides);
    gate = tensor::ExtractSliceOp::create(b, half, gate, ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0)},
                                          sizes, strides);
  } else {
    up = fn.getArgument(1);
  }
  AffineMap all = AffineMap::getMultiDimIdentityMap(2, ctx);
  Value y = generic(b, {gate, up}, empty(b, {m, f}, f32), {all, all, all},
                    {IteratorType::parallel, IteratorType::parallel},
                    [](OpBuilder &nb, Location l, ValueRange a) {
                      Value one = arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(1));
                      Value e = math::ExpOp::create(nb, l, arith::NegFOp::create(nb, l, a[0]));
                      Value silu = arith::DivFOp::create(nb, l, a[0], arith::AddFOp::create(nb, l, one, e));
                      linalg::YieldOp::create(nb, l, arith::MulFOp::create(nb, l, silu, a[1]).getResult());
                    })[0];
  func::ReturnOp::create(b, y);
}

void qforge::llama::addRopeKernel(OpBuilder &builder, Location loc, int64_t heads, int64_t kvHeads,
                                  int64_t headDim, int64_t m, double base) {
  ImplicitLocOpBuilder b(loc, builder);
  OpBuilder::InsertionGuard guard(b);
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type(), f64 = b.getF64Type();
  int64_t pairs = headDim / 2;
  auto qType = RankedTensorType::get({m, heads * headDim}, f32);
  auto kType = RankedTensorType::get({m, kvHeads * headDim}, f32);
  func::FuncOp fn = startFunction(b, runtime::ropeEntry(heads, kvHeads, headDim, m),
                                  {qType, kType, RankedTensorType::get({m}, f32)}, {qType, kType});
  auto parallel = IteratorType::parallel;

  // cos and sin of pos[t] * base^(-2i/headDim), the angle in f64.
  SmallVector<double> frequencies;
  for (int64_t i = 0; i < pairs; ++i)
    frequencies.push_back(std::pow(base, -2.0 * double(i) / double(headDim)));
  auto freqType = RankedTensorType::get({pairs}, f64);
  Value freq = arith::ConstantOp::create(b, DenseElementsAttr::get(freqType, ArrayRef<double>(frequencies)));
  AffineExpr t = getAffineDimExpr(0, ctx), i = getAffineDimExpr(1, ctx);
  ValueRange cosSin = generic(
      b, {fn.getArgument(2), freq}, {empty(b, {m, pairs}, f32), empty(b, {m, pairs}, f32)},
      {pick(ctx, 2, {t}), pick(ctx, 2, {i}), pick(ctx, 2, {t, i}), pick(ctx, 2, {t, i})},
      {parallel, parallel}, [&](OpBuilder &nb, Location l, ValueRange a) {
        Value angle = arith::MulFOp::create(nb, l, arith::ExtFOp::create(nb, l, f64, a[0]), a[1]);
        Value c = arith::TruncFOp::create(nb, l, f32, math::CosOp::create(nb, l, angle));
        Value s = arith::TruncFOp::create(nb, l, f32, math::SinOp::create(nb, l, angle));
        linalg::YieldOp::create(nb, l, ValueRange{c, s});
      });
  Value cos = cosSin[0], sin = cosSin[1];

  // Each pair (x0, x1) becomes (x0 c - x1 s, x1 c + x0 s): element j of a
  // pair reads its partner 1 - j.
  auto rotate = [&](Value x, int64_t n) -> Value {
    auto shape4 = RankedTensorType::get({m, n, pairs, 2}, f32);
    SmallVector<ReassociationIndices> groups = {{0}, {1, 2, 3}};
    Value x4 = tensor::ExpandShapeOp::create(b, shape4, x, groups);
    SmallVector<AffineExpr> d(4);
    for (unsigned k = 0; k < 4; ++k)
      d[k] = getAffineDimExpr(k, ctx);
    AffineMap self = pick(ctx, 4, d), partner = pick(ctx, 4, {d[0], d[1], d[2], 1 - d[3]}),
              angle = pick(ctx, 4, {d[0], d[2]});
    Value y4 = generic(b, {x4, x4, cos, sin}, empty(b, {m, n, pairs, 2}, f32),
                       {self, partner, angle, angle, self}, {parallel, parallel, parallel, parallel},
                       [](OpBuilder &nb, Location l, ValueRange a) {
                         Value j = linalg::IndexOp::create(nb, l, 3);
                         Value first = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, j,
                                                             arith::ConstantIndexOp::create(nb, l, 0));
                         Value other = arith::SelectOp::create(nb, l, first, arith::NegFOp::create(nb, l, a[1]), a[1]);
                         Value xc = arith::MulFOp::create(nb, l, a[0], a[2]);
                         linalg::YieldOp::create(nb, l, math::FmaOp::create(nb, l, other, a[3], xc).getResult());
                       })[0];
    return tensor::CollapseShapeOp::create(b, x.getType(), y4, groups);
  };
  func::ReturnOp::create(b, ValueRange{rotate(fn.getArgument(0), heads), rotate(fn.getArgument(1), kvHeads)});
}

void qforge::llama::addAttentionKernel(OpBuilder &builder, Location loc, int64_t headDim) {
  ImplicitLocOpBuilder b(loc, builder);
  OpBuilder::InsertionGuard guard(b);
  Type f32 = b.getF32Type();
  int64_t dyn = ShapedType::kDynamic;
  auto vecType = RankedTensorType::get({headDim}, f32);
  func::FuncOp fn = startFunction(b, runtime::attentionEntry(headDim),
                                  {vecType, RankedTensorType::get({headDim, dyn}, f32),
                                   RankedTensorType::get({dyn, headDim}, f32)},
                                  {vecType});
  Value q = fn.getArgument(0), keysT = fn.getArgument(1), values = fn.getArgument(2);
  // n = min(rows of values, capacity of keys): never reads past either.
  Value n = arith::MinUIOp::create(b, tensor::DimOp::create(b, values, 0),
                                   tensor::DimOp::create(b, keysT, 1));
  Value c0 = arith::ConstantIndexOp::create(b, 0);
  auto lanes = VectorType::get({kAttentionLanes}, f32);
  auto splat = [&](OpBuilder &nb, Location l, VectorType type, float v) -> Value {
    return arith::ConstantOp::create(nb, l, DenseElementsAttr::get(type, nb.getF32FloatAttr(v)));
  };
  // Loops over positions in blocks of kAttentionLanes; the last block's
  // lanes past n are padding on reads and dropped on writes.
  auto overBlocks = [&](ValueRange init,
                        function_ref<SmallVector<Value>(OpBuilder &, Location, Value, ValueRange)> body) {
    return scf::ForOp::create(b, c0, n, arith::ConstantIndexOp::create(b, kAttentionLanes), init,
                              [&](OpBuilder &nb, Location l, Value j0, ValueRange carried) {
                                scf::YieldOp::create(nb, l, body(nb, l, j0, carried));
                              })
        .getResults();
  };
  auto read = [&](OpBuilder &nb, Location l, Value source, ValueRange at, VectorType type,
                  float pad) -> Value {
    Value padding = arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(pad));
    return vector::TransferReadOp::create(nb, l, type, source, at, padding, ArrayRef<bool>{false}).getResult();
  };

  // Scores q . k, a block of positions summed over the head dimension in a
  // register; the 1/sqrt(headDim) scale comes in the softmax.
  Value scores = overBlocks(empty(b, {dyn}, f32, n),
                            [&](OpBuilder &nb, Location l, Value j0, ValueRange carried) -> SmallVector<Value> {
    Value dot = scf::ForOp::create(
        nb, l, arith::ConstantIndexOp::create(nb, l, 0), arith::ConstantIndexOp::create(nb, l, headDim),
        arith::ConstantIndexOp::create(nb, l, 1), ValueRange{splat(nb, l, lanes, 0)},
        [&](OpBuilder &ib, Location il, Value i, ValueRange acc) {
          Value qi = vector::BroadcastOp::create(ib, il, lanes, tensor::ExtractOp::create(ib, il, q, i));
          Value sum = math::FmaOp::create(ib, il, qi, read(ib, il, keysT, {i, j0}, lanes, 0), acc[0]);
          scf::YieldOp::create(ib, il, sum);
        }).getResult(0);
    return {vector::TransferWriteOp::create(nb, l, dot, carried[0], j0, ArrayRef<bool>{false}).getResult()};
  })[0];

  // Softmax: the maximum, then exp((s - max) * scale) and its sum, lane-wise.
  Value top = vector::ReductionOp::create(
      b, vector::CombiningKind::MAXIMUMF,
      overBlocks(splat(b, loc, lanes, -INFINITY), [&](OpBuilder &nb, Location l, Value j0, ValueRange m) -> SmallVector<Value> {
        return {arith::MaximumFOp::create(nb, l, m[0], read(nb, l, scores, j0, lanes, -INFINITY))};
      })[0]);
  ValueRange expSum = overBlocks(
      {empty(b, {dyn}, f32, n), splat(b, loc, lanes, 0)},
      [&](OpBuilder &nb, Location l, Value j0, ValueRange carried) -> SmallVector<Value> {
        Value shifted = arith::MulFOp::create(
            nb, l,
            arith::SubFOp::create(nb, l, read(nb, l, scores, j0, lanes, -INFINITY),
                                  vector::BroadcastOp::create(nb, l, lanes, top)),
            splat(nb, l, lanes, float(1.0 / std::sqrt(double(headDim)))));
        Value e = math::ExpOp::create(nb, l, shifted);
        return {vector::TransferWriteOp::create(nb, l, e, carried[0], j0, ArrayRef<bool>{false}).getResult(),
                arith::AddFOp::create(nb, l, carried[1], e)};
      });
  Value weights = expSum[0];
  Value sum = vector::ReductionOp::create(b, vector::CombiningKind::ADD, expSum[1]);

  // Weighted values: all of a position's head dimensions in registers.
  auto row = VectorType::get({headDim}, f32);
  Value acc = scf::ForOp::create(
      b, c0, n, arith::ConstantIndexOp::create(b, 1), ValueRange{splat(b, loc, row, 0)},
      [&](OpBuilder &nb, Location l, Value j, ValueRange carried) {
        Value w = vector::BroadcastOp::create(nb, l, row, tensor::ExtractOp::create(nb, l, weights, j));
        Value v = vector::TransferReadOp::create(nb, l, row, values, ValueRange{j, c0},
                                                 arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(0)),
                                                 ArrayRef<bool>{true});
        scf::YieldOp::create(nb, l, math::FmaOp::create(nb, l, w, v, carried[0]).getResult());
      }).getResult(0);
  Value out = arith::DivFOp::create(b, acc, vector::BroadcastOp::create(b, row, sum));
  Value result =
      vector::TransferWriteOp::create(b, out, empty(b, {headDim}, f32), c0, ArrayRef<bool>{true}).getResult();
  func::ReturnOp::create(b, result);
}
