//===- IntegerDotMatmul.cpp - qf.matmul with int8 activations on byte dots -===//
//
// W4A8/W8A8 kernels: activations are quantized on the fly (ActivationQuant),
// weights are read as unsigned bytes (StorageAccess::emitByteChunk), and each
// 32-element chunk is one qf.dot4 into eight i32 lanes, converted and scaled
// into an f32 accumulator per activation row. A weight element is
// sc * (u - bias) + off per block (u its byte, sc = scale * factor,
// off = min - scale * zero_point), and an activation code q is worth sa, so
// a block contributes sc * sa * dot(u - bias, q) + (min -
// scale * zero_point) * sa * sum(q): the first term on vectors (the dot
// product starts from -bias * the sums of each four codes, computed with the
// codes), the second, for weights with offsets, on scalars from per-block
// sums of the activation codes.
//===----------------------------------------------------------------------===//
#include "passes/IntegerDotMatmul.h"
#include "passes/ActivationQuant.h"
#include "passes/PackedDotMatmul.h"
#include "passes/StorageAccess.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <numeric>

using namespace mlir;
using namespace mlir::qf;

namespace {

constexpr int64_t kChunk = StorageAccess::kByteChunk;
constexpr int64_t kLanes = kChunk / 4;

/// Elements that share a weight scale, where integer dot products apply:
/// 16 (two blocks a chunk) or a multiple of a chunk.
bool chunksFitBlocks(int64_t block) { return block == 16 || block % kChunk == 0; }

struct IntegerDotMatmulLowering : OpConversionPattern<MatmulOp> {
  IntegerDotMatmulLowering(const TypeConverter &converter, MLIRContext *ctx)
      : OpConversionPattern(converter, ctx, /*benefit=*/3) {}

  LogicalResult matchAndRewrite(MatmulOp op, OneToNOpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (!hasIntegerDotPath(op))
      return rewriter.notifyMatchFailure(op, "no integer dot path");
    Location loc = op.getLoc();
    QTensorType wType = op.getRhs().getType();
    auto aType = cast<RankedTensorType>(op.getLhs().getType());
    StorageAccess weights(wType, adaptor.getRhs());
    StorageAccess::ByteCodes byteCodes = *StorageAccess::getByteCodes(wType);
    int64_t m = aType.getDimSize(0), n = wType.getShape()[0], k = wType.getShape()[1];
    int64_t block = weights.getChunkBlockSize();
    int64_t blocksPerChunk = block == 16 ? 2 : 1;
    int64_t blockStep = std::max(block, kChunk), sumBlock = kChunk / blocksPerChunk;
    SmallVector<int64_t> order = weights.getByteChunkOrder();

    ActivationQuantizer quantizer(*op.getActScheme(), aType);
    if (PackedDotMatmul packed(weights, byteCodes, quantizer, m, n, k); packed.applies()) {
      rewriter.replaceOp(op, packed.emit(rewriter, loc, adaptor.getLhs().front()));
      return success();
    }
    bool offsets = weights.hasBlockOffsets();
    ActivationQuantizer::CodeOptions options;
    options.chunkOrder = order;
    options.sumBlock = sumBlock;
    options.scaledSums = offsets;
    options.laneBias = byteCodes.bias;
    ActivationQuantizer::Codes act =
        quantizer.emitCodes(rewriter, loc, adaptor.getLhs().front(), options);

    int64_t tile = 1; // the largest divisor of M up to 4
    for (int64_t t = std::min<int64_t>(m, 4); t >= 1; --t)
      if (m % t == 0) {
        tile = t;
        break;
      }
    // `unroll` chunks in flight, each with its own accumulators, hide the
    // latency of the FMA (and scalar add) chains.
    int64_t unroll = 1;
    for (int64_t u : {4, 2})
      if (k % std::max(blockStep, kChunk * u) == 0 &&
          (blockStep < kChunk * u || blockStep % (kChunk * u) == 0)) {
        unroll = u;
        break;
      }
    // Steps start at multiples of the storage alignment (q4_k: super-blocks).
    int64_t iterStep = std::lcm(std::max(blockStep, kChunk * unroll), StorageAccess::getKAlignment(wType));
    if (k % iterStep)
      return rewriter.notifyMatchFailure(op, "K is not a multiple of the kernel step");
    int64_t slots = tile * unroll;

    auto f32 = rewriter.getF32Type();
    auto vecF32 = VectorType::get({kLanes}, f32);
    auto vecI32 = VectorType::get({kLanes}, rewriter.getI32Type());
    auto vecI8 = VectorType::get({kChunk}, rewriter.getI8Type());
    auto c = [&](OpBuilder &b, int64_t v) { return arith::ConstantIndexOp::create(b, loc, v).getResult(); };
    auto f32Const = [&](OpBuilder &b, double v) {
      return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(float(v))).getResult();
    };
    Value zeroF32Vec = arith::ConstantOp::create(rewriter, loc,
                                                 DenseElementsAttr::get(vecF32, rewriter.getF32FloatAttr(0)));
    Value zeroI32Vec = arith::ConstantOp::create(rewriter, loc,
                                                 DenseElementsAttr::get(vecI32, rewriter.getI32IntegerAttr(0)));
    Value padI8 = arith::ConstantIntOp::create(rewriter, loc, rewriter.getI8Type(), 0);
    Value padI32 = arith::ConstantIntOp::create(rewriter, loc, rewriter.getI32Type(), 0);
    // With two blocks a chunk: which lanes hold the second block's elements.
    Value secondBlockLanes;
    if (blocksPerChunk == 2) {
      SmallVector<bool> lanes;
      for (int64_t j = 0; j < kLanes; ++j)
        lanes.push_back(order[4 * j] >= 16);
      secondBlockLanes = arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(VectorType::get({kLanes}, rewriter.getI1Type()), ArrayRef(lanes)));
    }
    Value init = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{m, n}, f32);

    struct Terms {
      SmallVector<Value> scale, offset; // one a block of the chunk
    };
    // The weight block terms at kb: sc = scale * factor, off = min -
    // scale * zero_point (null without offsets).
    auto blockTerms = [&](OpBuilder &b, Location l, Value row, Value kb, int64_t offset) {
      Terms terms;
      for (int64_t h = 0; h < blocksPerChunk; ++h) {
        StorageAccess::BlockTerms t = weights.emitBlockTerms(b, l, row, kb, offset + 16 * h);
        terms.scale.push_back(arith::MulFOp::create(b, l, t.scale, f32Const(b, byteCodes.factor)));
        Value o;
        if (t.zeroPoint)
          o = arith::NegFOp::create(b, l, arith::MulFOp::create(b, l, t.scale, t.zeroPoint));
        if (t.min)
          o = o ? arith::AddFOp::create(b, l, o, t.min).getResult() : t.min;
        terms.offset.push_back(o);
      }
      return terms;
    };
    // One chunk at kb + offset into accumulator slot `slot` of each activation row.
    auto chunk = [&](OpBuilder &b, Location l, ArrayRef<Value> r, Value row, Value kb, int64_t offset,
                     const Terms &terms, int64_t slot, SmallVector<Value> &accs) {
      Value u = weights.emitByteChunk(b, l, row, kb, offset, byteCodes);
      Value k0 = arith::AddIOp::create(b, l, kb, c(b, offset));
      Value ci = arith::DivUIOp::create(b, l, k0, c(b, kChunk));
      for (int64_t i = 0; i < tile; ++i) {
        Value a = vector::TransferReadOp::create(b, l, vecI8, act.codes, ValueRange{r[i], k0}, padI8,
                                                 ArrayRef<bool>{true});
        Value start = zeroI32Vec;
        if (act.laneInit)
          start = vector::TransferReadOp::create(
              b, l, vecI32, act.laneInit,
              ValueRange{r[i], arith::DivUIOp::create(b, l, k0, c(b, 4))}, padI32,
              ArrayRef<bool>{true});
        Value dot = Dot4Op::create(b, l, vecI32, start, u, a);
        Value sa = tensor::ExtractOp::create(b, l, act.scales, ValueRange{r[i], ci});
        auto laneScale = [&](Value s) {
          return vector::BroadcastOp::create(b, l, vecF32, arith::MulFOp::create(b, l, s, sa))
              .getResult();
        };
        Value lanes = laneScale(terms.scale[0]);
        if (blocksPerChunk == 2)
          lanes = arith::SelectOp::create(b, l, secondBlockLanes, laneScale(terms.scale[1]), lanes);
        int64_t at = i * unroll + slot;
        accs[at] = vector::FMAOp::create(b, l, arith::SIToFPOp::create(b, l, vecF32, dot), lanes,
                                         accs[at]);
        if (!offsets)
          continue;
        Value si = arith::DivUIOp::create(b, l, k0, c(b, sumBlock));
        for (int64_t h = 0; h < blocksPerChunk; ++h) {
          Value qs = tensor::ExtractOp::create(
              b, l, act.sums, ValueRange{r[i], arith::AddIOp::create(b, l, si, c(b, h))});
          accs[slots + at] = arith::AddFOp::create(
              b, l, accs[slots + at], arith::MulFOp::create(b, l, terms.offset[h], qs));
        }
      }
    };

    auto rows = scf::ForOp::create(
        rewriter, loc, c(rewriter, 0), c(rewriter, m), c(rewriter, tile), ValueRange{init},
        [&](OpBuilder &b, Location l, Value mt, ValueRange outer) {
          SmallVector<Value> r;
          for (int64_t i = 0; i < tile; ++i)
            r.push_back(arith::AddIOp::create(b, l, mt, c(b, i)));
          auto cols = scf::ForOp::create(
              b, l, c(b, 0), c(b, n), c(b, 1), outer,
              [&](OpBuilder &b, Location l, Value row, ValueRange result) {
                // Per activation row and slot: a vector and a scalar accumulator.
                SmallVector<Value> zeros(slots, zeroF32Vec);
                if (offsets)
                  zeros.append(slots, f32Const(b, 0));
                auto steps = scf::ForOp::create(
                    b, l, c(b, 0), c(b, k), c(b, iterStep), zeros,
                    [&](OpBuilder &b, Location l, Value kb, ValueRange stepAccs) {
                      SmallVector<Value> accs(stepAccs);
                      if (blockStep >= kChunk * unroll) {
                        // One block; its chunks `unroll` at a time.
                        Terms terms = blockTerms(b, l, row, kb, 0);
                        auto inner = scf::ForOp::create(
                            b, l, c(b, 0), c(b, blockStep), c(b, kChunk * unroll), accs,
                            [&](OpBuilder &b, Location l, Value kc, ValueRange innerAccs) {
                              SmallVector<Value> next(innerAccs);
                              Value k0 = arith::AddIOp::create(b, l, kb, kc);
                              for (int64_t j = 0; j < unroll; ++j)
                                chunk(b, l, r, row, k0, kChunk * j, terms, j, next);
                              scf::YieldOp::create(b, l, next);
                            });
                        accs.assign(inner.getResults().begin(), inner.getResults().end());
                      } else {
                        // Several small blocks, chunks taking the slots in turn.
                        int64_t slot = 0;
                        for (int64_t kbi = 0; kbi < iterStep; kbi += blockStep) {
                          Terms terms = blockTerms(b, l, row, kb, kbi);
                          for (int64_t kc = 0; kc < blockStep; kc += kChunk)
                            chunk(b, l, r, row, kb, kbi + kc, terms, slot++ % unroll, accs);
                        }
                      }
                      scf::YieldOp::create(b, l, accs);
                    });
                Value out = result[0];
                for (int64_t i = 0; i < tile; ++i) {
                  Value vec = steps.getResult(i * unroll);
                  for (int64_t j = 1; j < unroll; ++j)
                    vec = arith::AddFOp::create(b, l, vec, steps.getResult(i * unroll + j));
                  Value sum = vector::ReductionOp::create(b, l, vector::CombiningKind::ADD, vec);
                  for (int64_t j = 0; offsets && j < unroll; ++j)
                    sum = arith::AddFOp::create(b, l, sum, steps.getResult(slots + i * unroll + j));
                  out = tensor::InsertOp::create(b, l, sum, out, ValueRange{r[i], row});
                }
                scf::YieldOp::create(b, l, out);
              });
          scf::YieldOp::create(b, l, cols.getResults());
        });
    rewriter.replaceOp(op, rows.getResults());
    return success();
  }
};

} // namespace

bool mlir::qf::hasIntegerDotPath(MatmulOp op) {
  std::optional<SchemeAttr> actScheme = op.getActScheme();
  auto aType = dyn_cast<RankedTensorType>(op.getLhs().getType());
  auto resultType = op.getResult().getType();
  QTensorType wType = op.getRhs().getType();
  if (!actScheme || !aType || aType.getRank() != 2 || !aType.hasStaticShape() ||
      !resultType.hasStaticShape() || !aType.getElementType().isF32() ||
      !resultType.getElementType().isF32() || !StorageAccess::getByteCodes(wType))
    return false;
  if (!ActivationQuantizer(*actScheme, aType).supportsCodes())
    return false;
  return chunksFitBlocks(StorageAccess::getChunkBlockSize(wType));
}

void mlir::qf::populateIntegerDotMatmulPattern(const TypeConverter &converter,
                                               RewritePatternSet &patterns) {
  patterns.add<IntegerDotMatmulLowering>(converter, patterns.getContext());
}
