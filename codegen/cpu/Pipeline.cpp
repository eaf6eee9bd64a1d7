//===- Pipeline.cpp - The CPU compilation pipeline -------------------------===//
#include "codegen/cpu/Pipeline.h"
#include "passes/Passes.h"
#include "qf/IR/Qf.h"

#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"

#include <mutex>

using namespace mlir;

// Upstream passes by their registered names, around the qf ones.
static const char kBufferizationPipeline[] =
    "linalg-fuse-elementwise-ops,canonicalize,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},canonicalize,"
    "buffer-results-to-out-params{hoist-static-allocs modify-public-functions},"
    "func.func(convert-linalg-to-loops),"
    "buffer-deallocation-pipeline";
static const char kLlvmPipeline[] =
    "lower-affine,func.func(lower-vector-multi-reduction),convert-vector-to-scf,convert-math-to-llvm,convert-scf-to-cf,expand-strided-metadata,"
    "convert-vector-to-llvm,finalize-memref-to-llvm,"
    "convert-arith-to-llvm,convert-ub-to-llvm,convert-index-to-llvm,convert-func-to-llvm,convert-cf-to-llvm,"
    "reconcile-unrealized-casts";

static void registerUpstreamPasses() {
  static std::once_flag once;
  std::call_once(once, [] { registerAllPasses(); });
}

namespace {
/// A kernel must not write into its callers' inputs: tensor arguments of
/// public functions are read-only for bufferization (results get their own
/// buffers).
struct MarkInputsReadOnly : PassWrapper<MarkInputsReadOnly, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(MarkInputsReadOnly)
  StringRef getArgument() const override { return "qf-mark-inputs-read-only"; }
  void runOnOperation() override {
    Builder b(&getContext());
    for (auto fn : getOperation().getOps<func::FuncOp>())
      if (fn.isPublic() && !fn.isDeclaration())
        for (unsigned i = 0; i < fn.getNumArguments(); ++i)
          if (isa<TensorType>(fn.getArgument(i).getType()))
            fn.setArgAttr(i, "bufferization.writable", b.getBoolAttr(false));
  }
};
} // namespace

void qf::buildCpuPipeline(OpPassManager &pm, const CpuTarget &target) {
  registerUpstreamPasses();
  pm.addPass(std::make_unique<MarkInputsReadOnly>());
  pm.addPass(createQfFuseDequant());
  pm.addPass(createQfFuseHadamard());
  QfLowerToLinalgOptions lowering;
  // Without VNNI the byte dot products are vpmaddubsw (IntegerDotMatmul).
  bool vnni = (target.has("avx512vnni") && target.has("avx512vl")) || target.has("avxvnni");
  lowering.signedWeightBytes = target.has("avx2") && !vnni;
  lowering.avx2LookupOrder = target.has("avx2") && !target.has("avx512f");
  lowering.wordPlanes = target.has("avx2") && !target.has("avx512f");
  lowering.vectorRegisters = target.has("avx512f") ? 32 : 16;
  pm.addPass(createQfLowerToLinalg(lowering));
  if (failed(parsePassPipeline(kBufferizationPipeline, pm)))
    llvm::report_fatal_error("qforge: the built-in CPU pipeline does not parse");
  // Common index computations merged first, so that reads one line apart
  // share a prefetch.
  pm.addPass(createCSEPass());
  QfInsertPrefetchOptions prefetch;
  prefetch.aheadBytes = target.prefetchAheadBytes();
  pm.addNestedPass<func::FuncOp>(createQfInsertPrefetch(prefetch));
  // Table lookups and byte dot products become single instructions where the
  // target has them (the package records the features and checks them at load).
  QfLowerSimdOpsOptions simd;
  simd.avx512 = target.has("avx512f");
  simd.avx2 = target.has("avx2");
  simd.vnni = vnni;
  pm.addPass(createQfLowerSimdOps(simd));
  pm.addPass(createQfPolynomialExp());
  if (failed(parsePassPipeline(kLlvmPipeline, pm)))
    llvm::report_fatal_error("qforge: the built-in CPU pipeline does not parse");
}

void qf::registerCpuPipelineDialects(DialectRegistry &registry) {
  registry.insert<qf::QfDialect, func::FuncDialect, linalg::LinalgDialect, tensor::TensorDialect,
                  arith::ArithDialect, scf::SCFDialect, vector::VectorDialect, math::MathDialect>();
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  vector::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(registry);
}

void qf::prepareForHostCodegen(MLIRContext *ctx) {
  static std::once_flag nativeTarget;
  std::call_once(nativeTarget, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  DialectRegistry registry;
  registerCpuPipelineDialects(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  ctx->appendDialectRegistry(registry);
}

void qf::registerCpuPipeline() {
  registerUpstreamPasses();
  registerQfPasses();
  PassPipelineRegistration<>("qf-cpu-pipeline",
                             "Lower qf on tensors to the LLVM dialect for the host CPU",
                             [](OpPassManager &pm) { buildCpuPipeline(pm); });
}
