//===- PackedDotMatmul.cpp - Prefill qf.matmul on packed weight panels -----===//
//
// For each panel of P = 16 * panelVecs output columns, every 32-element weight
// chunk of the panel's rows is decoded to bytes (StorageAccess::emitByteChunk)
// and transposed so that step s of a chunk (its codes 4s..4s+3) of column c
// is i32 lane c of row s: one vector load then holds four codes of 16 columns,
// and a dot product against four activation codes broadcast to every lane
// adds to 16 columns at once. A tile of activation rows x panel vectors
// keeps i32 accumulators for one flush group (elements that share a weight
// and an activation scale) and f32 accumulators over K; at each flush the
// weights' byte bias comes off through the group's code sums, and the
// weight scale vector times the activation scale, and the weight offsets
// times the activation sums, go into the f32 accumulators.
//===----------------------------------------------------------------------===//
#include "passes/PackedDotMatmul.h"
#include "passes/Avx2DotSums.h"
#include "passes/BuilderHelpers.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <numeric>

using namespace mlir;
using namespace mlir::qf;

namespace {

constexpr int64_t kChunk = StorageAccess::kByteChunk;
constexpr int64_t kSteps = kChunk / 4; // four-code steps a chunk

Value add(OpBuilder &b, Location loc, Value x, int64_t v) {
  return v ? arith::AddIOp::create(b, loc, x, indexConst(b, loc, v)).getResult() : x;
}

Value div(OpBuilder &b, Location loc, Value x, int64_t v) {
  return v == 1 ? x : arith::DivUIOp::create(b, loc, x, indexConst(b, loc, v)).getResult();
}

} // namespace

PackedDotMatmul::PackedDotMatmul(const StorageAccess &weights,
                                 const StorageAccess::ByteCodes &byteCodes,
                                 const ActivationQuantizer &quantizer, int64_t m, int64_t n,
                                 int64_t k, int64_t rowTile, int64_t panelCols, int64_t vectorRegisters)
    : weights(weights), byteCodes(byteCodes), quantizer(quantizer), m(m), n(n), k(k),
      block(weights.getChunkBlockSize()), order(weights.getByteChunkOrder()) {
  flush = std::gcd(block, quantizer.getGroupSize());
  // A tile of R rows by V vectors keeps R * V f32 and R * V i32 (or i16)
  // accumulators and V weight vectors live; beyond the registers LLVM spills
  // and reloads the weights at every row (a store a product on AVX2). On
  // AVX2 2 x 16 fits where eight dot products share a vpmaddwd; shorter
  // chains (bytes above 15: MXFP4 and NVFP4's 24, IQ4_NL's signed bytes,
  // Q8_0) keep more sums live, and one row of 32 columns (16 where each
  // product takes its own vpmaddwd) is what fits.
  bool fewRegisters = vectorRegisters < 32;
  int64_t chain = avx2DotsPerI16Sum(byteCodes.maxByte, byteCodes.isSigned);
  bool wide = n % (2 * kLanes) == 0 && (!fewRegisters || (chain > 1 && chain < 8));
  panelVecs = panelCols ? panelCols / kLanes : wide ? 2 : 1;
  tileRows = rowTile ? rowTile : !fewRegisters ? 4 : chain >= 8 ? 2 : 1;
}

bool PackedDotMatmul::fits(QTensorType w, int64_t actGroup, int64_t n, int64_t k, int64_t panelCols) {
  int64_t flush = std::gcd(StorageAccess::getChunkBlockSize(w), actGroup);
  if (n % panelCols != 0 || k % kChunk != 0 || (flush != 16 && flush % kChunk != 0))
    return false;
  // With 16-element flush groups, each step's four codes must share a group.
  SmallVector<int64_t> order = StorageAccess::getByteChunkOrder(w);
  for (int64_t s = 0; s < kSteps && flush == 16; ++s)
    for (int64_t t = 1; t < 4; ++t)
      if (order[4 * s + t] / 16 != order[4 * s] / 16)
        return false;
  return true;
}

bool PackedDotMatmul::applies() const {
  return m >= 8 && fits(weights.getType(), quantizer.getGroupSize(), n, k, panelVecs * kLanes);
}

PackedDotMatmul::Panel PackedDotMatmul::emitPanel(OpBuilder &b, Location loc, Value col0) const {
  int64_t cols = panelVecs * kLanes;
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  auto stepsType = VectorType::get({kSteps}, i32);
  Panel panel;
  Value bytes = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{k / 4, cols}, i32);
  int64_t align = std::max(StorageAccess::getKAlignment(weights.getType()), kChunk);
  panel.bytes = forLoop(b, loc, indexConst(b, loc, 0), indexConst(b, loc, k), align, bytes,
                        [&](OpBuilder &b, Location l, Value kb, ValueRange t) -> SmallVector<Value> {
    Value out = t[0];
    for (int64_t i = 0; i < align / kChunk * panelVecs; ++i) {
      int64_t offset = i / panelVecs * kChunk, v = i % panelVecs;
      Value k0 = add(b, l, kb, offset);
      // kLanes columns' chunks, each kSteps i32, concatenated then transposed.
      SmallVector<Value> parts;
      for (int64_t c = 0; c < kLanes; ++c) {
        Value row = add(b, l, col0, v * kLanes + c);
        parts.push_back(vector::BitCastOp::create(b, l, stepsType,
                                                  weights.emitByteChunk(b, l, row, kb, offset, byteCodes)));
      }
      while (parts.size() > 1) {
        SmallVector<Value> joined;
        for (size_t i = 0; i < parts.size(); i += 2) {
          int64_t width = cast<VectorType>(parts[i].getType()).getDimSize(0);
          SmallVector<int64_t> mask(2 * width);
          std::iota(mask.begin(), mask.end(), 0);
          joined.push_back(vector::ShuffleOp::create(b, l, parts[i], parts[i + 1], mask));
        }
        parts = std::move(joined);
      }
      SmallVector<int64_t> transpose;
      for (int64_t s = 0; s < kSteps; ++s)
        for (int64_t c = 0; c < kLanes; ++c)
          transpose.push_back(c * kSteps + s);
      Value all = vector::ShuffleOp::create(b, l, parts[0], parts[0], transpose);
      Value step0 = div(b, l, k0, 4);
      for (int64_t s = 0; s < kSteps; ++s) {
        Value lanes = vector::ExtractStridedSliceOp::create(
            b, l, all, ArrayRef<int64_t>{s * kLanes}, ArrayRef<int64_t>{kLanes}, ArrayRef<int64_t>{1});
        out = vector::TransferWriteOp::create(b, l, lanes, out,
                                              ValueRange{add(b, l, step0, s), indexConst(b, l, v * kLanes)},
                                              ArrayRef<bool>{true})
                  .getResult();
      }
    }
    return {out};
  })[0];

  // Block terms: scale * factor and min - scale * zero point per column.
  bool offsets = weights.hasBlockOffsets();
  SmallVector<Value> terms = {tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{k / block, cols}, f32)};
  if (offsets)
    terms.push_back(tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{k / block, cols}, f32));
  Value factor = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(float(byteCodes.factor)));
  SmallVector<Value> filled = llvm::to_vector(forLoop(
      b, loc, indexConst(b, loc, 0), indexConst(b, loc, k), block, terms,
      [&](OpBuilder &b, Location l, Value kb, ValueRange t) -> SmallVector<Value> {
        return llvm::to_vector(forLoop(
            b, l, indexConst(b, l, 0), indexConst(b, l, cols), 1, t,
            [&](OpBuilder &b, Location l, Value c, ValueRange t) -> SmallVector<Value> {
              StorageAccess::BlockTerms bt =
                  weights.emitBlockTerms(b, l, arith::AddIOp::create(b, l, col0, c), kb);
              SmallVector<Value> at = {div(b, l, kb, block), c};
              SmallVector<Value> next = {tensor::InsertOp::create(
                  b, l, arith::MulFOp::create(b, l, bt.scale, factor), t[0], at)};
              if (offsets) {
                Value o = arith::ConstantOp::create(b, l, b.getF32FloatAttr(0));
                if (bt.zeroPoint)
                  o = arith::NegFOp::create(b, l, arith::MulFOp::create(b, l, bt.scale, bt.zeroPoint));
                if (bt.min)
                  o = arith::AddFOp::create(b, l, o, bt.min);
                next.push_back(tensor::InsertOp::create(b, l, o, t[1], at));
              }
              return next;
            }));
      }));
  panel.scales = filled[0];
  panel.offsets = offsets ? filled[1] : Value();
  return panel;
}

Value PackedDotMatmul::emitTile(OpBuilder &b, Location loc, const Panel &panel,
                                const ActivationQuantizer::Codes &act, Value row0, int64_t rows,
                                Value col0, Value result) const {
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  auto vecF32 = VectorType::get({kLanes}, f32), vecI32 = VectorType::get({kLanes}, i32);
  auto vecI8 = VectorType::get({4 * kLanes}, b.getI8Type());
  int64_t accs = rows * panelVecs, sumBlock = flush == 16 ? 16 : kChunk;
  bool needSums = byteCodes.bias || panel.offsets;
  Value zeroF = arith::ConstantOp::create(b, loc, DenseElementsAttr::get(vecF32, b.getF32FloatAttr(0)));
  Value zeroI = arith::ConstantOp::create(b, loc, DenseElementsAttr::get(vecI32, b.getI32IntegerAttr(0)));
  Value padI32 = arith::ConstantIntOp::create(b, loc, i32, 0);
  Value padF32 = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  Value padI8 = arith::ConstantIntOp::create(b, loc, b.getI8Type(), 0);
  SmallVector<Value> r;
  for (int64_t i = 0; i < rows; ++i)
    r.push_back(add(b, loc, row0, i));

  // One step (four codes of every column) at chunk k0 into accumulators [0, accs).
  auto step = [&](OpBuilder &b, Location l, Value k0, int64_t s, SmallVector<Value> &acc) {
    Value at = add(b, l, div(b, l, k0, 4), s);
    SmallVector<Value> w;
    for (int64_t v = 0; v < panelVecs; ++v)
      w.push_back(vector::BitCastOp::create(
          b, l, vecI8,
          vector::TransferReadOp::create(b, l, vecI32, panel.bytes, ValueRange{at, indexConst(b, l, v * kLanes)},
                                         padI32, ArrayRef<bool>{true})));
    for (int64_t i = 0; i < rows; ++i) {
      Value four = vector::TransferReadOp::create(b, l, VectorType::get({4}, b.getI8Type()), act.codes,
                                                  ValueRange{r[i], add(b, l, k0, 4 * s)}, padI8,
                                                  ArrayRef<bool>{true});
      Value word = vector::ExtractOp::create(
          b, l, vector::BitCastOp::create(b, l, VectorType::get({1}, i32), four), ArrayRef<int64_t>{0});
      Value a = vector::BitCastOp::create(b, l, vecI8, vector::BroadcastOp::create(b, l, vecI32, word));
      for (int64_t v = 0; v < panelVecs; ++v)
        acc[i * panelVecs + v] = Dot4Op::create(b, l, vecI32, acc[i * panelVecs + v], w[v], a,
                                                b.getI64IntegerAttr(byteCodes.maxByte), byteCodes.isSigned);
    }
  };
  auto codeSum = [&](OpBuilder &b, Location l, int64_t i, Value kAt) {
    return tensor::ExtractOp::create(b, l, act.codeSums, ValueRange{r[i], div(b, l, kAt, sumBlock)})
        .getResult();
  };

  SmallVector<Value> init(accs, zeroF);
  int64_t unit = std::max(flush, kChunk), groups = unit / flush;
  SmallVector<Value> sums = llvm::to_vector(forLoop(
      b, loc, indexConst(b, loc, 0), indexConst(b, loc, k), unit, init,
      [&](OpBuilder &b, Location l, Value g0, ValueRange carried) -> SmallVector<Value> {
        SmallVector<Value> accF(carried);
        for (int64_t g = 0; g < groups; ++g) {
          Value gk = add(b, l, g0, g * flush);
          // i32 dot products over the flush group, and each row's code sum.
          SmallVector<Value> accI(accs, zeroI), q;
          if (flush <= kChunk) {
            for (int64_t s = 0; s < kSteps; ++s)
              if (flush == kChunk || order[4 * s] / 16 == g)
                step(b, l, g0, s, accI);
            for (int64_t i = 0; needSums && i < rows; ++i)
              q.push_back(codeSum(b, l, i, gk));
          } else {
            SmallVector<Value> carriedI(accI);
            for (int64_t i = 0; needSums && i < rows; ++i)
              carriedI.push_back(padI32);
            SmallVector<Value> out = llvm::to_vector(forLoop(
                b, l, gk, add(b, l, gk, flush), kChunk, carriedI,
                [&](OpBuilder &b, Location l, Value k0, ValueRange c) -> SmallVector<Value> {
                  SmallVector<Value> next(c);
                  for (int64_t s = 0; s < kSteps; ++s)
                    step(b, l, k0, s, next);
                  for (int64_t i = 0; needSums && i < rows; ++i)
                    next[accs + i] = arith::AddIOp::create(b, l, next[accs + i], codeSum(b, l, i, k0));
                  return next;
                }));
            accI.assign(out.begin(), out.begin() + accs);
            q.assign(out.begin() + accs, out.end());
          }
          // Flush: scale, remove the byte bias, add the offsets.
          Value blockAt = div(b, l, gk, block);
          auto termVec = [&](Value terms, int64_t v) {
            return vector::TransferReadOp::create(b, l, vecF32, terms, ValueRange{blockAt, indexConst(b, l, v * kLanes)},
                                                  padF32, ArrayRef<bool>{true})
                .getResult();
          };
          SmallVector<Value> sw, ow;
          for (int64_t v = 0; v < panelVecs; ++v) {
            sw.push_back(termVec(panel.scales, v));
            if (panel.offsets)
              ow.push_back(termVec(panel.offsets, v));
          }
          for (int64_t i = 0; i < rows; ++i) {
            Value sa = tensor::ExtractOp::create(b, l, act.scales, ValueRange{r[i], div(b, l, gk, kChunk)});
            Value saVec = vector::BroadcastOp::create(b, l, vecF32, sa);
            Value bias, offsetTerm;
            if (byteCodes.bias)
              bias = vector::BroadcastOp::create(
                  b, l, vecI32,
                  arith::MulIOp::create(b, l, q[i], arith::ConstantIntOp::create(b, l, i32, -byteCodes.bias)));
            if (panel.offsets)
              offsetTerm = vector::BroadcastOp::create(
                  b, l, vecF32, arith::MulFOp::create(b, l, sa, arith::SIToFPOp::create(b, l, f32, q[i])));
            for (int64_t v = 0; v < panelVecs; ++v) {
              int64_t at = i * panelVecs + v;
              Value dot = bias ? arith::AddIOp::create(b, l, accI[at], bias).getResult() : accI[at];
              accF[at] = vector::FMAOp::create(b, l, arith::SIToFPOp::create(b, l, vecF32, dot),
                                               arith::MulFOp::create(b, l, sw[v], saVec), accF[at]);
              if (panel.offsets)
                accF[at] = vector::FMAOp::create(b, l, ow[v], offsetTerm, accF[at]);
            }
          }
        }
        return accF;
      }));
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t v = 0; v < panelVecs; ++v)
      result = vector::TransferWriteOp::create(b, loc, sums[i * panelVecs + v], result,
                                               ValueRange{r[i], add(b, loc, col0, v * kLanes)},
                                               ArrayRef<bool>{true})
                   .getResult();
  return result;
}

Value PackedDotMatmul::emit(OpBuilder &b, Location loc, Value actF32) const {
  ActivationQuantizer::CodeOptions options;
  options.order = order;
  options.sumBlock = flush == 16 ? 16 : kChunk;
  options.codeSums = byteCodes.bias || weights.hasBlockOffsets();
  ActivationQuantizer::Codes act = quantizer.emitCodes(b, loc, actF32, options);
  Value init = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m, n}, b.getF32Type());
  int64_t fullRows = m / tileRows * tileRows, tailRows = m - fullRows;
  return forLoop(b, loc, indexConst(b, loc, 0), indexConst(b, loc, n), panelVecs * kLanes, init,
                 [&](OpBuilder &b, Location l, Value col0, ValueRange t) -> SmallVector<Value> {
    Panel panel = emitPanel(b, l, col0);
    Value out = forLoop(b, l, indexConst(b, l, 0), indexConst(b, l, fullRows), tileRows, t,
                        [&](OpBuilder &b, Location l, Value row0, ValueRange t) -> SmallVector<Value> {
                          return {emitTile(b, l, panel, act, row0, tileRows, col0, t[0])};
                        })[0];
    if (tailRows)
      out = emitTile(b, l, panel, act, indexConst(b, l, fullRows), tailRows, col0, out);
    return {out};
  })[0];
}
