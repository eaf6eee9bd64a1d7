//===- ActivationQuant.cpp - IR that quantizes activations on the fly ------===//
#include "passes/ActivationQuant.h"
#include "passes/BuilderHelpers.h"
#include "qf/Reference/Hadamard.h"

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

/// Whether activations quantize to `elem` on the CPU: signed integers and
/// signed minifloats (not the e8m0 / ue4m3 scale formats).
bool isLowerableElement(QuantFormatAttrInterface elem) {
  if (auto i = dyn_cast<IntFormatAttr>(elem))
    return i.getSignedness();
  auto f = dyn_cast<FloatFormatAttr>(elem);
  return f && f.getKind() != MinifloatKind::e8m0 && f.getKind() != MinifloatKind::ue4m3;
}

/// The i64 constant `v`, splat to `like`'s shape where it is a vector.
Value i64Const(OpBuilder &b, Location loc, Type like, int64_t v) {
  if (auto vt = dyn_cast<VectorType>(like))
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vt.clone(b.getI64Type()), b.getI64IntegerAttr(v)));
  return arith::ConstantIntOp::create(b, loc, b.getI64Type(), v);
}

/// floor(log2(x)) of positive normal f64 values (-1023 for zero), as i64.
Value exponentOf(OpBuilder &b, Location loc, Value x) {
  Type type = x.getType();
  Type i64 = isa<VectorType>(type) ? Type(cast<VectorType>(type).clone(b.getI64Type())) : b.getI64Type();
  Value bits = arith::BitcastOp::create(b, loc, i64, x);
  Value biased = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, bits, i64Const(b, loc, type, 52)),
      i64Const(b, loc, type, 0x7ff));
  return arith::SubIOp::create(b, loc, biased, i64Const(b, loc, type, 1023));
}

/// 2^e (f64) for i64 exponents `e` in the normal f64 range.
Value powerOfTwo(OpBuilder &b, Location loc, Value e) {
  Type type = e.getType();
  Type f64 = isa<VectorType>(type) ? Type(cast<VectorType>(type).clone(b.getF64Type())) : b.getF64Type();
  Value bits = arith::ShLIOp::create(
      b, loc, arith::AddIOp::create(b, loc, e, i64Const(b, loc, type, 1023)), i64Const(b, loc, type, 52));
  return arith::BitcastOp::create(b, loc, f64, bits);
}

} // namespace

LogicalResult ActivationQuantizer::check(Operation *op, SchemeAttr scheme,
                                         RankedTensorType actType) {
  if (!isLowerableElement(scheme.getElement()))
    return op->emitOpError() << "activation scheme element " << scheme.getElement()
                             << " has no CPU lowering: activations quantize to signed #qf.int "
                                "or a signed #qf.float";
  if (scheme.getOffset() != OffsetKind::none ||
      !(isa<TypeAttr>(scheme.getScale()) || scheme.hasSharedExponentScale()) ||
      scheme.getTensorScaleType() || scheme.getSuperBlock())
    return op->emitOpError() << "activation schemes lower with float or e8m0 (MX) scales only "
                                "(no offsets, other scale formats, tensor or super-block scales)";
  RoundingMode mode = scheme.getRounding();
  bool minifloat = isa<FloatFormatAttr>(scheme.getElement());
  if (minifloat ? mode != RoundingMode::nearest_even || !scheme.getSaturate()
                : mode != RoundingMode::nearest_even && mode != RoundingMode::nearest_away &&
                      mode != RoundingMode::toward_zero)
    return op->emitOpError() << "activation rounding " << stringifyRoundingMode(mode)
                             << " has no CPU lowering (integers: nearest_even, nearest_away, "
                                "toward_zero; minifloats: saturating nearest_even)";
  if (actType.getRank() != 2 || !actType.hasStaticShape() || !actType.getElementType().isF32())
    return op->emitOpError() << "activation schemes lower for static rank-2 f32 activations, got "
                             << actType;
  return success();
}

ActivationQuantizer::ActivationQuantizer(SchemeAttr scheme, RankedTensorType actType,
                                         ActivationRotation rotation)
    : scheme(scheme), actType(actType), rotation(rotation) {
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
  QuantFormatAttrInterface elem = scheme.getElement();
  if (auto i = dyn_cast<IntFormatAttr>(elem)) {
    unit = std::ldexp(1.0, -int(i.getFrac()));
    cmax = (int64_t(1) << (i.getWidth() - 1)) - 1;
    cmin = -cmax - 1;
    return;
  }
  // A minifloat: codes count its smallest subnormal, 2^(emin - mantissa).
  auto f = cast<FloatFormatAttr>(elem);
  double smallest = INFINITY, largest = 0;
  for (uint64_t c = 0, e = uint64_t(1) << f.getBitWidth(); c < e; ++c)
    if (double v = f.decodeHost(c); std::isfinite(v) && v > 0)
      smallest = std::min(smallest, v), largest = std::max(largest, v);
  unit = smallest;
  mantissaBits = int(f.getMantissaBits());
  minNormalExponent = std::ilogb(smallest) + *mantissaBits;
  cmax = int64_t(largest / smallest);
  cmin = -cmax;
}

ActivationQuantizer::ActivationQuantizer(MatmulOp op)
    : ActivationQuantizer(*op.getActScheme(), cast<RankedTensorType>(op.getLhs().getType()),
                          {int64_t(op.getActHadamard().value_or(0)), op.getActHadamardSeed()}) {}

bool ActivationQuantizer::supportsCodes() const {
  return actType.getDimSize(1) % 32 == 0 && groupCols % 32 == 0 && cmax <= 127 && cmin >= -128;
}

bool ActivationQuantizer::canRotate(int64_t size) const {
  return size <= 256 && groupCols % size == 0;
}

Value ActivationQuantizer::emitSignTable(OpBuilder &b, Location loc) const {
  if (!rotation.seed)
    return {};
  int64_t extent = actType.getDimSize(1);
  SmallVector<float> signs;
  for (int64_t i = 0; i < extent; ++i)
    signs.push_back(float(hadamardSign(*rotation.seed, uint64_t(i))));
  auto signType = RankedTensorType::get({extent}, b.getF32Type());
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(signType, ArrayRef(signs)));
}

Value ActivationQuantizer::emitRotation(OpBuilder &b, Location loc, Value x, Value k,
                                        Value signs) const {
  auto type = cast<VectorType>(x.getType());
  int64_t span = type.getNumElements(), size = rotation.size;
  if (signs) {
    Value pad = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    Value sign = vector::TransferReadOp::create(b, loc, type, signs, ValueRange{k}, pad,
                                                ArrayRef<bool>{true});
    x = arith::MulFOp::create(b, loc, x, sign);
  }
  // The butterflies of HadamardLowering, lane by lane: lane i pairs with
  // lane i ^ h; the lower lane keeps the sum, the upper lower - upper.
  for (int64_t h = 1; h < size; h *= 2) {
    SmallVector<int64_t> partner;
    SmallVector<bool> upper;
    for (int64_t i = 0; i < span; ++i)
      partner.push_back(i ^ h), upper.push_back(i & h);
    Value p = vector::ShuffleOp::create(b, loc, x, x, partner);
    Value sum = arith::AddFOp::create(b, loc, x, p);
    Value difference = arith::SubFOp::create(b, loc, p, x);
    auto maskType = VectorType::get({span}, b.getI1Type());
    Value mask = arith::ConstantOp::create(b, loc, DenseElementsAttr::get(maskType, ArrayRef(upper)));
    x = arith::SelectOp::create(b, loc, mask, difference, sum);
    if (2 * h == size) {
      Value scale = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(type, b.getF32FloatAttr(float(1.0 / std::sqrt(double(size))))));
      x = arith::MulFOp::create(b, loc, x, scale);
    }
  }
  return x;
}

Value ActivationQuantizer::emitRounding(OpBuilder &b, Location loc, Value y) const {
  auto vecF64 = cast<VectorType>(y.getType());
  auto splat = [&](double v) {
    return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(vecF64, b.getF64FloatAttr(v)))
        .getResult();
  };
  if (!mantissaBits) {
    y = arith::DivFOp::create(b, loc, y, splat(unit));
    switch (scheme.getRounding()) {
    case RoundingMode::nearest_away:
      y = math::RoundOp::create(b, loc, y);
      break;
    case RoundingMode::toward_zero:
      y = math::TruncOp::create(b, loc, y);
      break;
    default:
      y = math::RoundEvenOp::create(b, loc, y);
    }
    return arith::MinimumFOp::create(b, loc, arith::MaximumFOp::create(b, loc, y, splat(double(cmin))),
                                     splat(double(cmax)));
  }
  // |y| to the nearest value with the mantissa's bits in its binade (the
  // smallest normal binade for subnormals), ties to even, then saturated.
  auto splatI64 = [&](int64_t v) { return i64Const(b, loc, vecF64, v); };
  Value a = math::AbsFOp::create(b, loc, y);
  Value e = arith::MaxSIOp::create(b, loc, exponentOf(b, loc, a), splatI64(minNormalExponent));
  Value steps = math::RoundEvenOp::create(
      b, loc, arith::MulFOp::create(b, loc, a, powerOfTwo(b, loc, arith::SubIOp::create(b, loc, splatI64(*mantissaBits), e))));
  Value codes = arith::MulFOp::create(
      b, loc, steps, powerOfTwo(b, loc, arith::SubIOp::create(b, loc, e, splatI64(minNormalExponent))));
  codes = arith::MinimumFOp::create(b, loc, codes, splat(double(cmax)));
  Value negative = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, y, splat(0));
  return arith::SelectOp::create(b, loc, negative, arith::NegFOp::create(b, loc, codes), codes);
}

SmallVector<Value> ActivationQuantizer::emitLoops(OpBuilder &b, Location loc, Value act,
                                                  int64_t width, ValueRange init,
                                                  ChunkBody body) const {
  auto f32 = b.getF32Type(), f64 = b.getF64Type();
  auto vecF32 = VectorType::get({width}, f32), vecF64 = VectorType::get({width}, f64);
  // Runs are read `span` at a time, whole rotation blocks.
  int64_t span = std::max(width, rotation.size);
  auto vecSpan = VectorType::get({span}, f32);
  Value zero = indexConst(b, loc, 0);
  Value padF32 = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  Value signs = emitSignTable(b, loc);
  using RunFn = function_ref<SmallVector<Value>(OpBuilder &, Location, Value r, Value k, Value x,
                                                ValueRange)>;
  // Every run of `width` in the group at (r0, g0), read and rotated (the
  // scale pass and the code pass each rotate it: nothing is stored between).
  auto overGroup = [&](OpBuilder &b, Location l, Value r0, Value g0, ValueRange init, RunFn fn) {
    Value r1 = arith::AddIOp::create(b, l, r0, indexConst(b, l, groupRows));
    Value g1 = arith::AddIOp::create(b, l, g0, indexConst(b, l, groupCols));
    return forLoop(b, l, r0, r1, 1, init, [&](OpBuilder &b, Location l, Value r, ValueRange c) {
      return forLoop(b, l, g0, g1, span, c, [&](OpBuilder &b, Location l, Value k, ValueRange c) {
        Value x = vector::TransferReadOp::create(b, l, vecSpan, act, ValueRange{r, k}, padF32,
                                                 ArrayRef<bool>{true});
        if (rotation.size)
          x = emitRotation(b, l, x, k, signs);
        SmallVector<Value> carried(c);
        for (int64_t at = 0; at < span; at += width) {
          Value run = x;
          if (span != width)
            run = vector::ExtractStridedSliceOp::create(b, l, x, ArrayRef<int64_t>{at},
                                                        ArrayRef<int64_t>{width}, ArrayRef<int64_t>{1});
          carried = fn(b, l, r, arith::AddIOp::create(b, l, k, indexConst(b, l, at)), run, carried);
        }
        return carried;
      });
    });
  };

  int64_t m = actType.getDimSize(0), k = actType.getDimSize(1);
  double vmax = double(cmax) * unit, vmin = double(cmin) * unit;
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
          [&](OpBuilder &b, Location l, Value, Value, Value x, ValueRange mm) -> SmallVector<Value> {
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
      Value hi = arith::ExtFOp::create(b, l, f64, stats[0]);
      Value lo = arith::ExtFOp::create(b, l, f64, stats[1]);
      Value S;
      if (scheme.hasSharedExponentScale()) {
        // OCP MX: 2^(floor(log2(amax)) - emax), the exponent within [-127, 127].
        Value amax = arith::MaximumFOp::create(b, l, hi, arith::NegFOp::create(b, l, lo));
        auto c = [&](int64_t v) { return i64Const(b, l, amax.getType(), v); };
        Value e = arith::SubIOp::create(b, l, exponentOf(b, l, amax),
                                        c(getMaxExponent(scheme.getElement())));
        e = arith::MinSIOp::create(b, l, arith::MaxSIOp::create(b, l, e, c(-127)), c(127));
        S = powerOfTwo(b, l, e);
      } else {
        // max(0, max / vmax, min / vmin), rounded to the scale type.
        Value s = arith::MaximumFOp::create(
            b, l, f64Const(b, l, 0),
            arith::MaximumFOp::create(b, l, arith::DivFOp::create(b, l, hi, f64Const(b, l, vmax)),
                                      arith::DivFOp::create(b, l, lo, f64Const(b, l, vmin))));
        Type scaleType = cast<TypeAttr>(scheme.getScale()).getValue();
        S = arith::ExtFOp::create(b, l, f64, truncF64(b, l, scaleType, s));
      }
      Value sa = arith::TruncFOp::create(b, l, f32, arith::MulFOp::create(b, l, S, f64Const(b, l, unit)));
      Value positive = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, S, f64Const(b, l, 0));
      Value zeros = arith::ConstantOp::create(b, l, DenseElementsAttr::get(vecF64, b.getF64FloatAttr(0)));
      return overGroup(
          b, l, r0, g0, carried,
          [&](OpBuilder &b, Location l, Value r, Value kc, Value x, ValueRange c) {
            Value y = arith::DivFOp::create(b, l, arith::ExtFOp::create(b, l, vecF64, x),
                                            vector::BroadcastOp::create(b, l, vecF64, S));
            Value codes = arith::SelectOp::create(b, l, positive, emitRounding(b, l, y), zeros);
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
  Type codeType = b.getIntegerType(options.codeBits);
  SmallVector<Value> init = {empty(k, codeType), empty(k / chunk, f32)};
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
        c = arith::FPToSIOp::create(b, l, VectorType::get({chunk}, i32), c);
        if (options.scaleFactor)
          sa = arith::MulFOp::create(b, l, sa, options.scaleFactor);
        Value bytes = arith::TruncIOp::create(b, l, VectorType::get({chunk}, codeType), c);
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
            if (kind == Sums) {
              total = arith::MulFOp::create(b, l, arith::SIToFPOp::create(b, l, f32, total), sa);
              if (options.sumsFactor != 1)
                total = arith::MulFOp::create(
                    b, l, total, arith::ConstantOp::create(b, l, b.getF32FloatAttr(float(options.sumsFactor))));
            }
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
    auto spanType = VectorType::get({span}, codeType);
    Value pad = arith::ConstantIntOp::create(b, loc, codeType, 0);
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
                     Value v = arith::MulFOp::create(b, l, arith::TruncFOp::create(b, l, vecF32, c),
                                                     vector::BroadcastOp::create(b, l, vecF32, sa));
                     return {vector::TransferWriteOp::create(b, l, v, t[0], ValueRange{r, k0},
                                                             ArrayRef<bool>{true})
                                 .getResult()};
                   })
      .front();
}
