//===- Pipeline.cpp - The CUDA compilation pipeline ------------------------===//
#include "codegen/cuda/Pipeline.h"
#include "codegen/cuda/Passes.h"
#include "passes/Passes.h"
#include "qf/IR/Qf.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVM.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"

#include <mutex>

using namespace mlir;
using namespace mlir::qf;

// Upstream conversions inside the gpu.module, by their registered names.
static const char kNvvmPipeline[] =
    "convert-scf-to-cf,canonicalize,cse,convert-vector-to-llvm,convert-gpu-to-nvvm,"
    "convert-arith-to-llvm,convert-index-to-llvm,canonicalize,cse,"
    "reconcile-unrealized-casts";

llvm::ArrayRef<llvm::StringRef> cuda::CudaTarget::supportedArchs() {
  static const llvm::StringRef archs[] = {"sm_80", "sm_89", "sm_90a"};
  return archs;
}

llvm::Expected<cuda::CudaTarget> cuda::CudaTarget::named(llvm::StringRef arch) {
  if (!llvm::is_contained(supportedArchs(), arch))
    return llvm::createStringError("unknown CUDA architecture '" + arch + "' (this build compiles for: " +
                                   llvm::join(supportedArchs(), ", ") + ")");
  return CudaTarget{arch.str(), false};
}

static void registerUpstreamPasses() {
  static std::once_flag once;
  std::call_once(once, [] { registerAllPasses(); });
}

void cuda::buildCudaPipeline(OpPassManager &pm, const CudaTarget &target) {
  registerUpstreamPasses();
  pm.addPass(createQfCudaMatmulKernels(QfCudaMatmulKernelsOptions{target.tensorCores}));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createQfLowerSimdOps());

  if (failed(parsePassPipeline(kNvvmPipeline, kernels)))
    llvm::report_fatal_error("qforge: the built-in CUDA pipeline does not parse");
  GpuNVVMAttachTargetOptions attach;
  attach.chip = target.arch;
  attach.features = target.ptxFeatures();
  attach.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(attach));
}

void cuda::registerCudaPipelineDialects(DialectRegistry &registry) {
  registry.insert<qf::QfDialect, func::FuncDialect, arith::ArithDialect, scf::SCFDialect,
                  vector::VectorDialect, math::MathDialect, memref::MemRefDialect,
                  gpu::GPUDialect, NVVM::NVVMDialect, LLVM::LLVMDialect>();
  // convert-gpu-to-nvvm lowers the ops of every dialect that registered its
  // patterns through this interface.
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  index::registerConvertIndexToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  registerConvertMathToLLVMInterface(registry);
  registerConvertMemRefToLLVMInterface(registry);
  registerConvertNVVMToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  vector::registerConvertVectorToLLVMInterface(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
}

llvm::Expected<std::string> cuda::emitPtx(ModuleOp module) {
  PassManager pm(module.getContext());
  GpuModuleToBinaryPassOptions options;
  options.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(options));
  if (failed(pm.run(module)))
    return llvm::createStringError("NVPTX code generation failed");
  for (auto binary : module.getOps<gpu::BinaryOp>())
    for (Attribute object : binary.getObjects())
      return cast<gpu::ObjectAttr>(object).getObject().str();
  return llvm::createStringError("NVPTX code generation produced no object");
}

void cuda::registerCudaPasses() {
  registerUpstreamPasses();
  registerQfPasses();
  registerQfCudaPasses();
  struct Options : PassPipelineOptions<Options> {
    Option<std::string> arch{*this, "arch", llvm::cl::desc("GPU architecture (sm_80, sm_89, sm_90a)"),
                             llvm::cl::init("sm_90a")};
    Option<bool> tensorCores{*this, "tensor-cores",
                             llvm::cl::desc("Matmuls of more than 8 tokens on mma.sync"), llvm::cl::init(false)};
  };
  registerPassPipeline(
      "qf-cuda-pipeline", "Lower qf.matmul entries to GPU kernels in the NVVM dialect",
      [](OpPassManager &pm, StringRef optionsText, function_ref<LogicalResult(const Twine &)> errorHandler) {
        Options options;
        if (failed(options.parseFromString(optionsText)))
          return failure();
        llvm::Expected<CudaTarget> target = CudaTarget::named(options.arch);
        if (!target)
          return errorHandler(llvm::toString(target.takeError()));
        target->tensorCores = options.tensorCores;
        buildCudaPipeline(pm, *target);
        return success();
      },
      [](function_ref<void(const mlir::detail::PassOptions &)> optionsHandler) { optionsHandler(Options()); });
}
