//===- Pipeline.h - The CUDA compilation pipeline --------------------------===//
#ifndef QFORGE_CODEGEN_CUDA_PIPELINE_H
#define QFORGE_CODEGEN_CUDA_PIPELINE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/Error.h"

namespace mlir::qf::cuda {

/// A GPU architecture kernels are compiled for.
struct CudaTarget {
  std::string arch = "sm_90a";
  /// Matmuls of more than 8 tokens on mma.sync (qf-cuda-matmul-kernels{tensor-cores}).
  bool tensorCores = false;

  /// The architectures this compiler emits for (`qforge compile --arch`).
  static llvm::ArrayRef<llvm::StringRef> supportedArchs();
  static llvm::Expected<CudaTarget> named(llvm::StringRef arch);

  /// NVPTX features: PTX ISA 8.0, the first with sm_90a, for every arch.
  std::string ptxFeatures() const { return "+ptx80"; }
};

/// qf on tensors -> gpu.module @qf_kernels in the LLVM and NVVM dialects,
/// with the NVVM target of `target` attached (qf-cuda-matmul-kernels, then
/// upstream conversions).
void buildCudaPipeline(OpPassManager &pm, const CudaTarget &target);

/// Dialects, translations and target interfaces the pipeline and PTX
/// emission need.
void registerCudaPipelineDialects(DialectRegistry &registry);

/// The PTX of the module's lowered gpu.module (LLVM's NVPTX back end).
llvm::Expected<std::string> emitPtx(ModuleOp module);

/// Registers `qf-cuda-matmul-kernels` and `qf-cuda-pipeline{arch=...}` for
/// textual pipelines.
void registerCudaPasses();

} // namespace mlir::qf::cuda

#endif // QFORGE_CODEGEN_CUDA_PIPELINE_H
