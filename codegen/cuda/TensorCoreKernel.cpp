//===- TensorCoreKernel.cpp - qf.matmul on mma.sync with decoded bf16 weights ===//
//
// Fragments follow the PTX ISA's mma.m16n8k16 layouts for .bf16 (lane =
// 4 * group + g4): A (16 x 16, row-major) register r holds row group + 8 *
// (r % 2), columns 2 * g4 + 8 * (r / 2) and the one after; B (16 x 8,
// column-major) register r holds column group, rows 2 * g4 + 8 * r and the
// one after; the f32 result i is row group + 8 * (i / 2), column 2 * g4 + i %
// 2. Rows of A are tokens, columns of B weight rows, so both tiles are kept
// row-major along K in shared memory and every fragment register is one
// 32-bit load of two neighbouring bf16.
//===----------------------------------------------------------------------===//
#include "codegen/cuda/TensorCoreKernel.h"
#include "passes/BuilderHelpers.h"
#include "passes/StorageAccess.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::qf;

namespace {

constexpr int64_t kWarp = 32;
/// bf16 a shared-memory row beyond the K step: rows 144 bytes apart put the
/// 8 groups x 4 lanes of a fragment load on 32 different banks.
constexpr int64_t kRowStride = cuda::kTensorCoreKStep + 8;
/// Warps are 2 along tokens x 2 along weight rows, each 16 x 32: one m16
/// tile and four n8 tiles.
constexpr int64_t kWarpTokens = 16, kWarpRows = 32, kTiles = kWarpRows / 8;
constexpr int64_t kMmaK = 16;

Value toBf16(OpBuilder &b, Location loc, Value v) {
  auto type = cast<VectorType>(v.getType());
  Type bf16 = b.getBF16Type();
  if (type.getElementType() == bf16)
    return v;
  if (!type.getElementType().isF32())
    v = arith::ExtFOp::create(b, loc, VectorType::get(type.getShape(), b.getF32Type()), v);
  return arith::TruncFOp::create(b, loc, VectorType::get(type.getShape(), bf16), v);
}

class TensorCoreKernelBuilder {
public:
  TensorCoreKernelBuilder(MatmulOp op, gpu::GPUFuncOp fn)
      : op(op), fn(fn), n(op.getRhs().getType().getShape()[0]), k(op.getRhs().getType().getShape()[1]) {}

  void build() {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto shared = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
    Type bf16 = BFloat16Type::get(ctx);
    actTile = fn.addWorkgroupAttribution(
        MemRefType::get({cuda::kTensorCoreTokens, kRowStride}, bf16, MemRefLayoutAttrInterface{}, shared), loc);
    weightTile = fn.addWorkgroupAttribution(
        MemRefType::get({cuda::kTensorCoreRows, kRowStride}, bf16, MemRefLayoutAttrInterface{}, shared), loc);
    // Staging stores 16 bytes at a time.
    for (unsigned i = 0; i < 2; ++i)
      fn.setWorkgroupAttributionAttr(i, LLVM::LLVMDialect::getAlignAttrName(), OpBuilder(ctx).getI64IntegerAttr(16));

    Block &entry = fn.getBody().front();
    unsigned inputs = fn.getFunctionType().getNumInputs();
    act = entry.getArgument(0);
    out = entry.getArgument(inputs - 1);
    SmallVector<Value> storage(entry.getArguments().slice(1, inputs - 2));
    StorageAccess weights(op.getRhs().getType(), storage);

    OpBuilder b = OpBuilder::atBlockBegin(&entry);
    auto c = [&](int64_t v) { return indexConst(b, loc, v); };
    tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    Value warp = arith::DivUIOp::create(b, loc, tid, c(kWarp));
    Value lane = arith::RemUIOp::create(b, loc, tid, c(kWarp));
    group = arith::DivUIOp::create(b, loc, lane, c(4));
    Value inGroup = arith::RemUIOp::create(b, loc, lane, c(4));
    pairCol = arith::MulIOp::create(b, loc, inGroup, c(2));
    Value warpToken = arith::MulIOp::create(b, loc, arith::RemUIOp::create(b, loc, warp, c(2)), c(kWarpTokens));
    warpRow = arith::MulIOp::create(b, loc, arith::DivUIOp::create(b, loc, warp, c(2)), c(kWarpRows));
    // The lane's tokens in the warp's A fragments: rows group and group + 8.
    fragmentTokens = {arith::AddIOp::create(b, loc, warpToken, group)};
    fragmentTokens.push_back(arith::AddIOp::create(b, loc, fragmentTokens[0], c(8)));
    firstRow = arith::MulIOp::create(b, loc, gpu::BlockIdOp::create(b, loc, gpu::Dimension::x),
                                     c(cuda::kTensorCoreRows));
    firstToken = arith::MulIOp::create(b, loc, gpu::BlockIdOp::create(b, loc, gpu::Dimension::y),
                                       c(cuda::kTensorCoreTokens));
    numTokens = arith::DivUIOp::create(b, loc, memref::DimOp::create(b, loc, act, 0), c(k));

    SmallVector<Value> init(kTiles * 4, arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0)));
    SmallVector<Value> sums =
        forLoop(b, loc, c(0), c(k), cuda::kTensorCoreKStep, init,
                [&](OpBuilder &b, Location loc, Value kb, ValueRange accs) {
                  stageActivations(b, loc, kb);
                  stageWeights(b, loc, kb, weights);
                  gpu::BarrierOp::create(b, loc);
                  SmallVector<Value> next(accs);
                  for (int64_t kk = 0; kk < cuda::kTensorCoreKStep; kk += kMmaK)
                    multiply(b, loc, kk, next);
                  // The next step's staging overwrites the tiles.
                  gpu::BarrierOp::create(b, loc);
                  return next;
                });
    store(b, loc, sums);
    gpu::ReturnOp::create(b, loc);
  }

private:
  /// Thread t converts 16 activations of token t / 4 of the block to bf16:
  /// those from kb + 16 * (t % 4). Tokens past the last read the last.
  void stageActivations(OpBuilder &b, Location loc, Value kb) {
    constexpr int64_t perThread = cuda::kTensorCoreTokens * cuda::kTensorCoreKStep / cuda::kTensorCoreThreads;
    auto c = [&](int64_t v) { return indexConst(b, loc, v); };
    Value tileToken = arith::DivUIOp::create(b, loc, tid, c(cuda::kTensorCoreKStep / perThread));
    Value col = arith::MulIOp::create(
        b, loc, arith::RemUIOp::create(b, loc, tid, c(cuda::kTensorCoreKStep / perThread)), c(perThread));
    Value token = arith::MinUIOp::create(b, loc, arith::AddIOp::create(b, loc, firstToken, tileToken),
                                         arith::SubIOp::create(b, loc, numTokens, c(1)));
    Value at = arith::AddIOp::create(
        b, loc, arith::AddIOp::create(b, loc, arith::MulIOp::create(b, loc, token, c(k)), kb), col);
    Type elem = cast<MemRefType>(act.getType()).getElementType();
    int64_t bytes = perThread * elem.getIntOrFloatBitWidth() / 8;
    Value a = vector::LoadOp::create(b, loc, VectorType::get({perThread}, elem), act, ValueRange{at}, false,
                                     llvm::MaybeAlign(std::min<int64_t>(bytes, 16)));
    vector::StoreOp::create(b, loc, toBf16(b, loc, a), actTile, ValueRange{tileToken, col}, false,
                            llvm::MaybeAlign(16));
  }

  /// The block's weight rows from kb, decoded chunk by chunk into bf16 in
  /// element order: chunk i of the tile (row i / chunks a row) by thread
  /// i % threads. Rows past the last read the last.
  void stageWeights(OpBuilder &b, Location loc, Value kb, const StorageAccess &weights) {
    auto c = [&](int64_t v) { return indexConst(b, loc, v); };
    int64_t chunk = weights.getChunkSize();
    int64_t perRow = cuda::kTensorCoreKStep / chunk;
    SmallVector<int64_t> order = weights.getChunkOrder(), inverse(chunk);
    for (int64_t p = 0; p < chunk; ++p)
      inverse[order[p]] = p;
    bool reorder = !llvm::equal(inverse, llvm::seq<int64_t>(0, chunk));
    for (int64_t i = 0; i < cuda::kTensorCoreRows * perRow; i += cuda::kTensorCoreThreads) {
      Value index = arith::AddIOp::create(b, loc, tid, c(i));
      Value tileRow = arith::DivUIOp::create(b, loc, index, c(perRow));
      Value col = arith::MulIOp::create(b, loc, arith::RemUIOp::create(b, loc, index, c(perRow)), c(chunk));
      Value row = arith::MinUIOp::create(b, loc, arith::AddIOp::create(b, loc, firstRow, tileRow), c(n - 1));
      Value k0 = arith::AddIOp::create(b, loc, kb, col);
      Value w = weights.emitChunk(b, loc, row, k0, weights.emitChunkTerms(b, loc, row, k0));
      w = toBf16(b, loc, w);
      if (reorder)
        w = vector::ShuffleOp::create(b, loc, w, w, inverse);
      vector::StoreOp::create(b, loc, w, weightTile, ValueRange{tileRow, col}, false, llvm::MaybeAlign(16));
    }
  }

  /// Two bf16 at (row, col) of a shared tile as one fragment register.
  Value fragmentWord(OpBuilder &b, Location loc, Value tile, Value row, Value col) {
    Value pair = vector::LoadOp::create(b, loc, VectorType::get({2}, b.getBF16Type()), tile, ValueRange{row, col},
                                        false, llvm::MaybeAlign(4));
    Value word = vector::BitCastOp::create(b, loc, VectorType::get({1}, b.getI32Type()), pair);
    return vector::ExtractOp::create(b, loc, word, ArrayRef<int64_t>{0});
  }

  /// The warp's 16 x 32 part of K columns [kk, kk + 16) of the tiles added to
  /// `accs` (four f32 a tile).
  void multiply(OpBuilder &b, Location loc, int64_t kk, SmallVector<Value> &accs) {
    auto c = [&](int64_t v) { return indexConst(b, loc, v); };
    Value lowCol = arith::AddIOp::create(b, loc, pairCol, c(kk));
    Value highCol = arith::AddIOp::create(b, loc, lowCol, c(8));
    SmallVector<Value> a;
    for (Value col : {lowCol, highCol})
      for (Value token : fragmentTokens)
        a.push_back(fragmentWord(b, loc, actTile, token, col));
    Type f32 = b.getF32Type();
    auto resultType = LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32});
    for (int64_t t = 0; t < kTiles; ++t) {
      Value weightRow = arith::AddIOp::create(b, loc, arith::AddIOp::create(b, loc, warpRow, c(8 * t)), group);
      SmallVector<Value> w = {fragmentWord(b, loc, weightTile, weightRow, lowCol),
                              fragmentWord(b, loc, weightTile, weightRow, highCol)};
      MutableArrayRef<Value> acc = MutableArrayRef(accs).slice(4 * t, 4);
      Value d = NVVM::MmaOp::create(b, loc, resultType, a, w, SmallVector<Value>(acc), {16, 8, kMmaK},
                                    std::nullopt, std::nullopt,
                                    std::array{NVVM::MMATypes::bf16, NVVM::MMATypes::bf16},
                                    std::array{NVVM::MMALayout::row, NVVM::MMALayout::col});
      for (int64_t i = 0; i < 4; ++i)
        acc[i] = LLVM::ExtractValueOp::create(b, loc, d, ArrayRef<int64_t>{i});
    }
  }

  /// Each lane stores its result fragments that lie inside M x N.
  void store(OpBuilder &b, Location loc, ArrayRef<Value> sums) {
    auto c = [&](int64_t v) { return indexConst(b, loc, v); };
    Type outType = cast<MemRefType>(out.getType()).getElementType();
    Value token0 = arith::AddIOp::create(b, loc, firstToken, fragmentTokens[0]);
    Value col0 = arith::AddIOp::create(b, loc, arith::AddIOp::create(b, loc, firstRow, warpRow), pairCol);
    for (int64_t t = 0; t < kTiles; ++t)
      for (int64_t i = 0; i < 4; ++i) {
        Value token = arith::AddIOp::create(b, loc, token0, c(8 * (i / 2)));
        Value col = arith::AddIOp::create(b, loc, col0, c(8 * t + i % 2));
        Value inside = arith::AndIOp::create(
            b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, token, numTokens),
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, col, c(n)));
        auto ifInside = scf::IfOp::create(b, loc, inside, false);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(ifInside.thenBlock());
        Value s = sums[4 * t + i];
        if (outType != s.getType())
          s = arith::TruncFOp::create(b, loc, outType, s);
        Value index = arith::AddIOp::create(b, loc, arith::MulIOp::create(b, loc, token, c(n)), col);
        memref::StoreOp::create(b, loc, s, out, index);
      }
  }

  MatmulOp op;
  gpu::GPUFuncOp fn;
  int64_t n, k;
  Value act, out, actTile, weightTile;
  Value tid, group, pairCol, warpRow, firstRow, firstToken, numTokens;
  SmallVector<Value, 2> fragmentTokens;
};

} // namespace

bool qf::cuda::tensorCoreKernelApplies(MatmulOp op, int64_t gemvTokens) {
  auto a = cast<RankedTensorType>(op.getLhs().getType());
  QTensorType w = op.getRhs().getType();
  // Chunks of 16 or 32 elements divide the K step.
  return a.hasStaticShape() && a.getNumElements() / a.getShape().back() > gemvTokens &&
         StorageAccess::supportsChunks(w) && w.getShape()[1] % kTensorCoreKStep == 0;
}

void qf::cuda::buildTensorCoreKernel(MatmulOp op, gpu::GPUFuncOp fn) { TensorCoreKernelBuilder(op, fn).build(); }
