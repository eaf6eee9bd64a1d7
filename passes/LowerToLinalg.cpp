//===- LowerToLinalg.cpp - qf ops to linalg on packed storage --------------===//
#include "passes/ActivationQuant.h"
#include "passes/BuilderHelpers.h"
#include "passes/HadamardLowering.h"
#include "passes/IntegerDotMatmul.h"
#include "passes/MatmulSchedule.h"
#include "passes/Passes.h"
#include "passes/StorageAccess.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/DialectConversion.h"

#include <numeric>

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

/// `v` converted to float type `to` (extended or truncated).
Value castFloat(OpBuilder &b, Location loc, Value v, Type to) {
  unsigned from = v.getType().getIntOrFloatBitWidth(), width = to.getIntOrFloatBitWidth();
  if (v.getType() == to)
    return v;
  if (from < width)
    return arith::ExtFOp::create(b, loc, to, v);
  return arith::TruncFOp::create(b, loc, to, v);
}

struct MatmulLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult matchAndRewrite(MatmulOp op, OneToNOpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (op.getActScheme())
      return rewriter.notifyMatchFailure(op, "activation schemes left to this point are the integer kernels'");
    Location loc = op.getLoc();
    auto resultType = op.getResult().getType();
    Value lhs = adaptor.getLhs().front();
    int64_t rank = resultType.getRank(); // batch..., M, N
    StorageAccess weights(op.getRhs().getType(), adaptor.getRhs());

    // Batch and M sizes from the activations, N from the weights.
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    SmallVector<int64_t> shape(lhsType.getShape().drop_back());
    shape.push_back(op.getRhs().getType().getShape()[0]);
    SmallVector<Value> dynamic;
    for (int64_t d = 0; d + 1 < rank; ++d)
      if (lhsType.isDynamicDim(d))
        dynamic.push_back(tensor::DimOp::create(rewriter, loc, lhs, d));
    auto accType = RankedTensorType::get(shape, resultType.getElementType());
    Value init = tensor::EmptyOp::create(rewriter, loc, shape, resultType.getElementType(), dynamic);
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
        rewriter, loc, accType, ValueRange{lhs}, ValueRange{acc}, maps, iterators,
        [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
          Value n = linalg::IndexOp::create(b, bodyLoc, rank - 1);
          Value k = linalg::IndexOp::create(b, bodyLoc, rank);
          // Products in the wider of the activation type and f32.
          Value w = weights.emitDequantized(b, bodyLoc, {n, k});
          Value a = args[0];
          Type wide = a.getType().getIntOrFloatBitWidth() > 32 ? a.getType() : w.getType();
          Value product = arith::MulFOp::create(b, bodyLoc, castFloat(b, bodyLoc, a, wide),
                                                castFloat(b, bodyLoc, w, wide));
          Value sum = arith::AddFOp::create(b, bodyLoc, args[1],
                                            castFloat(b, bodyLoc, product, args[1].getType()));
          linalg::YieldOp::create(b, bodyLoc, sum);
        });
    Value result = generic.getResult(0);
    if (result.getType() != resultType)
      result = tensor::CastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Decode GEMV/GEMM on vectors: for each tile of up to 8 activation rows and
/// each weight row, walk K in chunks of StorageAccess::kChunk elements, decode
/// a chunk once into a vector and FMA it into one accumulator per activation
/// row. Used where StorageAccess can read chunks; other schemes take the
/// scalar linalg path. With 16 vector registers (AVX2) the accumulators are
/// 8 lanes, each chunk's 8-lane parts FMA'd into them in turn: a tile's
/// whole-chunk accumulators (8 rows x 4 registers) would not fit.
struct VectorMatmulLowering : OpConversionPattern<MatmulOp> {
  VectorMatmulLowering(TypeConverter &converter, MLIRContext *ctx, bool avx2LookupOrder, int64_t vectorRegisters)
      : OpConversionPattern(converter, ctx, /*benefit=*/2), avx2LookupOrder(avx2LookupOrder),
        vectorRegisters(vectorRegisters) {}

  LogicalResult matchAndRewrite(MatmulOp op, OneToNOpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    QTensorType wType = op.getRhs().getType();
    auto aType = op.getLhs().getType();
    auto resultType = op.getResult().getType();
    // Activation schemes left to this point are the integer kernels'.
    if (op.getActScheme() || !StorageAccess::supportsChunks(wType) || aType.getRank() != 2 ||
        !aType.hasStaticShape() || !resultType.hasStaticShape() ||
        !aType.getElementType().isF32() || !resultType.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "no vector path for this matmul");
    Location loc = op.getLoc();
    Value lhs = adaptor.getLhs().front();
    StorageAccess weights(wType, adaptor.getRhs());
    weights.setAvx2LookupOrder(avx2LookupOrder);
    int64_t m = aType.getDimSize(0), n = wType.getShape()[0], k = wType.getShape()[1];
    const int64_t chunk = weights.getChunkSize();
    int64_t tile = 1; // the largest divisor of M up to 8
    for (int64_t t = std::min<int64_t>(m, 8); t >= 1; --t)
      if (m % t == 0) {
        tile = t;
        break;
      }
    // Accumulators taken by chunks in turn hide the FMA latency: `slots` a
    // row, about four in all. A step holds whole blocks and `slots` chunks or
    // lies in a block.
    int64_t block = weights.getChunkBlockSize(), slots = 1, step = block;
    for (int64_t u : {4, 2}) {
      int64_t s = std::lcm(block, chunk * u);
      if (u * tile <= 4 && k % s == 0) {
        slots = u;
        step = s;
        break;
      }
    }
    auto vecType = VectorType::get({chunk}, rewriter.getF32Type());
    // Accumulators: `slots` a row of `accLanes` lanes, each chunk's parts
    // taken in turn. With 16 registers 8-lane ones, 8 a tile of rows; a
    // single row takes two (llvm-mca, Zen 3: more leave AVX2's byte-wise
    // lookup tables no registers, and LLVM reloads them).
    int64_t accLanes = chunk, accSlots = slots;
    if (vectorRegisters < 32) {
      accLanes = 8;
      accSlots = tile == 1 ? 2 : std::max<int64_t>(1, 8 / tile);
    }
    int64_t parts = chunk / accLanes;
    auto accType = VectorType::get({accLanes}, rewriter.getF32Type());
    Value zeroVec = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(accType, rewriter.getF32FloatAttr(0)));
    Value padF32 = arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(0));
    Value init = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(), rewriter.getF32Type());
    // Activations once in the order weight chunks decode in.
    SmallVector<int64_t> order = weights.getChunkOrder();
    if (!llvm::equal(order, llvm::seq<int64_t>(0, chunk))) {
      Value permuted = tensor::EmptyOp::create(rewriter, loc, aType.getShape(), rewriter.getF32Type());
      lhs = forLoop(rewriter, loc, indexConst(rewriter, loc, 0), indexConst(rewriter, loc, m), 1, permuted,
                    [&](OpBuilder &b, Location l, Value r, ValueRange rowAcc) {
                      return forLoop(b, l, indexConst(b, l, 0), indexConst(b, l, k), chunk, rowAcc,
                                     [&](OpBuilder &b, Location l, Value kc, ValueRange acc) {
                                       Value a = vector::TransferReadOp::create(
                                           b, l, vecType, lhs, ValueRange{r, kc}, padF32, ArrayRef<bool>{true});
                                       Value p = vector::ShuffleOp::create(b, l, a, a, order);
                                       return SmallVector<Value>{
                                           vector::TransferWriteOp::create(b, l, p, acc[0], ValueRange{r, kc},
                                                                           ArrayRef<bool>{true})
                                               .getResult()};
                                     });
                    })
                .front();
    }

    // Chunks [k0, k0 + count * chunk) of one block, chunk j into slot
    // (first + j) % slots of each activation row.
    auto chunks = [&](OpBuilder &b, Location l, Value mt, Value row, Value k0, int64_t count,
                      int64_t first, const StorageAccess::BlockTerms &terms, SmallVector<Value> &accs) {
      for (int64_t j = 0; j < count; ++j) {
        Value kc = arith::AddIOp::create(b, l, k0, indexConst(b, l, j * chunk));
        Value w = weights.emitChunk(b, l, row, kc, terms);
        for (int64_t i = 0; i < tile; ++i) {
          Value r = arith::AddIOp::create(b, l, mt, indexConst(b, l, i));
          Value a = vector::TransferReadOp::create(b, l, vecType, lhs, ValueRange{r, kc}, padF32,
                                                   ArrayRef<bool>{true});
          for (int64_t p = 0; p < parts; ++p) {
            auto part = [&](Value v) {
              return parts == 1 ? v
                                : vector::ExtractStridedSliceOp::create(b, l, v, ArrayRef<int64_t>{p * accLanes},
                                                                        ArrayRef<int64_t>{accLanes},
                                                                        ArrayRef<int64_t>{1})
                                      .getResult();
            };
            Value &acc = accs[i * accSlots + ((first + j) * parts + p) % accSlots];
            acc = vector::FMAOp::create(b, l, part(a), part(w), acc);
          }
        }
      }
    };
    SmallVector<Value> rows = forLoop(
        rewriter, loc, indexConst(rewriter, loc, 0), indexConst(rewriter, loc, m), tile, ValueRange{init},
        [&](OpBuilder &b, Location l, Value mt, ValueRange outer) {
          return forLoop(
              b, l, indexConst(b, l, 0), indexConst(b, l, n), 1, outer,
              [&](OpBuilder &b, Location l, Value row, ValueRange result) {
                SmallVector<Value> zeros(tile * accSlots, zeroVec);
                SmallVector<Value> accs = forLoop(
                    b, l, indexConst(b, l, 0), indexConst(b, l, k), step, zeros,
                    [&](OpBuilder &b, Location l, Value kb, ValueRange carried) {
                      SmallVector<Value> next(carried);
                      if (step > block || block == chunk * slots) {
                        // Whole blocks: terms once a block, its chunks unrolled.
                        for (int64_t kbi = 0; kbi < step; kbi += block) {
                          Value k0 = arith::AddIOp::create(b, l, kb, indexConst(b, l, kbi));
                          chunks(b, l, mt, row, k0, block / chunk, kbi / chunk,
                                 weights.emitChunkTerms(b, l, row, k0), next);
                        }
                        return next;
                      }
                      // One block: its terms, then `slots` chunks a step.
                      StorageAccess::BlockTerms terms = weights.emitChunkTerms(b, l, row, kb);
                      return forLoop(b, l, indexConst(b, l, 0), indexConst(b, l, block), chunk * slots, next,
                                     [&](OpBuilder &b, Location l, Value kc, ValueRange inner) {
                                       SmallVector<Value> accs(inner);
                                       chunks(b, l, mt, row, arith::AddIOp::create(b, l, kb, kc), slots, 0,
                                              terms, accs);
                                       return accs;
                                     });
                    });
                Value out = result[0];
                for (int64_t i = 0; i < tile; ++i) {
                  Value sum = sumAccumulators(b, l, ArrayRef(accs).slice(i * accSlots, accSlots));
                  Value r = arith::AddIOp::create(b, l, mt, indexConst(b, l, i));
                  out = tensor::InsertOp::create(b, l, sum, out, ValueRange{r, row});
                }
                return SmallVector<Value>{out};
              });
        });
    rewriter.replaceOp(op, rows);
    return success();
  }

  bool avx2LookupOrder;
  int64_t vectorRegisters;
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
          linalg::YieldOp::create(b, bodyLoc, castFloat(b, bodyLoc, v, args[0].getType()));
        });
    Value result = generic.getResult(0);
    if (result.getType() != resultType)
      result = tensor::CastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct QfLowerToLinalgPass : qf::impl::QfLowerToLinalgBase<QfLowerToLinalgPass> {
  using QfLowerToLinalgBase::QfLowerToLinalgBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Ops whose lowering has not landed: say so where they are.
    WalkResult unsupported = module.walk([](Operation *op) {
      if (isa<QuantizeOp, RequantizeOp, WeightOp>(op))
        return op->emitOpError("has no lowering to linalg yet"), WalkResult::interrupt();
      if (auto h = dyn_cast<HadamardOp>(op); h && !h.getInput().getType().hasStaticShape())
        return h.emitOpError("lowers for static shapes only, got ") << h.getInput().getType(),
               WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (unsupported.wasInterrupted())
      return signalPassFailure();
    WalkResult badSchedule = module.walk([](MatmulOp mm) {
      std::string why = checkSchedule(mm, mm.getScheduleAttr());
      if (why.empty())
        return WalkResult::advance();
      mm.emitOpError() << "schedule " << mm.getScheduleAttr() << ": " << why;
      return WalkResult::interrupt();
    });
    if (badSchedule.wasInterrupted())
      return signalPassFailure();
    // Activation schemes: where weights have no integer dot path, the
    // activations are quantized and dequantized ahead (the same values the
    // scheme gives) and the matmul takes them as floats.
    WalkResult badScheme = module.walk([&](MatmulOp mm) {
      std::optional<SchemeAttr> act = mm.getActScheme();
      if (!act)
        return WalkResult::advance();
      auto actType = cast<RankedTensorType>(mm.getLhs().getType());
      if (failed(ActivationQuantizer::check(mm, *act, actType)))
        return WalkResult::interrupt();
      if (std::optional<uint64_t> size = mm.getActHadamard();
          size && !ActivationQuantizer(mm).canRotate(int64_t(*size))) {
        mm.emitOpError() << "act_hadamard " << *size
                         << " does not fit the activation quantizer's reads (it must divide the "
                            "scale group and be at most 256)";
        return WalkResult::interrupt();
      }
      if (!hasIntegerDotPath(mm) && !(wordPlanes && hasWordPlanePath(mm))) {
        OpBuilder b(mm);
        Value dequantized = ActivationQuantizer(mm).emitDequantized(b, mm.getLoc(), mm.getLhs());
        mm.getLhsMutable().assign(dequantized);
        mm.removeActSchemeAttr();
        mm.removeActHadamardAttr();
        mm.removeActHadamardSeedAttr();
      }
      return WalkResult::advance();
    });
    if (badScheme.wasInterrupted())
      return signalPassFailure();

    MLIRContext *ctx = &getContext();
    StorageTypeConverter converter;
    RewritePatternSet patterns(ctx);
    patterns.add<MatmulLowering, DequantizeLowering>(converter, ctx);
    patterns.add<VectorMatmulLowering>(converter, ctx, avx2LookupOrder, vectorRegisters);
    populateIntegerDotMatmulPattern(converter, patterns, signedWeightBytes, wordPlanes, vectorRegisters);
    populateHadamardLoweringPattern(converter, patterns);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns, converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    populateCallOpTypeConversionPattern(patterns, converter);

    ConversionTarget target(*ctx);
    target.addIllegalDialect<QfDialect>();
    target.addLegalOp<LookupOp, Dot4Op, Dot2Op>();
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect, arith::ArithDialect,
                           scf::SCFDialect, vector::VectorDialect, math::MathDialect>();
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
