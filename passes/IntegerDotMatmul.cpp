//===- IntegerDotMatmul.cpp - qf.matmul with int8 activations on byte dots -===//
//
// W4A8/W8A8 kernels: activations are quantized on the fly (ActivationQuant),
// weights are read as unsigned bytes (StorageAccess::emitBytePair,
// emitByteChunk). A weight element is sc * (u - bias) + off per block (u its
// byte, sc = scale * factor, off = min - scale * zero_point) and an
// activation code q is worth sa, so a block contributes sc * sa * dot(u, q) +
// (off - bias * sc) * sa * sum(q). Many rows take the packed-panel kernel
// (PackedDotMatmul); the decode kernel here walks K in steps of up to 8
// chunks: each byte pair (two chunks) is two chained qf.dot4 into 8 i32
// lanes, each lane in one unit (block and chunk); the pairs' lanes of one
// unit are added horizontally, and what is left converted and scaled by what
// one code of the unit is worth; the second term is one FMA a step on vectors
// of per-unit offsets and activation code sums.
//
// 4-bit codebooks without byte codes (NF4) take the same decode kernel on
// word planes (StorageAccess::getWordPlanes): each plane's values in i16
// fixed point, qf.dot2 against activation codes widened to i16, the planes'
// lane sums joined in f32 and scaled by what a code is worth.
//===----------------------------------------------------------------------===//
#include "passes/IntegerDotMatmul.h"
#include "passes/ActivationQuant.h"
#include "passes/BuilderHelpers.h"
#include "passes/MatmulSchedule.h"
#include "passes/PackedDotMatmul.h"
#include "passes/Passes.h"
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

/// Whether the i32 lanes of dot products over `order` (operands of
/// `operandSize` elements, `perLane` of them a lane) each sum elements of
/// one unit: lane j of every operand of a dot product alike.
bool lanesKeepUnits(ArrayRef<int64_t> order, int64_t operandSize, int64_t perLane, int64_t unit) {
  for (int64_t at = 0; at < int64_t(order.size()); ++at)
    if (order[at] / unit != order[at % operandSize - at % perLane] / unit)
      return false;
  return true;
}

/// Activation rows up to which word planes beat the f32 kernel, which
/// shares its table lookups among more rows (docs/performance.md: even at
/// 2, slower at 4).
constexpr int64_t kWordPlaneRows = 2;

/// Integer lane sums of a step and the unit each lane belongs to.
struct LaneSums {
  Value sums;
  SmallVector<int64_t> units;
};

/// Adds lanes of two 8-lane vectors pairwise where both lanes of every sum
/// lie in one unit: the dot products of a step, whose units span several
/// lanes, come down to fewer vectors to convert, scale and accumulate.
/// Lanes two apart where the units allow (the sum of the 32-bit low and high
/// interleaves, vpunpckldq/vpunpckhdq), else neighbouring lanes (which LLVM
/// makes a horizontal add, three uops on one port on Zen 4).
SmallVector<LaneSums> mergeLaneSums(OpBuilder &b, Location loc, SmallVector<LaneSums> parts) {
  // Result lane j sums lanes first[j] and first[j] + apart of the pair A ++ B.
  struct Pairing {
    int64_t first[kLanes];
    int64_t apart;
  };
  static constexpr Pairing pairings[] = {{{0, 8, 1, 9, 4, 12, 5, 13}, 2}, {{0, 2, 8, 10, 4, 6, 12, 14}, 1}};
  while (parts.size() > 1) {
    SmallVector<LaneSums> merged;
    for (size_t p = 0; p + 1 < parts.size(); p += 2) {
      SmallVector<int64_t> units(parts[p].units);
      units.append(parts[p + 1].units);
      const Pairing *pairing = llvm::find_if(pairings, [&](const Pairing &c) {
        return llvm::all_of(c.first, [&](int64_t f) { return units[f] == units[f + c.apart]; });
      });
      if (pairing == std::end(pairings))
        return parts;
      LaneSums m;
      SmallVector<int64_t> low, high;
      for (int64_t f : pairing->first) {
        m.units.push_back(units[f]);
        low.push_back(f);
        high.push_back(f + pairing->apart);
      }
      m.sums = arith::AddIOp::create(b, loc, vector::ShuffleOp::create(b, loc, parts[p].sums, parts[p + 1].sums, low),
                                     vector::ShuffleOp::create(b, loc, parts[p].sums, parts[p + 1].sums, high));
      merged.push_back(m);
    }
    if (parts.size() % 2)
      merged.push_back(parts.back());
    parts = merged;
  }
  return parts;
}

struct IntegerDotMatmulLowering : OpConversionPattern<MatmulOp> {
  IntegerDotMatmulLowering(const TypeConverter &converter, MLIRContext *ctx, bool signedWeightBytes,
                           bool wordPlanes, int64_t vectorRegisters)
      : OpConversionPattern(converter, ctx, /*benefit=*/3), signedWeightBytes(signedWeightBytes),
        wordPlanes(wordPlanes), vectorRegisters(vectorRegisters) {}

  LogicalResult matchAndRewrite(MatmulOp op, OneToNOpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    bool words = !hasIntegerDotPath(op);
    if (words && !(wordPlanes && hasWordPlanePath(op)))
      return rewriter.notifyMatchFailure(op, "no integer dot path");
    Location loc = op.getLoc();
    QTensorType wType = op.getRhs().getType();
    auto aType = cast<RankedTensorType>(op.getLhs().getType());
    StorageAccess weights(wType, adaptor.getRhs());
    // Word planes read the stored codes as they are.
    StorageAccess::ByteCodes byteCodes =
        words ? StorageAccess::ByteCodes{} : *StorageAccess::getByteCodes(wType, signedWeightBytes);
    std::optional<StorageAccess::WordPlanes> planes;
    if (words)
      planes = StorageAccess::getWordPlanes(wType);
    int64_t m = aType.getDimSize(0), n = wType.getShape()[0], k = wType.getShape()[1];
    int64_t block = weights.getChunkBlockSize();

    ActivationQuantizer quantizer(op);
    // Knobs the schedule leaves at 0 take the defaults below
    // (passes/MatmulSchedule.h checked the others before conversion).
    CpuScheduleAttr schedule = op.getScheduleAttr();
    if (!schedule)
      schedule = defaultSchedule(op.getContext());
    PackedDotMatmul packed(weights, byteCodes, quantizer, m, n, k, schedule.getRowTile(),
                           schedule.getPanelCols(), vectorRegisters);
    if (!words && (schedule.getPath() == KernelPath::panels ||
                   (schedule.getPath() == KernelPath::automatic && packed.applies()))) {
      rewriter.replaceOp(op, packed.emit(rewriter, loc, adaptor.getLhs().front()));
      return success();
    }
    // Offsets: the blocks' own, and the byte bias taken off through the
    // activation code sums.
    bool offsets = weights.hasBlockOffsets() || byteCodes.bias;
    // A unit: the elements that share both a weight block and a chunk.
    int64_t unit = std::min(block, kChunk);
    // A step covers up to 8 chunks, starts at a multiple of the storage
    // alignment (q4_k: super-blocks) and holds whole blocks or lies in one.
    SmallVector<int64_t> steps = legalKSteps(wType, k);
    if (steps.empty())
      return rewriter.notifyMatchFailure(op, "K is not a multiple of the kernel step");
    int64_t step = schedule.getKStep() ? schedule.getKStep() : steps.front();

    // Each 256-bit dot product covers two chunks as a byte pair, its lanes
    // summing X and Y, where each lane of both lies in one unit; else one
    // chunk. Word planes: four dot products of 16 words cover the pair.
    int64_t perLane = words ? 2 : 4, operandSize = kLanes * perLane;
    SmallVector<int64_t> order = words ? StorageAccess::getWordPairOrder(wType) : weights.getBytePairOrder();
    bool pairs = step >= 2 * kChunk && lanesKeepUnits(order, operandSize, perLane, unit);
    if (!pairs && words)
      return rewriter.notifyMatchFailure(op, "word planes need steps of whole byte pairs");
    if (!pairs)
      order = weights.getByteChunkOrder();
    int64_t span = order.size(); // elements a dot product

    ActivationQuantizer::CodeOptions options;
    options.order = order;
    options.sumBlock = unit;
    options.scaledSums = offsets;
    options.codeBits = words ? 16 : 8;
    // Where the byte bias is the only offset, the sums carry it (once a call)
    // and a step's offsets are its scales.
    bool biasInSums = byteCodes.bias && !weights.hasBlockOffsets();
    if (biasInSums)
      options.sumsFactor = -double(byteCodes.bias);
    // Without block offsets every block scale's factors that hold for the
    // whole call (the bytes' factor, a tensor scale) go into the activation
    // scales once, not into each step's block scales.
    bool foldCallFactor = !weights.hasBlockOffsets();
    if (foldCallFactor) {
      double callFactor = words ? planes->factors.front() : byteCodes.factor;
      Value factor = arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(float(callFactor)));
      if (Value tensorScale = weights.emitTensorScale(rewriter, loc))
        factor = arith::MulFOp::create(rewriter, loc, tensorScale, factor);
      options.scaleFactor = factor;
    }
    ActivationQuantizer::Codes act =
        quantizer.emitCodes(rewriter, loc, adaptor.getLhs().front(), options);

    int64_t tile = schedule.getRowTile(); // by default the largest divisor of M up to 4
    for (int64_t t = std::min<int64_t>(m, 4); !tile && t >= 1; --t)
      if (m % t == 0)
        tile = t;
    int64_t chunks = step / kChunk, dots = step / span;
    int64_t blocks = step >= block ? step / block : 1, units = step / unit;
    // Accumulators a row, taken by the dot products of a step in turn, hide
    // the latency of the FMA chains.
    int64_t slots = std::min<int64_t>(dots, schedule.getAccumulators() ? schedule.getAccumulators() : 4);

    Type f32 = rewriter.getF32Type();
    auto vecF32 = [&](int64_t n) { return VectorType::get({n}, f32); };
    auto vecI32 = VectorType::get({kLanes}, rewriter.getI32Type());
    auto vecI8 = VectorType::get({kChunk}, rewriter.getI8Type());
    auto vecI16 = VectorType::get({operandSize}, rewriter.getI16Type());
    auto zeros = [&](OpBuilder &b, Location l, VectorType t) {
      return arith::ConstantOp::create(b, l, DenseElementsAttr::get(t, b.getZeroAttr(t.getElementType())))
          .getResult();
    };
    auto read = [&](OpBuilder &b, Location l, VectorType t, Value tensor, Value row, Value col) {
      Value pad = arith::ConstantOp::create(b, l, b.getZeroAttr(t.getElementType()));
      return vector::TransferReadOp::create(b, l, t, tensor, ValueRange{row, col}, pad, ArrayRef<bool>{true})
          .getResult();
    };
    auto gather = [&](OpBuilder &b, Location l, Value vec, ArrayRef<int64_t> picks) {
      return vector::ShuffleOp::create(b, l, vec, vec, picks).getResult();
    };
    auto div = [&](OpBuilder &b, Location l, Value v, int64_t d) {
      return arith::DivUIOp::create(b, l, v, indexConst(b, l, d)).getResult();
    };
    // Unit u of a step lies in weight block unitBlock[u] and chunk unitChunk[u].
    SmallVector<int64_t> unitBlock, unitChunk;
    for (int64_t u = 0; u < units; ++u) {
      unitBlock.push_back(u * unit / block);
      unitChunk.push_back(u * unit / kChunk);
    }
    // Lane j of dot product d sums codes of unit laneUnit[d][j].
    SmallVector<SmallVector<int64_t>> laneUnit(dots);
    for (int64_t d = 0; d < dots; ++d)
      for (int64_t j = 0; j < kLanes; ++j)
        laneUnit[d].push_back((span * d + order[perLane * j]) / unit);

    // The terms of a step's weight blocks as vectors: sc = scale * factor
    // (the block scale alone where the activation scales carry the call's
    // factors) and off = min - scale * zero_point - bias * sc (null without
    // offsets; sc where the sums carry the bias).
    auto stepTerms = [&](OpBuilder &b, Location l, Value row, Value kb) {
      StorageAccess::BlockTerms t = weights.emitBlockTermVectors(b, l, row, kb, blocks, !foldCallFactor);
      auto splat = [&](double v) {
        return arith::ConstantOp::create(b, l, DenseElementsAttr::get(vecF32(blocks), b.getF32FloatAttr(float(v))));
      };
      Value sc = foldCallFactor ? t.scale : arith::MulFOp::create(b, l, t.scale, splat(byteCodes.factor)).getResult();
      if (biasInSums)
        return std::pair(sc, sc);
      Value off;
      if (t.zeroPoint)
        off = arith::NegFOp::create(b, l, arith::MulFOp::create(b, l, t.scale, t.zeroPoint));
      if (t.min)
        off = off ? arith::AddFOp::create(b, l, off, t.min).getResult() : t.min;
      if (byteCodes.bias) {
        Value biasTerm = arith::MulFOp::create(b, l, sc, splat(-double(byteCodes.bias)));
        off = off ? arith::AddFOp::create(b, l, off, biasTerm).getResult() : biasTerm;
      }
      return std::pair(sc, off);
    };

    Value init = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{m, n}, f32);
    SmallVector<Value> rowResults = forLoop(
        rewriter, loc, indexConst(rewriter, loc, 0), indexConst(rewriter, loc, m), tile, ValueRange{init},
        [&](OpBuilder &b, Location l, Value mt, ValueRange outer) {
          SmallVector<Value> r;
          for (int64_t i = 0; i < tile; ++i)
            r.push_back(arith::AddIOp::create(b, l, mt, indexConst(b, l, i)));
          return forLoop(
              b, l, indexConst(b, l, 0), indexConst(b, l, n), 1, outer,
              [&](OpBuilder &b, Location l, Value row, ValueRange result) {
                // Per activation row: `slots` dot accumulators, then one of
                // the offset terms a unit.
                int64_t perRow = slots + (offsets ? 1 : 0);
                SmallVector<Value> init;
                for (int64_t i = 0; i < tile; ++i) {
                  init.append(slots, zeros(b, l, vecF32(kLanes)));
                  if (offsets)
                    init.push_back(zeros(b, l, vecF32(units)));
                }
                SmallVector<Value> accs = forLoop(
                    b, l, indexConst(b, l, 0), indexConst(b, l, k), step, init,
                    [&](OpBuilder &b, Location l, Value kb, ValueRange carried) {
                      SmallVector<Value> next(carried);
                      // What one code of each unit is worth in row i: weight
                      // block scale times activation chunk scale.
                      auto worthOf = [&](Value sc, int64_t i) {
                        Value sa = read(b, l, vecF32(chunks), act.scales, r[i], div(b, l, kb, kChunk));
                        return arith::MulFOp::create(b, l, gather(b, l, sc, unitBlock), gather(b, l, sa, unitChunk))
                            .getResult();
                      };
                      if (words) {
                        // Each dot product's lanes are converted where it is
                        // done, after its pair's lookups, the planes joined
                        // in f32 (the activation scales carry the first
                        // plane's factor): few values live, where merges of
                        // lanes as for bytes would cost as much.
                        Value sc = stepTerms(b, l, row, kb).first;
                        SmallVector<Value> worth, ratios;
                        for (int64_t i = 0; i < tile; ++i)
                          worth.push_back(worthOf(sc, i));
                        for (double factor : ArrayRef(planes->factors).drop_front())
                          ratios.push_back(arith::ConstantOp::create(
                              b, l,
                              DenseElementsAttr::get(vecF32(kLanes),
                                                     b.getF32FloatAttr(float(factor / planes->factors.front())))));
                        for (int64_t d = 0; d < dots; ++d) {
                          SmallVector<std::array<Value, 4>> operands =
                              weights.emitWordPair(b, l, row, kb, span * d, *planes);
                          for (int64_t i = 0; i < tile; ++i) {
                            Value sum;
                            for (auto [p, plane] : llvm::enumerate(operands)) {
                              Value dot = zeros(b, l, vecI32);
                              for (auto [o, operand] : llvm::enumerate(plane)) {
                                int64_t at = span * d + operandSize * int64_t(o);
                                Value k0 = arith::AddIOp::create(b, l, kb, indexConst(b, l, at));
                                dot = Dot2Op::create(b, l, dot, operand, read(b, l, vecI16, act.codes, r[i], k0));
                              }
                              Value value = arith::SIToFPOp::create(b, l, vecF32(kLanes), dot);
                              sum = p ? vector::FMAOp::create(b, l, value, ratios[p - 1], sum).getResult() : value;
                            }
                            Value &acc = next[i * perRow + d % slots];
                            acc = vector::FMAOp::create(b, l, sum, gather(b, l, worth[i], laneUnit[d]), acc);
                          }
                        }
                        return next;
                      }
                      // Per dot product: the byte operands and the offset of their codes.
                      SmallVector<SmallVector<std::pair<Value, int64_t>>> w(dots);
                      for (int64_t d = 0; d < dots; ++d) {
                        if (pairs) {
                          auto [x, y] = weights.emitBytePair(b, l, row, kb, span * d, byteCodes);
                          w[d] = {{x, span * d}, {y, span * d + kChunk}};
                        } else {
                          w[d] = {{weights.emitByteChunk(b, l, row, kb, span * d, byteCodes), span * d}};
                        }
                      }
                      // After the code reads: LLVM would otherwise take codes that a
                      // wide read of GGUF block scales covers out of that read, a
                      // few bytes at a time.
                      auto [sc, off] = stepTerms(b, l, row, kb);
                      for (int64_t i = 0; i < tile; ++i) {
                        Value *acc = &next[i * perRow];
                        Value worth = worthOf(sc, i);
                        SmallVector<LaneSums> parts;
                        for (int64_t d = 0; d < dots; ++d) {
                          Value dot = zeros(b, l, vecI32);
                          for (auto [bytes, at] : w[d]) {
                            Value k0 = arith::AddIOp::create(b, l, kb, indexConst(b, l, at));
                            dot = Dot4Op::create(b, l, vecI32, dot, bytes, read(b, l, vecI8, act.codes, r[i], k0),
                                                 b.getI64IntegerAttr(byteCodes.maxByte), byteCodes.isSigned);
                          }
                          parts.push_back({dot, laneUnit[d]});
                        }
                        parts = mergeLaneSums(b, l, parts);
                        for (auto [p, part] : llvm::enumerate(parts))
                          acc[p % slots] = vector::FMAOp::create(
                              b, l, arith::SIToFPOp::create(b, l, vecF32(kLanes), part.sums),
                              gather(b, l, worth, part.units), acc[p % slots]);
                        if (offsets) {
                          // Each unit's offset times its activation code sum (scaled).
                          Value sums = read(b, l, vecF32(units), act.sums, r[i], div(b, l, kb, unit));
                          acc[slots] = vector::FMAOp::create(b, l, gather(b, l, off, unitBlock), sums, acc[slots]);
                        }
                      }
                      return next;
                    });
                // 0: the target's default (qf-insert-prefetch).
                accs.front().getDefiningOp()->setAttr(kPrefetchDistanceAttr,
                                                      b.getI64IntegerAttr(schedule.getPrefetch()));
                Value out = result[0];
                for (int64_t i = 0; i < tile; ++i) {
                  Value sum = sumAccumulators(b, l, ArrayRef(accs).slice(i * perRow, slots));
                  if (offsets)
                    sum = arith::AddFOp::create(b, l, sum, sumLanes(b, l, accs[i * perRow + slots]));
                  out = tensor::InsertOp::create(b, l, sum, out, ValueRange{r[i], row});
                }
                return SmallVector<Value>{out};
              });
        });
    rewriter.replaceOp(op, rowResults);
    return success();
  }

  bool signedWeightBytes, wordPlanes;
  int64_t vectorRegisters;
};

} // namespace

/// Whether `op` has static rank-2 f32 operands and an activation scheme
/// whose codes fit in bytes, and its weights' blocks hold whole chunks.
static bool takesActivationCodes(MatmulOp op) {
  auto aType = dyn_cast<RankedTensorType>(op.getLhs().getType());
  auto resultType = op.getResult().getType();
  return op.getActScheme() && aType && aType.getRank() == 2 && aType.hasStaticShape() &&
         resultType.hasStaticShape() && aType.getElementType().isF32() && resultType.getElementType().isF32() &&
         ActivationQuantizer(op).supportsCodes() &&
         chunksFitBlocks(StorageAccess::getChunkBlockSize(op.getRhs().getType()));
}

bool mlir::qf::hasIntegerDotPath(MatmulOp op) {
  return StorageAccess::getByteCodes(op.getRhs().getType()) && takesActivationCodes(op);
}

bool mlir::qf::hasWordPlanePath(MatmulOp op) {
  QTensorType wType = op.getRhs().getType();
  if (!StorageAccess::getWordPlanes(wType) || !takesActivationCodes(op) ||
      op.getLhs().getType().getDimSize(0) > kWordPlaneRows)
    return false;
  SmallVector<int64_t> steps = legalKSteps(wType, wType.getShape()[1]);
  int64_t unit = std::min(StorageAccess::getChunkBlockSize(wType), kChunk);
  return !steps.empty() && steps.front() >= 2 * kChunk &&
         lanesKeepUnits(StorageAccess::getWordPairOrder(wType), 2 * kLanes, 2, unit);
}

void mlir::qf::populateIntegerDotMatmulPattern(const TypeConverter &converter,
                                               RewritePatternSet &patterns, bool signedWeightBytes,
                                               bool wordPlanes, int64_t vectorRegisters) {
  patterns.add<IntegerDotMatmulLowering>(converter, patterns.getContext(), signedWeightBytes, wordPlanes,
                                         vectorRegisters);
}
