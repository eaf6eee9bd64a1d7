//===- qforge-opt.cpp - mlir-opt with the qf dialect and passes -----------===//
#include "codegen/cpu/Pipeline.h"
#include "codegen/cuda/Pipeline.h"
#include "passes/Passes.h"
#include "qf/IR/Qf.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::qf::registerCpuPipeline();
  mlir::qf::cuda::registerCudaPasses();
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  registry.insert<mlir::qf::QfDialect>();
  mlir::qf::cuda::registerCudaPipelineDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "qforge optimizer driver\n", registry));
}
