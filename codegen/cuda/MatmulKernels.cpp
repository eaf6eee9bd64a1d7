//===- MatmulKernels.cpp - qf.matmul entries as GPU kernels ----------------===//
#include "codegen/cuda/MatmulKernels.h"
#include "codegen/cuda/Passes.h"
#include "codegen/cuda/TensorCoreKernel.h"
#include "passes/BuilderHelpers.h"
#include "passes/StorageAccess.h"
#include "qf/IR/Layout.h"
#include "qf/IR/Qf.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::qf::cuda {
#define GEN_PASS_DEF_QFCUDAMATMULKERNELS
#include "codegen/cuda/Passes.h.inc"
} // namespace mlir::qf::cuda

using namespace mlir;
using namespace mlir::qf;

namespace {

constexpr int64_t kWarp = 32;
constexpr int64_t kWarpsPerBlock = 4;
/// Weight rows a warp computes: each lane reads its activations once for all.
constexpr int64_t kRowsPerWarp = 4;

/// The qf.matmul a public function is, if it is one of its two arguments
/// returned as it is.
MatmulOp soleMatmul(func::FuncOp fn) {
  if (fn.getNumArguments() != 2 || fn.getNumResults() != 1 || !llvm::hasSingleElement(fn.getBody()) ||
      fn.getBody().front().getOperations().size() != 2)
    return {};
  auto matmul = dyn_cast<MatmulOp>(fn.getBody().front().front());
  auto ret = dyn_cast<func::ReturnOp>(fn.getBody().front().back());
  if (!matmul || !ret || matmul.getLhs() != fn.getArgument(0) ||
      matmul.getRhs() != fn.getArgument(1) || ret.getOperand(0) != matmul.getResult())
    return {};
  return matmul;
}

/// Sum of `v` over the lanes of a warp (every lane gets it).
Value warpSum(OpBuilder &b, Location loc, Value v) {
  Value width = arith::ConstantIntOp::create(b, loc, b.getI32Type(), kWarp);
  for (int64_t offset = kWarp / 2; offset > 0; offset /= 2) {
    Value o = arith::ConstantIntOp::create(b, loc, b.getI32Type(), offset);
    Value other = gpu::ShuffleOp::create(b, loc, v, o, width, gpu::ShuffleMode::XOR).getShuffleResult();
    v = arith::AddFOp::create(b, loc, v, other);
  }
  return v;
}

/// x * y + z, contracted to one fma by LLVM (math.fma would become a call
/// of libdevice's __nv_fmaf, which needs the CUDA toolkit to link).
Value fma(OpBuilder &b, Location loc, Value x, Value y, Value z) {
  auto contract = arith::FastMathFlags::contract;
  return arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, x, y, contract), z, contract);
}

Value toF32(OpBuilder &b, Location loc, Value v) {
  Type f32 = b.getF32Type();
  if (auto vt = dyn_cast<VectorType>(v.getType()))
    f32 = VectorType::get(vt.getShape(), f32);
  return v.getType() == f32 ? v : arith::ExtFOp::create(b, loc, f32, v).getResult();
}

class KernelBuilder {
public:
  KernelBuilder(MatmulOp op, gpu::GPUFuncOp fn, int64_t tokensPerBlock)
      : op(op), fn(fn), tokens(tokensPerBlock), n(op.getRhs().getType().getShape()[0]),
        k(op.getRhs().getType().getShape()[1]) {}

  void build() {
    Location loc = op.getLoc();
    Block &entry = fn.getBody().front();
    OpBuilder b = OpBuilder::atBlockBegin(&entry);
    act = entry.getArgument(0);
    out = entry.getArgument(entry.getNumArguments() - 1);
    SmallVector<Value> storage(entry.getArguments().drop_front().drop_back());
    StorageAccess weights(op.getRhs().getType(), storage);

    Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    Value warp = arith::DivUIOp::create(b, loc, tid, indexConst(b, loc, kWarp));
    lane = arith::RemUIOp::create(b, loc, tid, indexConst(b, loc, kWarp));
    Value firstRow = arith::MulIOp::create(
        b, loc,
        arith::AddIOp::create(
            b, loc,
            arith::MulIOp::create(b, loc, gpu::BlockIdOp::create(b, loc, gpu::Dimension::x),
                                  indexConst(b, loc, kWarpsPerBlock)),
            warp),
        indexConst(b, loc, kRowsPerWarp));
    // Rows past the last read the last (their sums are not stored).
    for (int64_t r = 0; r < kRowsPerWarp; ++r) {
      Value at = arith::AddIOp::create(b, loc, firstRow, indexConst(b, loc, r));
      outRows.push_back(at);
      rows.push_back(arith::MinUIOp::create(b, loc, at, indexConst(b, loc, n - 1)));
    }
    firstToken = arith::MulIOp::create(b, loc, gpu::BlockIdOp::create(b, loc, gpu::Dimension::y),
                                       indexConst(b, loc, tokens));
    Value actElements = memref::DimOp::create(b, loc, act, 0);
    numTokens = arith::DivUIOp::create(b, loc, actElements, indexConst(b, loc, k));
    Value lastToken = arith::SubIOp::create(b, loc, numTokens, indexConst(b, loc, 1));
    for (int64_t t = 0; t < tokens; ++t)
      tokenRows.push_back(arith::MinUIOp::create(
          b, loc, arith::AddIOp::create(b, loc, firstToken, indexConst(b, loc, t)), lastToken));

    SmallVector<Value> sums = StorageAccess::supportsChunks(weights.getType()) &&
                                      k % weights.getChunkSize() == 0
                                  ? chunkLoop(b, loc, weights)
                                  : elementLoop(b, loc, weights);
    for (Value &s : sums)
      s = warpSum(b, loc, s);
    Value leader = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane, indexConst(b, loc, 0));
    auto ifLeader = scf::IfOp::create(b, loc, leader, false);
    b.setInsertionPointToStart(ifLeader.thenBlock());
    Type outType = cast<MemRefType>(out.getType()).getElementType();
    for (int64_t r = 0; r < kRowsPerWarp; ++r)
      for (int64_t t = 0; t < tokens; ++t) {
        Value token = arith::AddIOp::create(b, loc, firstToken, indexConst(b, loc, t));
        Value stored = arith::AndIOp::create(
            b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, token, numTokens),
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, outRows[r], indexConst(b, loc, n)));
        auto ifStored = scf::IfOp::create(b, loc, stored, false);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(ifStored.thenBlock());
        Value index = arith::AddIOp::create(
            b, loc, arith::MulIOp::create(b, loc, token, indexConst(b, loc, n)), outRows[r]);
        Value s = sums[r * tokens + t];
        if (outType != s.getType())
          s = arith::TruncFOp::create(b, loc, outType, s);
        memref::StoreOp::create(b, loc, s, out, index);
      }
    b.setInsertionPointToEnd(&entry);
    gpu::ReturnOp::create(b, loc);
  }

private:
  /// Lane j takes chunks j, j + 32, ... of the warp's rows: its activations
  /// are read once for all of them, each row's chunk is decoded once (its
  /// bytes one wide load) and multiplied with every token's activations.
  SmallVector<Value> chunkLoop(OpBuilder &b, Location loc, const StorageAccess &weights) {
    int64_t chunk = weights.getChunkSize();
    SmallVector<int64_t> order = weights.getChunkOrder();
    Type actElem = cast<MemRefType>(act.getType()).getElementType();
    int64_t elemBytes = actElem.getIntOrFloatBitWidth() / 8;
    int64_t align = (k * elemBytes) % 16 == 0 && (chunk * elemBytes) % 16 == 0 ? 16 : elemBytes;
    auto actChunk = VectorType::get({chunk}, actElem);
    SmallVector<Value> init(kRowsPerWarp * tokens, arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0)));
    auto contract = arith::FastMathFlags::contract;
    auto reassoc = arith::FastMathFlags::reassoc | contract;
    return forLoop(
        b, loc, lane, indexConst(b, loc, k / chunk), kWarp, init,
        [&](OpBuilder &b, Location loc, Value c, ValueRange accs) {
          Value k0 = arith::MulIOp::create(b, loc, c, indexConst(b, loc, chunk));
          SmallVector<Value> acts;
          for (Value token : tokenRows) {
            Value at = arith::AddIOp::create(
                b, loc, arith::MulIOp::create(b, loc, token, indexConst(b, loc, k)), k0);
            Value a = vector::LoadOp::create(b, loc, actChunk, act, ValueRange{at}, false,
                                             llvm::MaybeAlign(align));
            a = toF32(b, loc, a);
            acts.push_back(vector::ShuffleOp::create(b, loc, a, a, order));
          }
          SmallVector<Value> next;
          for (int64_t r = 0; r < kRowsPerWarp; ++r) {
            // Without offsets the chunk's scale multiplies its dot products
            // once instead of every element.
            bool factored = !weights.hasBlockOffsets();
            StorageAccess::BlockTerms terms = factored ? weights.emitBlockTerms(b, loc, rows[r], k0)
                                                       : weights.emitChunkTerms(b, loc, rows[r], k0);
            StorageAccess::BlockTerms unit;
            if (factored)
              unit.scale = arith::ConstantOp::create(
                  b, loc, DenseElementsAttr::get(VectorType::get({chunk}, b.getF32Type()), 1.0f));
            Value w = weights.emitChunk(b, loc, rows[r], k0, factored ? unit : terms);
            for (int64_t t = 0; t < tokens; ++t) {
              Value acc = accs[r * tokens + t];
              Value product = arith::MulFOp::create(b, loc, w, acts[t], contract);
              if (factored) {
                Value dot = vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, product, reassoc);
                next.push_back(fma(b, loc, dot, terms.scale, acc));
              } else {
                next.push_back(vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, product,
                                                           acc, reassoc));
              }
            }
          }
          return next;
        });
  }

  /// Any layout: lane j takes elements j, j + 32, ... one at a time.
  SmallVector<Value> elementLoop(OpBuilder &b, Location loc, const StorageAccess &weights) {
    SmallVector<Value> init(kRowsPerWarp * tokens, arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0)));
    return forLoop(b, loc, lane, indexConst(b, loc, k), kWarp, init,
                   [&](OpBuilder &b, Location loc, Value e, ValueRange accs) {
                     SmallVector<Value> acts;
                     for (Value token : tokenRows) {
                       Value at = arith::AddIOp::create(
                           b, loc, arith::MulIOp::create(b, loc, token, indexConst(b, loc, k)), e);
                       acts.push_back(toF32(b, loc, memref::LoadOp::create(b, loc, act, at)));
                     }
                     SmallVector<Value> next;
                     for (int64_t r = 0; r < kRowsPerWarp; ++r) {
                       Value w = weights.emitDequantized(b, loc, ValueRange{rows[r], e});
                       for (int64_t t = 0; t < tokens; ++t)
                         next.push_back(fma(b, loc, w, acts[t], accs[r * tokens + t]));
                     }
                     return next;
                   });
  }

  MatmulOp op;
  gpu::GPUFuncOp fn;
  int64_t tokens, n, k;
  Value act, out, lane, firstToken, numTokens;
  SmallVector<Value> rows, outRows, tokenRows;
};

/// Why `op` has no kernel, or empty.
std::string unsupportedReason(MatmulOp op) {
  if (op.getActSchemeAttr() || op.getActHadamardAttr())
    return "the CUDA target takes f32/f16/bf16 activations as they are: no act_scheme or "
           "act_hadamard";
  if (op.getRhs().getType().getRank() != 2)
    return "the CUDA target takes rank-2 weights";
  if (op.getRhs().getType().getScheme().getLayout() == LayoutKind::tiled)
    return "the CUDA target reads weights in the planar and ggml layouts, not tiled (a CPU repacking)";
  auto a = cast<RankedTensorType>(op.getLhs().getType());
  auto r = cast<RankedTensorType>(op.getResult().getType());
  if (!a.getElementType().isF32() && !a.getElementType().isF16() && !a.getElementType().isBF16())
    return "the CUDA target takes f32, f16 or bf16 activations";
  if (!r.getElementType().isF32() && !r.getElementType().isF16() && !r.getElementType().isBF16())
    return "the CUDA target returns f32, f16 or bf16 results";
  return "";
}

} // namespace

LogicalResult qf::cuda::buildMatmulKernels(ModuleOp module, bool tensorCores) {
  MLIRContext *ctx = module.getContext();
  ctx->loadDialect<gpu::GPUDialect, memref::MemRefDialect, scf::SCFDialect, vector::VectorDialect,
                   math::MathDialect, LLVM::LLVMDialect, NVVM::NVVMDialect>();
  SmallVector<func::FuncOp> entries;
  for (auto fn : module.getOps<func::FuncOp>())
    if (fn.isPublic() && !fn.isDeclaration())
      entries.push_back(fn);
  if (entries.empty())
    return module.emitError("the module has no public function with a body to compile");

  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module.getBody());
  auto kernels = gpu::GPUModuleOp::create(b, module.getLoc(), "qf_kernels");
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(), b.getUnitAttr());
  for (func::FuncOp fn : entries) {
    MatmulOp op = soleMatmul(fn);
    if (!op)
      return fn.emitError("the CUDA target compiles functions that are one qf.matmul of their "
                          "two arguments, returned");
    if (std::string why = unsupportedReason(op); !why.empty())
      return op.emitOpError(why);
    QTensorType w = op.getRhs().getType();
    auto a = cast<RankedTensorType>(op.getLhs().getType());
    auto r = cast<RankedTensorType>(op.getResult().getType());
    int64_t m = a.hasStaticShape() ? a.getNumElements() / a.getShape().back() : ShapedType::kDynamic;
    int64_t tokens = ShapedType::isDynamic(m) ? kMaxTokensPerBlock : std::min(m, kMaxTokensPerBlock);

    SmallVector<Type> params{MemRefType::get({ShapedType::kDynamic}, a.getElementType())};
    for (const StorageBuffer &buffer : getStorageLayout(w.getScheme(), w.getShape()).buffers)
      params.push_back(MemRefType::get({buffer.bytes}, b.getI8Type()));
    params.push_back(MemRefType::get({ShapedType::kDynamic}, r.getElementType()));
    b.setInsertionPointToEnd(kernels.getBody());
    auto kernel = gpu::GPUFuncOp::create(b, op.getLoc(), fn.getName(), b.getFunctionType(params, {}));
    kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
    kernel->setAttr(kEntryAttr, b.getStringAttr(fn.getName()));
    auto setLaunch = [&](int64_t threads, int64_t rowsPerBlock, int64_t tokensPerBlock) {
      kernel.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr({int32_t(threads), 1, 1}));
      kernel->setAttr(kRowsPerBlockAttr, b.getI64IntegerAttr(rowsPerBlock));
      kernel->setAttr(kTokensPerBlockAttr, b.getI64IntegerAttr(tokensPerBlock));
    };
    if (tensorCores && tensorCoreKernelApplies(op, kMaxTokensPerBlock)) {
      setLaunch(kTensorCoreThreads, kTensorCoreRows, kTensorCoreTokens);
      buildTensorCoreKernel(op, kernel);
    } else {
      setLaunch(kWarp * kWarpsPerBlock, kWarpsPerBlock * kRowsPerWarp, tokens);
      KernelBuilder(op, kernel, tokens).build();
    }
    fn.erase();
  }
  return success();
}

namespace {
struct CudaMatmulKernelsPass : qf::cuda::impl::QfCudaMatmulKernelsBase<CudaMatmulKernelsPass> {
  using Base::Base;
  void runOnOperation() override {
    if (failed(qf::cuda::buildMatmulKernels(getOperation(), tensorCores)))
      signalPassFailure();
  }
};
} // namespace
