//===- Package.cpp - CUDA kernels as a runtime package ---------------------===//
#include "codegen/cuda/Package.h"
#include "codegen/DiagnosticCollector.h"
#include "codegen/EntryOperands.h"
#include "codegen/cuda/MatmulKernels.h"
#include "runtime/Manifest.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Diagnostics.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"

#include <map>

using namespace mlir;
using namespace mlir::qf;
namespace rt = qforge::runtime;

std::optional<std::string> cuda::findPtxas() {
  if (std::optional<std::string> env = llvm::sys::Process::GetEnv("QFORGE_PTXAS"))
    return llvm::sys::fs::can_execute(*env) ? env : std::nullopt;
  llvm::SmallVector<llvm::StringRef, 2> dirs;
  std::optional<std::string> home = llvm::sys::Process::GetEnv("CUDA_HOME");
  std::string homeBin = home ? *home + "/bin" : "";
  if (home)
    dirs.push_back(homeBin);
  dirs.push_back("/usr/local/cuda/bin");
  if (llvm::ErrorOr<std::string> onPath = llvm::sys::findProgramByName("ptxas"))
    return *onPath;
  if (llvm::ErrorOr<std::string> found = llvm::sys::findProgramByName("ptxas", dirs))
    return *found;
  return std::nullopt;
}

llvm::Error cuda::writeCudaPackage(ModuleOp module, llvm::StringRef outputDir,
                                   const CudaTarget &target,
                                   llvm::function_ref<void(llvm::StringRef)> progress) {
  auto stage = [&](llvm::StringRef what) {
    if (progress)
      progress(what);
  };
  MLIRContext *ctx = module.getContext();
  DialectRegistry registry;
  registerCudaPipelineDialects(registry);
  ctx->appendDialectRegistry(registry);
  DiagnosticCollector diagnostics(ctx);

  // The manifest's operands come from the entries' signatures, before the
  // kernels replace them.
  rt::Manifest manifest;
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (fn.isDeclaration() || !fn.isPublic())
      continue;
    FailureOr<rt::EntryPoint> entry = entryPointOf(fn);
    if (failed(entry))
      return llvm::createStringError(diagnostics.text());
    manifest.entries.push_back(std::move(*entry));
  }
  if (manifest.entries.empty())
    return llvm::createStringError("the module has no public function with a body to compile");

  stage("lowering " + std::to_string(manifest.entries.size()) + " entry points to NVVM for " +
        target.arch);
  PassManager pm(ctx);
  buildCudaPipeline(pm, target);
  if (failed(pm.run(module)))
    return llvm::createStringError("CUDA pipeline failed:\n" + diagnostics.text());
  std::map<std::string, rt::Launch> launches;
  module.walk([&](LLVM::LLVMFuncOp fn) {
    auto entry = fn->getAttrOfType<StringAttr>(kEntryAttr);
    if (!entry)
      return;
    rt::Launch &launch = launches[entry.str()];
    launch.kernel = fn.getName().str();
    launch.rowsPerBlock = fn->getAttrOfType<IntegerAttr>(kRowsPerBlockAttr).getInt();
    launch.tokensPerBlock = fn->getAttrOfType<IntegerAttr>(kTokensPerBlockAttr).getInt();
    if (auto block = fn->getAttrOfType<DenseI32ArrayAttr>("gpu.known_block_size"))
      launch.threads = block.asArrayRef().front();
  });
  for (rt::EntryPoint &entry : manifest.entries) {
    entry.launch = launches[entry.name];
    if (!entry.launch.threads)
      return llvm::createStringError("internal error: the kernel of '" + entry.name + "' lost its launch");
  }

  stage("generating PTX (LLVM NVPTX, " + target.arch + ")");
  llvm::Expected<std::string> ptx = emitPtx(module);
  if (!ptx)
    return llvm::createStringError(llvm::toString(ptx.takeError()) + ":\n" + diagnostics.text());

  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
    return llvm::createStringError(outputDir + ": " + ec.message());
  llvm::SmallString<256> ptxPath(outputDir), cubinPath(outputDir), manifestPath(outputDir);
  llvm::sys::path::append(ptxPath, "kernels.ptx");
  llvm::sys::path::append(cubinPath, "kernels.cubin");
  llvm::sys::path::append(manifestPath, "manifest.txt");
  if (llvm::Error err = writeFile(ptxPath, *ptx))
    return err;

  manifest.library = "kernels.ptx";
  if (std::optional<std::string> ptxas = findPtxas()) {
    stage("assembling " + target.arch + " machine code (" + *ptxas + ")");
    llvm::SmallString<256> log;
    llvm::sys::fs::createTemporaryFile("qforge-ptxas", "txt", log);
    std::string arch = "-arch=" + target.arch;
    llvm::StringRef args[] = {*ptxas, arch, "-O3", "-o", cubinPath, ptxPath};
    std::optional<llvm::StringRef> redirects[] = {std::nullopt, log.str(), log.str()};
    std::string execError;
    int rc = llvm::sys::ExecuteAndWait(*ptxas, args, std::nullopt, redirects, 0, 0, &execError);
    std::string output;
    if (auto buffer = llvm::MemoryBuffer::getFile(log))
      output = (*buffer)->getBuffer().str();
    llvm::sys::fs::remove(log);
    if (rc != 0)
      return llvm::createStringError("ptxas rejected " + ptxPath + " for " + target.arch + " (exit " +
                                     std::to_string(rc) + "): " + execError + output);
    manifest.library = "kernels.cubin";
  } else {
    stage("no ptxas (CUDA toolkit) found: the package carries PTX, which the driver compiles at load");
  }
  manifest.compiler = "qforge " QFORGE_VERSION_STRING;
  manifest.triple = "nvptx64-nvidia-cuda";
  manifest.cpu = target.arch;
  return writeFile(manifestPath, manifest.serialize());
}
