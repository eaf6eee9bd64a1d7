//===- ActivationQuant.cpp - IR that quantizes activations on the fly ------===//
#include "passes/ActivationQuant.h"
#include "passes/BuilderHelpers.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qf;

namespace {

Value f64Const(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
}

/// `x` (f64) rounded once to `type`. Narrower than f32, it goes through f32
/// rounded to odd, which keeps the second rounding exact, instead of the
/// soft-float library call LLVM emits for a direct f64 -> f16 truncation.
Value truncF64(OpBuilder &b, Location loc, Type type, Value x) {
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  if (type.getIntOrFloatBitWidth() >= 32)
    return arith::TruncFOp::create(b, loc, type, x);
  Value t = arith::TruncFOp::create(b, loc, f32, x);
  Value back = arith::ExtFOp::create(b, loc, x.getType(), t);
  Value bits = arith::BitcastOp::create(b, loc, i32, t);
  auto i32Const = [&](int32_t v) { return arith::ConstantIntOp::create(b, loc, i32, v); };
  // Truncate toward zero, then make the last bit sticky.
  Value away = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, math::AbsFOp::create(b, loc, back),
                                     math::AbsFOp::create(b, loc, x));
  bits = arith::SelectOp::create(b, loc, away, arith::SubIOp::create(b, loc, bits, i32Const(1)), bits);
  Value inexact = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, back, x);
  bits = arith::SelectOp::create(b, loc, inexact, arith::OrIOp::create(b, loc, bits, i32Const(1)), bits);
  return arith::TruncFOp::create(b, loc, type, arith::BitcastOp::create(b, loc, f32, bits));
}

IntFormatAttr signedIntElement(SchemeAttr scheme) {
  auto elem = dyn_cast<IntFormatAttr>(scheme.getElement());
  return elem && elem.getSignedness() ? elem : IntFormatAttr();
}

} // namespace

LogicalResult ActivationQuantizer::check(Operation *op, SchemeAttr scheme,
                                         RankedTensorType actType) {
  if (!signedIntElement(scheme))
    return op->emitOpError() << "activation scheme element " << scheme.getElement()
                             << " has no CPU lowering: activations quantize to signed #qf.int";
  if (scheme.getOffset() != OffsetKind::none || !isa<TypeAttr>(scheme.getScale()) ||
      scheme.getTensorScaleType() || scheme.getSuperBlock())
    return op->emitOpError() << "activation schemes lower with float scales only (no offsets, "
                                "scale formats, tensor or super-block scales)";
  RoundingMode mode = scheme.getRounding();
  if (mode != RoundingMode::nearest_even && mode != RoundingMode::nearest_away &&
      mode != RoundingMode::toward_zero)
    return op->emitOpError() << "activation rounding " << stringifyRoundingMode(mode)
                             << " has no CPU lowering (nearest_even, nearest_away, toward_zero)";
  if (actType.getRank() != 2 || !actType.hasStaticShape() || !actType.getElementType().isF32())
    return op->emitOpError() << "activation schemes lower for static rank-2 f32 activations, got "
                             << actType;
  return success();
}

ActivationQuantizer::ActivationQuantizer(SchemeAttr scheme, RankedTensorType actType)
    : scheme(scheme), actType(actType) {
  int64_t m = actType.getDimSize(0), k = actType.getDimSize(1);
  switch (scheme.getGranularity()) {
  case Granularity::tensor:
    groupRows = m, groupCols = k;
    break;
  case Granularity::per_axis: // per token
    groupRows = 1, groupCols = k;
    break;
  default:
    groupRows = 1, groupCols = scheme.getGroupSize();
  }
}

bool ActivationQuantizer::supportsCodes() const {
  return actType.getDimSize(1) % 32 == 0 && groupCols % 32 == 0;
}

SmallVector<Value> ActivationQuantizer::emitLoops(OpBuilder &b, Location loc, Value act,
                                                  int64_t width, ValueRange init,
                                                  ChunkBody body) const {
  IntFormatAttr elem = signedIntElement(scheme);
  auto f32 = b.getF32Type(), f64 = b.getF64Type();
  auto vecF32 = VectorType::get({width}, f32), vecF64 = VectorType::get({width}, f64);
  auto vecI32 = VectorType::get({width}, b.getI32Type());
  double unit = std::ldexp(1.0, -int(elem.getFrac()));
  int64_t cmax = (int64_t(1) << (elem.getWidth() - 1)) - 1, cmin = -cmax - 1;
  Value zero = indexConst(b, loc, 0);
  Value padF32 = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  auto readChunk = [&](OpBuilder &b, Location l, Value r, Value k) {
    return vector::TransferReadOp::create(b, l, vecF32, act, ValueRange{r, k}, padF32,
                                          ArrayRef<bool>{true})
        .getResult();
  };
  // Every run of `width` in the group at (r0, g0).
  auto overGroup = [&](OpBuilder &b, Location l, Value r0, Value g0, ValueRange init,
                       function_ref<SmallVector<Value>(OpBuilder &, Location, Value, Value,
                                                       ValueRange)> fn) {
    Value r1 = arith::AddIOp::create(b, l, r0, indexConst(b, l, groupRows));
    Value g1 = arith::AddIOp::create(b, l, g0, indexConst(b, l, groupCols));
    return forLoop(b, l, r0, r1, 1, init, [&](OpBuilder &b, Location l, Value r, ValueRange c) {
      return forLoop(b, l, g0, g1, width, c, [&](OpBuilder &b, Location l, Value k, ValueRange c) {
        return fn(b, l, r, k, c);
      });
    });
  };

  int64_t m = actType.getDimSize(0), k = actType.getDimSize(1);
  return forLoop(b, loc, zero, indexConst(b, loc, m), groupRows, init,
                 [&](OpBuilder &b, Location l, Value r0, ValueRange carried) {
    return forLoop(b, l, indexConst(b, l, 0), indexConst(b, l, k), groupCols, carried,
                   [&](OpBuilder &b, Location l, Value g0, ValueRange carried) {
      // The group's max and min: elementwise over its runs, then halving.
      auto splatF32 = [&](float v) {
        return arith::ConstantOp::create(b, l, DenseElementsAttr::get(vecF32, b.getF32FloatAttr(v)))
            .getResult();
      };
      SmallVector<Value> stats = overGroup(
          b, l, r0, g0, ValueRange{splatF32(-INFINITY), splatF32(INFINITY)},
          [&](OpBuilder &b, Location l, Value r, Value kc, ValueRange mm) -> SmallVector<Value> {
            Value x = readChunk(b, l, r, kc);
            return {arith::MaxNumFOp::create(b, l, mm[0], x), arith::MinNumFOp::create(b, l, mm[1], x)};
          });
      for (int64_t half = width / 2; half >= 1; half /= 2) {
        auto fold = [&](Value v) {
          auto part = [&](int64_t at) {
            return vector::ExtractStridedSliceOp::create(b, l, v, ArrayRef<int64_t>{at},
                                                         ArrayRef<int64_t>{half}, ArrayRef<int64_t>{1})
                .getResult();
          };
          return std::pair(part(0), part(half));
        };
        auto [hiA, hiB] = fold(stats[0]);
        auto [loA, loB] = fold(stats[1]);
        stats = {arith::MaxNumFOp::create(b, l, hiA, hiB), arith::MinNumFOp::create(b, l, loA, loB)};
      }
      for (Value &v : stats)
        v = vector::ExtractOp::create(b, l, v, ArrayRef<int64_t>{0});
      // scale = max(0, max / vmax, min / vmin), rounded to the scale type.
      Value hi = arith::ExtFOp::create(b, l, f64, stats[0]);
      Value lo = arith::ExtFOp::create(b, l, f64, stats[1]);
      Value s = arith::MaximumFOp::create(
          b, l, f64Const(b, l, 0),
          arith::MaximumFOp::create(b, l, arith::DivFOp::create(b, l, hi, f64Const(b, l, cmax * unit)),
                                    arith::DivFOp::create(b, l, lo, f64Const(b, l, cmin * unit))));
      Type scaleType = cast<TypeAttr>(scheme.getScale()).getValue();
      Value stored = truncF64(b, l, scaleType, s);
      Value S = arith::ExtFOp::create(b, l, f64, stored);
      Value saWide = arith::MulFOp::create(b, l, S, f64Const(b, l, unit));
      Value sa = arith::TruncFOp::create(b, l, f32, saWide);
      Value positive = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, S, f64Const(b, l, 0));
      // code = clamp(round(x / scale * 2^frac)), 0 for a zero scale.
      Value step = arith::DivFOp::create(b, l, S, f64Const(b, l, unit));
      return overGroup(
          b, l, r0, g0, carried,
          [&](OpBuilder &b, Location l, Value r, Value kc, ValueRange c) {
            Value x = arith::ExtFOp::create(b, l, vecF64, readChunk(b, l, r, kc));
            Value y = arith::DivFOp::create(b, l, x, vector::BroadcastOp::create(b, l, vecF64, step));
            switch (scheme.getRounding()) {
            case RoundingMode::nearest_away:
              y = math::RoundOp::create(b, l, y);
              break;
            case RoundingMode::toward_zero:
              y = math::TruncOp::create(b, l, y);
              break;
            default:
              y = math::RoundEvenOp::create(b, l, y);
            }
            auto splat = [&](double v) {
              return arith::ConstantOp::create(b, l, DenseElementsAttr::get(vecF64, b.getF64FloatAttr(v)))
                  .getResult();
            };
            y = arith::MinimumFOp::create(b, l, arith::MaximumFOp::create(b, l, y, splat(cmin)),
                                          splat(cmax));
            y = arith::SelectOp::create(b, l, positive, y, splat(0));
            Value codes = arith::FPToSIOp::create(b, l, vecI32, y);
            return body(b, l, r, kc, sa, codes, c);
          });
    });
  });
}

ActivationQuantizer::Codes ActivationQuantizer::emitCodes(OpBuilder &b, Location loc, Value act,
                                                          const CodeOptions &options) const {
  constexpr int64_t chunk = 32;
  int64_t m = actType.getDimSize(0), k = actType.getDimSize(1), sumBlock = options.sumBlock;
  int64_t span = options.order.size();
  auto f32 = b.getF32Type();
  auto i32 = b.getI32Type();
  auto empty = [&](int64_t cols, Type elem) {
    return tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m, cols}, elem).getResult();
  };
  // The loops carry codes, scales, then the optional results in this order.
  SmallVector<Value> init = {empty(k, b.getI8Type()), empty(k / chunk, f32)};
  enum Optional { Sums, CodeSums };
  SmallVector<Optional> optional;
  if (options.scaledSums)
    optional.push_back(Sums), init.push_back(empty(k / sumBlock, f32));
  if (options.codeSums)
    optional.push_back(CodeSums), init.push_back(empty(k / sumBlock, i32));
  SmallVector<Value> out = emitLoops(
      b, loc, act, chunk, init,
      [&](OpBuilder &b, Location l, Value r, Value k0, Value sa, Value c,
          ValueRange t) -> SmallVector<Value> {
        Value bytes = arith::TruncIOp::create(b, l, VectorType::get({chunk}, b.getI8Type()), c);
        if (span == chunk)
          bytes = vector::ShuffleOp::create(b, l, bytes, bytes, options.order);
        SmallVector<Value> results = {
            vector::TransferWriteOp::create(b, l, bytes, t[0], ValueRange{r, k0}, ArrayRef<bool>{true})
                .getResult(),
            tensor::InsertOp::create(b, l, sa, t[1],
                                     ValueRange{r, arith::DivUIOp::create(b, l, k0, indexConst(b, l, chunk))})};
        for (auto [kind, tensor] : llvm::zip(optional, t.drop_front(2))) {
          Value next = tensor;
          for (int64_t j = 0; j < chunk; j += sumBlock) {
            Value part = vector::ExtractStridedSliceOp::create(b, l, c, ArrayRef<int64_t>{j},
                                                               ArrayRef<int64_t>{sumBlock},
                                                               ArrayRef<int64_t>{1});
            Value total = vector::ReductionOp::create(b, l, vector::CombiningKind::ADD, part);
            if (kind == Sums)
              total = arith::MulFOp::create(b, l, arith::SIToFPOp::create(b, l, f32, total), sa);
            Value at = arith::DivUIOp::create(
                b, l, arith::AddIOp::create(b, l, k0, indexConst(b, l, j)), indexConst(b, l, sumBlock));
            next = tensor::InsertOp::create(b, l, total, next, ValueRange{r, at});
          }
          results.push_back(next);
        }
        return results;
      });
  if (span > chunk) {
    // An order across chunks: permute each span of the codes once written.
    auto spanType = VectorType::get({span}, b.getI8Type());
    Value pad = arith::ConstantIntOp::create(b, loc, b.getI8Type(), 0);
    out[0] = forLoop(b, loc, indexConst(b, loc, 0), indexConst(b, loc, m), 1, out[0],
                     [&](OpBuilder &b, Location l, Value r, ValueRange rowCodes) {
                       return forLoop(b, l, indexConst(b, l, 0), indexConst(b, l, k), span, rowCodes,
                                      [&](OpBuilder &b, Location l, Value ks, ValueRange codes) {
                                        Value v = vector::TransferReadOp::create(
                                            b, l, spanType, codes[0], ValueRange{r, ks}, pad, ArrayRef<bool>{true});
                                        v = vector::ShuffleOp::create(b, l, v, v, options.order);
                                        return SmallVector<Value>{
                                            vector::TransferWriteOp::create(b, l, v, codes[0], ValueRange{r, ks},
                                                                            ArrayRef<bool>{true})
                                                .getResult()};
                                      });
                     })
                 .front();
  }
  Codes codes{out[0], out[1], {}, {}};
  for (auto [kind, tensor] : llvm::zip(optional, ArrayRef(out).drop_front(2)))
    (kind == Sums ? codes.sums : codes.codeSums) = tensor;
  return codes;
}

Value ActivationQuantizer::emitDequantized(OpBuilder &b, Location loc, Value act) const {
  int64_t width = 32;
  while (groupCols % width)
    width /= 2;
  Value init = tensor::EmptyOp::create(b, loc, actType.getShape(), b.getF32Type());
  auto vecF32 = VectorType::get({width}, b.getF32Type());
  return emitLoops(b, loc, act, width, ValueRange{init},
                   [&](OpBuilder &b, Location l, Value r, Value k0, Value sa, Value c,
                       ValueRange t) -> SmallVector<Value> {
                     Value v = arith::MulFOp::create(b, l, arith::SIToFPOp::create(b, l, vecF32, c),
                                                     vector::BroadcastOp::create(b, l, vecF32, sa));
                     return {vector::TransferWriteOp::create(b, l, v, t[0], ValueRange{r, k0},
                                                             ArrayRef<bool>{true})
                                 .getResult()};
                   })
      .front();
}
