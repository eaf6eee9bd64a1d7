//===- Pipeline.h - The CPU compilation pipeline ---------------------------===//
#ifndef QFORGE_CODEGEN_CPU_PIPELINE_H
#define QFORGE_CODEGEN_CPU_PIPELINE_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"

#include "codegen/DiagnosticCollector.h"
#include "codegen/cpu/Target.h"

namespace mlir::qf {

/// qf on tensors -> LLVM dialect: fuse dequantization into its consumers,
/// lower qf to linalg on packed storage, bufferize (results become
/// out-parameters), loops, LLVM; SIMD ops for the features of `target`.
void buildCpuPipeline(OpPassManager &pm, const CpuTarget &target = CpuTarget::host());

/// Adds what the pipeline needs to a context: dialects and the external
/// interface models (bufferization) of upstream dialects.
void registerCpuPipelineDialects(DialectRegistry &registry);

/// Everything compiling for the host needs: the pipeline's dialects, LLVM IR
/// translation, and LLVM's native target (initialized once per process).
void prepareForHostCodegen(MLIRContext *ctx);

/// Registers `qf-cpu-pipeline` (and the passes it uses) for textual pipelines.
void registerCpuPipeline();

} // namespace mlir::qf

#endif // QFORGE_CODEGEN_CPU_PIPELINE_H
