//===- Jit.cpp - Compile and run kernels in-process ------------------------===//
#include "codegen/cpu/Jit.h"
#include "codegen/cpu/Pipeline.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"



using namespace mlir;
using namespace mlir::qf;

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

llvm::Expected<std::unique_ptr<JitModule>> JitModule::compile(ModuleOp module, const CpuTarget &target) {
  MLIRContext *ctx = module.getContext();
  prepareForHostCodegen(ctx);

  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn.isDeclaration())
      fn->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(), UnitAttr::get(ctx));

  {
    DiagnosticCollector diagnostics(ctx);
    PassManager pm(ctx);
    buildCpuPipeline(pm, target);
    if (failed(pm.run(module)))
      return makeError("CPU pipeline failed:\n" + diagnostics.text());
  }

  // One machine tunes the optimization, the other generates the code.
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> tuning = target.createTargetMachine(),
                                                       machine = target.createTargetMachine();
  if (!tuning)
    return tuning.takeError();
  if (!machine)
    return machine.takeError();
  std::shared_ptr<llvm::TargetMachine> tuningMachine = std::move(*tuning);
  std::function<llvm::Error(llvm::Module *)> optimize = [tuningMachine, target](llvm::Module *m) {
    target.limitVectorWidth(*m);
    return makeOptimizingTransformer(/*optLevel=*/3, /*sizeLevel=*/0, tuningMachine.get())(m);
  };
  ExecutionEngineOptions options;
  options.transformer = optimize;
  // memrefCopy and friends for strided copies.
  llvm::StringRef runnerUtils[] = {QFORGE_MLIR_LIB_DIR "/libmlir_c_runner_utils.so"};
  options.sharedLibPaths = runnerUtils;
  auto engine = ExecutionEngine::create(module, options, std::move(*machine));
  if (!engine)
    return engine.takeError();
  return std::unique_ptr<JitModule>(new JitModule(std::move(*engine)));
}

llvm::Error JitModule::call(llvm::StringRef function, llvm::ArrayRef<void *> descriptors) {
  // invokePacked takes a pointer to each argument; the arguments are pointers.
  llvm::SmallVector<void *> pointers(descriptors.begin(), descriptors.end());
  llvm::SmallVector<void *> packed;
  for (void *&p : pointers)
    packed.push_back(&p);
  return engine->invokePacked(("_mlir_ciface_" + function).str(), packed);
}
