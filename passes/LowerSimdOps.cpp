//===- LowerSimdOps.cpp - qf SIMD ops to host intrinsics or plain ops ----===//
#include "passes/Avx2DotSums.h"
#include "passes/Passes.h"
#include "qf/IR/Qf.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/bit.h"

namespace mlir::qf {
#define GEN_PASS_DEF_QFLOWERSIMDOPS
#include "passes/Passes.h.inc"
} // namespace mlir::qf

using namespace mlir;
using namespace mlir::qf;

namespace {

Value splat(OpBuilder &b, Location loc, VectorType type, Attribute value) {
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, value));
}

/// Slice `i` of the `count` equal parts of the 1-D vector `v`.
Value slice(OpBuilder &b, Location loc, Value v, int64_t i, int64_t count) {
  if (count == 1)
    return v;
  int64_t width = cast<VectorType>(v.getType()).getDimSize(0) / count;
  return vector::ExtractStridedSliceOp::create(b, loc, v, ArrayRef<int64_t>{i * width},
                                               ArrayRef<int64_t>{width}, ArrayRef<int64_t>{1});
}

/// The vector of `resultType` whose `count` equal parts `part(i)` gives,
/// each computed and inserted in turn.
Value joinSlices(OpBuilder &b, Location loc, VectorType resultType, int64_t count,
                 function_ref<Value(int64_t)> part) {
  if (count == 1)
    return part(0);
  Value result = splat(b, loc, resultType, b.getZeroAttr(resultType.getElementType()));
  int64_t width = resultType.getDimSize(0) / count;
  for (int64_t i = 0; i < count; ++i)
    result = vector::InsertStridedSliceOp::create(b, loc, part(i), result, ArrayRef<int64_t>{i * width},
                                                  ArrayRef<int64_t>{1});
  return result;
}

/// `f` applied to each `width`-lane slice of the 1-D `inputs`, the results
/// joined back into a vector of `resultType`.
Value perSlice(OpBuilder &b, Location loc, VectorType resultType, ValueRange inputs,
               int64_t width, function_ref<Value(ValueRange)> f) {
  int64_t count = resultType.getDimSize(0) / width;
  return joinSlices(b, loc, resultType, count, [&](int64_t i) {
    return f(llvm::map_to_vector(inputs, [&](Value in) { return slice(b, loc, in, i, count); }));
  });
}

Value callIntrinsic(OpBuilder &b, Location loc, Type result, StringRef name, ValueRange args) {
  return LLVM::CallIntrinsicOp::create(b, loc, result, b.getStringAttr(name), args).getResult(0);
}

/// acc + the VNNI dot product `instruction` (vpdpbusd, vpdpwssd) of lhs and
/// rhs, 16, 8 or 4 i32 lanes at a time; AVX-VNNI without AVX-512 has the
/// 128- and 256-bit forms only.
Value vnniDot(OpBuilder &b, Location loc, StringRef instruction, Value acc, Value lhs, Value rhs, bool avx512) {
  auto accType = cast<VectorType>(acc.getType());
  int64_t lanes = accType.getDimSize(0);
  int64_t width = avx512 && lanes % 16 == 0 ? 16 : lanes % 8 == 0 ? 8 : 4;
  auto sliceType = VectorType::get({width}, accType.getElementType());
  std::string name = ("llvm.x86.avx512." + instruction + "." + Twine(width * 32)).str();
  return perSlice(b, loc, accType, {acc, lhs, rhs}, width,
                  [&](ValueRange s) { return callIntrinsic(b, loc, sliceType, name, s); });
}

/// acc[i] + the sum of lhs[g * i + j] * rhs[g * i + j] over j < g, from
/// operands widened to i32: multiplies and a reduction of each group.
Value reducedDot(OpBuilder &b, Location loc, Value acc, Value lhs, Value rhs) {
  int64_t lanes = cast<VectorType>(acc.getType()).getDimSize(0);
  int64_t group = cast<VectorType>(lhs.getType()).getDimSize(0) / lanes;
  Value products = vector::ShapeCastOp::create(b, loc, VectorType::get({lanes, group}, b.getI32Type()),
                                               arith::MulIOp::create(b, loc, lhs, rhs));
  return vector::MultiDimReductionOp::create(b, loc, products, acc, ArrayRef<bool>{false, true},
                                             vector::CombiningKind::ADD);
}

/// The 256-bit unpack of x and y (vectors of `n` elements): in each 128-bit
/// lane, the low (or high) halves of x's and y's elements interleaved.
Value unpack(OpBuilder &b, Location loc, Value x, Value y, bool high) {
  int64_t n = cast<VectorType>(x.getType()).getDimSize(0), lane = n / 2;
  SmallVector<int64_t> mask;
  for (int64_t l = 0; l < 2; ++l)
    for (int64_t i = 0; i < lane / 2; ++i) {
      int64_t e = l * lane + (high ? lane / 2 : 0) + i;
      mask.append({e, n + e});
    }
  return vector::ShuffleOp::create(b, loc, x, y, mask);
}

Value bitcastTo(OpBuilder &b, Location loc, Value v, int64_t n, Type elem) {
  return vector::BitCastOp::create(b, loc, VectorType::get({n}, elem), v);
}

/// `parts` (vectors of one type) joined in order.
Value concat(OpBuilder &b, Location loc, ArrayRef<Value> parts) {
  SmallVector<Value> level(parts);
  while (level.size() > 1) {
    SmallVector<Value> next;
    for (size_t i = 0; i < level.size(); i += 2) {
      int64_t n = 2 * cast<VectorType>(level[i].getType()).getDimSize(0);
      next.push_back(vector::ShuffleOp::create(b, loc, level[i], level[i + 1],
                                               llvm::to_vector(llvm::seq<int64_t>(0, n))));
    }
    level = std::move(next);
  }
  return level.front();
}

/// f32 `table[codes]` on AVX2 by byte lookups, 32 or 16 lanes at a time (see
/// LookupLowering).
Value byteTableLookup(OpBuilder &b, Location loc, VectorType resultType, Value codes,
                      ArrayRef<float> table) {
  auto v32i8 = VectorType::get({32}, b.getI8Type());
  codes = arith::TruncIOp::create(
      b, loc, VectorType::get(cast<VectorType>(codes.getType()).getShape(), b.getI8Type()), codes);
  SmallVector<Value> byteTables;
  for (int q = 0; q < 4; ++q) {
    SmallVector<int8_t> bytes;
    for (int64_t i = 0; i < 32; ++i)
      bytes.push_back(int8_t(llvm::bit_cast<uint32_t>(table[i % 16]) >> (8 * q)));
    byteTables.push_back(
        arith::ConstantOp::create(b, loc, DenseElementsAttr::get(v32i8, ArrayRef(bytes))));
  }
  // 16 codes fill the lanes' low halves (the high halves repeat them).
  int64_t width = resultType.getDimSize(0) % 32 == 0 ? 32 : 16;
  static constexpr int64_t dwords32[] = {0, 2, 4, 6, 1, 3, 5, 7}, dwords16[] = {0, 2, 0, 2, 1, 3, 1, 3};
  SmallVector<int64_t> dwordOrder;
  for (int64_t d : width == 32 ? dwords32 : dwords16)
    for (int64_t i = 0; i < 4; ++i)
      dwordOrder.push_back(4 * d + i);
  Type i16 = b.getI16Type(), f32 = b.getF32Type();
  return perSlice(b, loc, resultType, codes, width, [&](ValueRange idx) {
    Value ordered = vector::ShuffleOp::create(b, loc, idx[0], idx[0], dwordOrder);
    SmallVector<Value> bytes;
    for (Value t : byteTables)
      bytes.push_back(callIntrinsic(b, loc, v32i8, "llvm.x86.avx2.pshuf.b", {t, ordered}));
    SmallVector<Value> eighths;
    for (int64_t half = 0; half < width / 16; ++half) {
      bool high = half == 1;
      Value lowWords = bitcastTo(b, loc, unpack(b, loc, bytes[0], bytes[1], high), 16, i16);
      Value highWords = bitcastTo(b, loc, unpack(b, loc, bytes[2], bytes[3], high), 16, i16);
      for (bool upper : {false, true})
        eighths.push_back(bitcastTo(b, loc, unpack(b, loc, lowWords, highWords, upper), 8, f32));
    }
    return concat(b, loc, eighths);
  });
}

struct LookupLowering : OpRewritePattern<LookupOp> {
  LookupLowering(MLIRContext *ctx, bool avx512, bool avx2)
      : OpRewritePattern(ctx), avx512(avx512), avx2(avx2) {}

  LogicalResult matchAndRewrite(LookupOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto codesType = cast<VectorType>(op.getCodes().getType());
    auto resultType = cast<VectorType>(op.getResult().getType());
    Type elem = resultType.getElementType();
    bool bytes = elem.isInteger(8), words = elem.isInteger(16);
    int64_t n = codesType.getDimSize(0);
    // The table padded to 16 entries (codes never index the padding).
    SmallVector<float> table(op.getTable());
    table.resize(16, 0.0f);
    auto entry = [&](float v) -> Attribute {
      if (auto intType = dyn_cast<IntegerType>(elem))
        return rewriter.getIntegerAttr(elem, APInt(intType.getWidth(), uint64_t(int64_t(v)), /*isSigned=*/true));
      return rewriter.getF32FloatAttr(v);
    };

    if (!bytes && avx512 && n % 16 == 0) {
      auto v16f = VectorType::get({16}, elem);
      Value values = arith::ConstantOp::create(rewriter, loc,
                                               DenseElementsAttr::get(v16f, ArrayRef(table)));
      rewriter.replaceOp(op, perSlice(rewriter, loc, resultType, op.getCodes(), 16,
                                      [&](ValueRange idx) {
                                        return callIntrinsic(rewriter, loc, v16f,
                                                             "llvm.x86.avx512.permvar.sf.512",
                                                             {values, idx[0]});
                                      }));
      return success();
    }
    // pshufb looks up the low four bits of each byte in its 128-bit lane:
    // the table repeats in each lane.
    // An i16 table: its entries' low and high bytes looked up so, then
    // interleaved (in-lane unpacks where the interleave's users take the
    // words in unpack order, as qf-lower-to-linalg's word planes do).
    if ((bytes || words) && avx2 && n % 16 == 0) {
      int64_t width = n % 32 == 0 ? 32 : 16;
      auto byteSlice = VectorType::get({width}, rewriter.getI8Type());
      StringRef name = width == 32 ? "llvm.x86.avx2.pshuf.b" : "llvm.x86.ssse3.pshuf.b.128";
      // The table's low bytes, and for i16 its high bytes.
      SmallVector<Value> byteTables;
      for (int shift : words ? std::initializer_list<int>{0, 8} : std::initializer_list<int>{0}) {
        SmallVector<int8_t> repeated;
        for (int64_t i = 0; i < width; ++i)
          repeated.push_back(int8_t(int64_t(table[i % 16]) >> shift));
        byteTables.push_back(
            arith::ConstantOp::create(rewriter, loc, DenseElementsAttr::get(byteSlice, ArrayRef(repeated))));
      }
      SmallVector<int64_t> interleave;
      for (int64_t i = 0; i < width; ++i)
        interleave.append({i, width + i});
      rewriter.replaceOp(op, perSlice(rewriter, loc, resultType, op.getCodes(), width, [&](ValueRange idx) {
        SmallVector<Value> looked;
        for (Value t : byteTables)
          looked.push_back(callIntrinsic(rewriter, loc, byteSlice, name, {t, idx[0]}));
        if (bytes)
          return looked.front();
        Value both = vector::ShuffleOp::create(rewriter, loc, looked[0], looked[1], interleave);
        return bitcastTo(rewriter, loc, both, width, elem);
      }));
      return success();
    }
    // An arithmetic progression (q4_0's q - 8) is a convert and a multiply-add.
    ArrayRef<float> values = op.getTable();
    bool progression = true;
    for (size_t i = 2; i < values.size(); ++i)
      progression &= values[i] - values[i - 1] == values[1] - values[0];
    if (progression && elem.isF32()) {
      Value x = arith::UIToFPOp::create(rewriter, loc, resultType, op.getCodes());
      x = arith::MulFOp::create(rewriter, loc, x,
                                splat(rewriter, loc, resultType, entry(values[1] - values[0])));
      rewriter.replaceOpWithNewOp<arith::AddFOp>(
          op, x, splat(rewriter, loc, resultType, entry(values[0])));
      return success();
    }
    // An f32 table on AVX2: each entry's four bytes looked up with pshufb
    // (four byte tables) and interleaved back into f32 lanes by in-lane
    // unpacks, 13 operations a 32 lanes where permps on the table's halves and
    // blends take 16, the permutes slow ones (Zen 3: NF4's kernel 1.5x as fast).
    // The unpacks keep to 128-bit lanes; with the codes' dwords taken in the
    // order 0 2 4 6 1 3 5 7 first, they yield elements 0-7, 8-15, 16-23 and
    // 24-31 in turn (codes from qf-lower-to-linalg{avx2-lookup-order} come
    // in the inverse order, and LLVM folds the two reorders away).
    if (!bytes && avx2 && n % 16 == 0 && elem.isF32()) {
      rewriter.replaceOp(op, byteTableLookup(rewriter, loc, resultType, op.getCodes(), table));
      return success();
    }
    // AVX2's permps indexes 8 entries: the two halves of the table, then the
    // code's bit 3 picks one (i32 codes).
    if (!bytes && avx2 && n % 8 == 0 && codesType.getElementType().isInteger(32)) {
      auto v8f = VectorType::get({8}, elem);
      auto v8i = VectorType::get({8}, codesType.getElementType());
      Value low = arith::ConstantOp::create(rewriter, loc, DenseElementsAttr::get(v8f, ArrayRef(table).take_front(8)));
      Value high = arith::ConstantOp::create(rewriter, loc, DenseElementsAttr::get(v8f, ArrayRef(table).drop_front(8)));
      Value bit3 = splat(rewriter, loc, v8i, rewriter.getI32IntegerAttr(8));
      Value zero = splat(rewriter, loc, v8i, rewriter.getI32IntegerAttr(0));
      rewriter.replaceOp(op, perSlice(rewriter, loc, resultType, op.getCodes(), 8, [&](ValueRange idx) {
        Value inHigh = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::ne,
                                             arith::AndIOp::create(rewriter, loc, idx[0], bit3), zero);
        return arith::SelectOp::create(
                   rewriter, loc, inHigh, callIntrinsic(rewriter, loc, v8f, "llvm.x86.avx2.permps", {high, idx[0]}),
                   callIntrinsic(rewriter, loc, v8f, "llvm.x86.avx2.permps", {low, idx[0]}))
            .getResult();
      }));
      return success();
    }
    // Otherwise a tree of selects on the code bits, lowest bit first.
    size_t size = op.getTable().size();
    SmallVector<Value> level;
    for (size_t i = 0; i < size; ++i)
      level.push_back(splat(rewriter, loc, resultType, entry(table[i])));
    Type codeElem = codesType.getElementType();
    for (unsigned bit = 0; level.size() > 1; ++bit) {
      Value set = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::ne,
          arith::AndIOp::create(rewriter, loc, op.getCodes(),
                                splat(rewriter, loc, codesType,
                                      rewriter.getIntegerAttr(codeElem, 1 << bit))),
          splat(rewriter, loc, codesType, rewriter.getZeroAttr(codeElem)));
      SmallVector<Value> next;
      for (size_t i = 0; i < level.size(); i += 2)
        next.push_back(arith::SelectOp::create(rewriter, loc, set, level[i + 1], level[i]));
      level = std::move(next);
    }
    rewriter.replaceOp(op, level.front());
    return success();
  }

  bool avx512, avx2;
};

struct Dot4Lowering : OpRewritePattern<Dot4Op> {
  Dot4Lowering(MLIRContext *ctx, bool vnni, bool avx512, bool avx2)
      : OpRewritePattern(ctx), vnni(vnni), avx512(avx512), avx2(avx2) {}

  /// The operands of the unsigned-by-signed instruction for `op`'s bytes: a
  /// signed lhs gives the activations' magnitudes (-128 too: 0x80 is 128
  /// unsigned) and its own bytes with the activations' signs, which cannot
  /// overflow within [-127, 127].
  std::pair<Value, Value> unsignedBySigned(PatternRewriter &rewriter, Location loc, Dot4Op op) const {
    Value lhs = op.getLhs(), rhs = op.getRhs();
    if (!op.getLhsSigned())
      return {lhs, rhs};
    auto type = cast<VectorType>(lhs.getType());
    Value magnitude = math::AbsIOp::create(rewriter, loc, rhs);
    Value signedLhs;
    if (avx2 && type.getDimSize(0) % 32 == 0) {
      signedLhs = perSlice(rewriter, loc, type, {lhs, rhs}, 32, [&](ValueRange s) {
        return callIntrinsic(rewriter, loc, s[0].getType(), "llvm.x86.avx2.psign.b", s);
      });
    } else {
      Value zero = splat(rewriter, loc, type, rewriter.getI8IntegerAttr(0));
      Value negative = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::slt, rhs, zero);
      signedLhs = arith::SelectOp::create(rewriter, loc, negative,
                                          arith::SubIOp::create(rewriter, loc, zero, lhs), lhs);
    }
    return {magnitude, signedLhs};
  }

  LogicalResult matchAndRewrite(Dot4Op op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto accType = cast<VectorType>(op.getAcc().getType());
    int64_t lanes = accType.getDimSize(0);
    if (vnni && lanes % 4 == 0) {
      auto [lhs, rhs] = unsignedBySigned(rewriter, loc, op);
      rewriter.replaceOp(op, vnniDot(rewriter, loc, "vpdpbusd", op.getAcc(), lhs, rhs, avx512));
      return success();
    }
    // Without VNNI: vpmaddubsw sums pairs of products in i16, vpmaddwd the
    // pairs of those into i32. vpmaddubsw saturates: bytes up to 127 keep a
    // pair in range against any signed byte; larger ones take their even and
    // odd bytes in turn (the other masked to zero), a product alone being in
    // range; signed ones pair with the activations' magnitudes. A chain of
    // dot products into one accumulator adds the pairs of several in i16
    // first, as many as cannot overflow: one vpmaddwd for them all.
    if (avx2OnPairs(op)) {
      if (Dot4Op user = chainedUser(op); user && chainsWith(user, op))
        return rewriter.notifyMatchFailure(op, "lowered with the dot product it accumulates into");
      SmallVector<Dot4Op> chain = {op}; // from the last dot product to the first
      while (auto below = chain.back().getAcc().getDefiningOp<Dot4Op>()) {
        if (!below->hasOneUse() || !chainsWith(chain.back(), below))
          break;
        chain.push_back(below);
      }
      std::reverse(chain.begin(), chain.end());
      int64_t lhsMax = 1;
      for (Dot4Op d : chain)
        lhsMax = std::max<int64_t>(lhsMax, d.getLhsMax().value_or(255));
      bool halves = !op.getLhsSigned() && lhsMax > 127;
      int64_t perSum = avx2DotsPerI16Sum(lhsMax, op.getLhsSigned());
      auto i8x32 = VectorType::get({32}, rewriter.getI8Type());
      auto i16x16 = VectorType::get({16}, rewriter.getI16Type());
      auto i32x8 = VectorType::get({8}, rewriter.getI32Type());
      int64_t slices = accType.getDimSize(0) / 8; // 256-bit parts
      rewriter.setInsertionPoint(chain.front());
      Value ones = splat(rewriter, loc, i16x16, rewriter.getI16IntegerAttr(1));
      SmallVector<Value> masks;
      for (int64_t keep : {0, 1}) {
        SmallVector<int8_t> bytes;
        for (int64_t i = 0; i < 32; ++i)
          bytes.push_back(i % 2 == keep ? -1 : 0);
        masks.push_back(arith::ConstantOp::create(rewriter, loc, DenseElementsAttr::get(i8x32, ArrayRef(bytes))));
      }
      SmallVector<Value> acc, sum(slices);
      for (int64_t s = 0; s < slices; ++s)
        acc.push_back(slice(rewriter, loc, chain.front().getAcc(), s, slices));
      int64_t terms = 0;
      auto flush = [&] {
        for (int64_t s = 0; s < slices; ++s)
          acc[s] = arith::AddIOp::create(rewriter, loc, acc[s],
                                         callIntrinsic(rewriter, loc, i32x8, "llvm.x86.avx2.pmadd.wd", {sum[s], ones}));
        sum.assign(slices, Value());
        terms = 0;
      };
      for (Dot4Op d : chain) {
        // Each dot product's products where it stood: its operands are used
        // where they were read, not kept live to the end of the chain (the
        // panels kernel's weight vectors across a tile's rows).
        rewriter.setInsertionPoint(d);
        auto [lhs, rhs] = unsignedBySigned(rewriter, loc, d);
        for (int64_t half = 0; half < (halves ? 2 : 1); ++half) {
          for (int64_t s = 0; s < slices; ++s) {
            Value part = slice(rewriter, loc, lhs, s, slices);
            if (halves)
              part = arith::AndIOp::create(rewriter, loc, part, masks[half]);
            Value p = callIntrinsic(rewriter, loc, i16x16, "llvm.x86.avx2.pmadd.ub.sw", {part, slice(rewriter, loc, rhs, s, slices)});
            sum[s] = sum[s] ? arith::AddIOp::create(rewriter, loc, sum[s], p).getResult() : p;
          }
          if (++terms == perSum)
            flush();
        }
      }
      if (terms)
        flush();
      rewriter.replaceOp(op, joinSlices(rewriter, loc, accType, slices, [&](int64_t s) { return acc[s]; }));
      return success();
    }
    auto wide = VectorType::get({4 * lanes}, rewriter.getI32Type());
    Value u = op.getLhsSigned() ? arith::ExtSIOp::create(rewriter, loc, wide, op.getLhs()).getResult()
                                : arith::ExtUIOp::create(rewriter, loc, wide, op.getLhs()).getResult();
    Value s = arith::ExtSIOp::create(rewriter, loc, wide, op.getRhs());
    rewriter.replaceOp(op, reducedDot(rewriter, loc, op.getAcc(), u, s));
    return success();
  }

  /// Whether `op` takes the vpmaddubsw path.
  bool avx2OnPairs(Dot4Op op) const {
    int64_t lanes = op.getAcc().getType().getDimSize(0);
    return !(vnni && lanes % 4 == 0) && avx2 && lanes % 8 == 0;
  }
  /// Whether `below`, whose result is `op`'s accumulator, sums its pairs
  /// with `op`'s.
  bool chainsWith(Dot4Op op, Dot4Op below) const {
    return op.getAcc() == below.getResult() && avx2OnPairs(op) && avx2OnPairs(below) &&
           op.getLhs().getType() == below.getLhs().getType() &&
           op.getLhsSigned() == below.getLhsSigned();
  }
  /// The dot product `op` is the only accumulator of, if any.
  static Dot4Op chainedUser(Dot4Op op) {
    if (!op->hasOneUse())
      return {};
    return dyn_cast<Dot4Op>(*op->getUsers().begin());
  }

  bool vnni, avx512, avx2;
};

struct Dot2Lowering : OpRewritePattern<Dot2Op> {
  Dot2Lowering(MLIRContext *ctx, bool vnni, bool avx512, bool avx2)
      : OpRewritePattern(ctx), vnni(vnni), avx512(avx512), avx2(avx2) {}

  LogicalResult matchAndRewrite(Dot2Op op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto accType = cast<VectorType>(op.getAcc().getType());
    int64_t lanes = accType.getDimSize(0);
    if (vnni && lanes % 4 == 0) {
      rewriter.replaceOp(op, vnniDot(rewriter, loc, "vpdpwssd", op.getAcc(), op.getLhs(), op.getRhs(), avx512));
      return success();
    }
    if (avx2 && lanes % 8 == 0) {
      auto i32x8 = VectorType::get({8}, accType.getElementType());
      rewriter.replaceOp(op, perSlice(rewriter, loc, accType, op->getOperands(), 8, [&](ValueRange s) {
        return arith::AddIOp::create(rewriter, loc, s[0],
                                     callIntrinsic(rewriter, loc, i32x8, "llvm.x86.avx2.pmadd.wd", s.drop_front()))
            .getResult();
      }));
      return success();
    }
    auto wide = VectorType::get({2 * lanes}, rewriter.getI32Type());
    rewriter.replaceOp(op, reducedDot(rewriter, loc, op.getAcc(), arith::ExtSIOp::create(rewriter, loc, wide, op.getLhs()),
                                      arith::ExtSIOp::create(rewriter, loc, wide, op.getRhs())));
    return success();
  }

  bool vnni, avx512, avx2;
};

struct QfLowerSimdOpsPass : qf::impl::QfLowerSimdOpsBase<QfLowerSimdOpsPass> {
  using QfLowerSimdOpsBase::QfLowerSimdOpsBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<LookupLowering>(&getContext(), avx512, avx2);
    patterns.add<Dot4Lowering, Dot2Lowering>(&getContext(), vnni, avx512, avx2);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
