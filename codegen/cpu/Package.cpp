//===- Package.cpp - Ahead-of-time compilation into a runtime package ------===//
#include "codegen/cpu/Package.h"
#include "codegen/EntryOperands.h"
#include "codegen/cpu/Pipeline.h"
#include "passes/MatmulSchedule.h"
#include "passes/Passes.h"
#include "qf/IR/Layout.h"
#include "runtime/Manifest.h"
#include "runtime/Package.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "qf/IR/Qf.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include <map>
#include <optional>


using namespace mlir;
using namespace mlir::qf;
namespace rt = qforge::runtime;

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// qf_entry_<name>(void **args) loads each descriptor pointer and calls the
/// C interface of the lowered function.
static void addEntryWrapper(ModuleOp module, const rt::EntryPoint &entry) {
  OpBuilder b(module.getBodyRegion());
  b.setInsertionPointToEnd(module.getBody());
  Location loc = module.getLoc();
  MLIRContext *ctx = module.getContext();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto voidTy = LLVM::LLVMVoidType::get(ctx);
  auto fn = LLVM::LLVMFuncOp::create(b, loc, rt::entrySymbol(entry.name),
                                     LLVM::LLVMFunctionType::get(voidTy, {ptr}));
  Block *body = fn.addEntryBlock(b);
  b.setInsertionPointToStart(body);
  SmallVector<Value> args;
  for (size_t i = 0, n = entry.args.size() + entry.results.size(); i < n; ++i) {
    Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, body->getArgument(0),
                                     ArrayRef<LLVM::GEPArg>{int32_t(i)});
    args.push_back(LLVM::LoadOp::create(b, loc, ptr, slot));
  }
  auto callee = module.lookupSymbol<LLVM::LLVMFuncOp>("_mlir_ciface_" + entry.name);
  LLVM::CallOp::create(b, loc, callee, args);
  LLVM::ReturnOp::create(b, loc, ValueRange{});
}

/// For an entry that is one qf.matmul of its two arguments returned as it is:
/// a clone, named <name>__block, computing one of the equal blocks of the
/// output chooseSplit asks for, and the split the runtime needs to run blocks
/// on threads. Blocks of activation rows take the weights whole, so
/// activations are quantized once and every block repacks the same weights;
/// blocks of weight rows (output columns) cut the storage buffers into equal
/// consecutive parts (or share them whole, as a tensor scale). Entries that
/// fit neither run whole.
static std::optional<rt::Split> addBlockEntry(func::FuncOp fn) {
  if (fn.getNumArguments() != 2 || fn.getNumResults() != 1 ||
      !llvm::hasSingleElement(fn.getBody()) || fn.getBody().front().getOperations().size() != 2)
    return std::nullopt;
  auto matmul = dyn_cast<MatmulOp>(fn.getBody().front().front());
  auto ret = dyn_cast<func::ReturnOp>(fn.getBody().front().back());
  if (!matmul || !ret || matmul.getLhs() != fn.getArgument(0) ||
      matmul.getRhs() != fn.getArgument(1) || ret.getOperand(0) != matmul.getResult())
    return std::nullopt;
  if (!checkSchedule(matmul, matmul.getScheduleAttr()).empty())
    return std::nullopt; // the pipeline reports it at the op
  MatmulSplit chosen = chooseSplit(matmul);
  if (chosen.blocks <= 1)
    return std::nullopt;
  QTensorType w = matmul.getRhs().getType();
  auto a = cast<RankedTensorType>(matmul.getLhs().getType());
  auto resultType = cast<RankedTensorType>(matmul.getResult().getType());
  int64_t blocks = chosen.blocks;
  rt::Split split;
  split.blockEntry = fn.getName().str() + "__block";
  split.blocks = blocks;
  Type blockA = a, blockW = w;
  SmallVector<int64_t> blockShape(resultType.getShape());
  if (chosen.alongTokens) {
    int64_t m = a.getDimSize(0);
    blockA = RankedTensorType::get({m / blocks, a.getDimSize(1)}, a.getElementType());
    split.argBlockBytes.push_back(a.getNumElements() * (a.getElementTypeBitWidth() / 8) / blocks);
    split.argBlockBytes.resize(1 + getStorageLayout(w.getScheme(), w.getShape()).buffers.size(), 0);
    blockShape.front() = m / blocks;
    split.resultBlockExtents.push_back(m / blocks);
  } else {
    int64_t rows = w.getShape()[0] / blocks;
    blockW = QTensorType::get(w.getContext(), {rows, w.getShape()[1]}, w.getScheme());
    split.argBlockBytes.push_back(0);
    StorageLayout whole = getStorageLayout(w.getScheme(), w.getShape());
    StorageLayout part = getStorageLayout(w.getScheme(), cast<QTensorType>(blockW).getShape());
    for (auto [full, piece] : llvm::zip(whole.buffers, part.buffers))
      split.argBlockBytes.push_back(piece.bytes == full.bytes ? 0 : piece.bytes);
    blockShape.back() = rows;
    split.resultBlockExtents.push_back(rows);
  }

  auto blockResult = RankedTensorType::get(blockShape, resultType.getElementType());
  OpBuilder b(fn);
  b.setInsertionPointAfter(fn);
  auto clone = func::FuncOp::create(b, fn.getLoc(), split.blockEntry,
                                    b.getFunctionType({blockA, blockW}, {blockResult}));
  Block *body = clone.addEntryBlock();
  b.setInsertionPointToStart(body);
  // A block runs whole, with the entry's kernel knobs.
  CpuScheduleAttr schedule = matmul.getScheduleAttr();
  if (schedule) {
    SmallVector<int64_t> values = scheduleValues(schedule);
    values.front() = 1;
    schedule = scheduleFromValues(b.getContext(), values);
  }
  auto blockMatmul = MatmulOp::create(b, matmul.getLoc(), blockResult, body->getArgument(0),
                                      body->getArgument(1), matmul.getActSchemeAttr(),
                                      matmul.getActHadamardAttr(), matmul.getActHadamardSeedAttr(),
                                      schedule);
  func::ReturnOp::create(b, ret.getLoc(), blockMatmul.getResult());
  return split;
}

llvm::Error mlir::qf::writeCpuPackage(ModuleOp module, llvm::StringRef outputDir,
                                      const CpuTarget &target,
                                      llvm::function_ref<void(llvm::StringRef)> progress) {
  auto stage = [&](llvm::StringRef what) {
    if (progress)
      progress(what);
  };
  MLIRContext *ctx = module.getContext();
  prepareForHostCodegen(ctx);

  DiagnosticCollector diagnostics(ctx);

  // Entries that split into blocks get a block entry beside them; a rotation
  // in front of the matmul moves into its quantizer first, so that such an
  // entry is one matmul too.
  {
    PassManager fuse(ctx);
    fuse.addPass(createQfFuseHadamard());
    if (failed(fuse.run(module)))
      return makeError("fusing rotations failed:\n" + diagnostics.text());
  }
  std::map<std::string, rt::Split> splits;
  for (auto fn : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
    if (!fn.isDeclaration() && fn.isPublic())
      if (std::optional<rt::Split> split = addBlockEntry(fn))
        splits[fn.getName().str()] = *split;

  rt::Manifest manifest;
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (fn.isDeclaration() || !fn.isPublic())
      continue;
    FailureOr<rt::EntryPoint> entry = entryPointOf(fn);
    if (failed(entry))
      return makeError(diagnostics.text());
    if (auto it = splits.find(entry->name); it != splits.end())
      entry->split = it->second;
    fn->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(), UnitAttr::get(ctx));
    manifest.entries.push_back(std::move(*entry));
  }
  if (manifest.entries.empty())
    return makeError("the module has no public function with a body to compile");

  stage("lowering " + std::to_string(manifest.entries.size()) + " entry points to LLVM");
  PassManager pm(ctx);
  buildCpuPipeline(pm, target);
  if (failed(pm.run(module)))
    return makeError("CPU pipeline failed:\n" + diagnostics.text());
  for (const rt::EntryPoint &entry : manifest.entries)
    addEntryWrapper(module, entry);

  // LLVM IR for the target CPU, optimized, as an object file.
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return makeError("translation to LLVM IR failed:\n" + diagnostics.text());
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> created = target.createTargetMachine();
  if (!created)
    return created.takeError();
  std::unique_ptr<llvm::TargetMachine> machine = std::move(*created);
  const llvm::Triple &triple = machine->getTargetTriple();
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(triple);
  target.limitVectorWidth(*llvmModule);
  stage("optimizing LLVM IR for " + target.cpu());
  if (llvm::Error err = makeOptimizingTransformer(3, 0, machine.get())(llvmModule.get()))
    return err;

  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
    return makeError(outputDir + ": " + ec.message());
  llvm::SmallString<256> objectPath(outputDir), libraryPath(outputDir), manifestPath(outputDir);
  llvm::sys::path::append(objectPath, "kernels.o");
  llvm::sys::path::append(libraryPath, "kernels.so");
  llvm::sys::path::append(manifestPath, "manifest.txt");
  stage("generating machine code");
  {
    std::error_code ec;
    llvm::raw_fd_ostream object(objectPath, ec, llvm::sys::fs::OF_None);
    if (ec)
      return makeError(objectPath + ": " + ec.message());
    llvm::legacy::PassManager emit;
    if (machine->addPassesToEmitFile(emit, object, nullptr, llvm::CodeGenFileType::ObjectFile))
      return makeError("the target machine cannot emit object files");
    emit.run(*llvmModule);
  }

  llvm::ErrorOr<std::string> lld =
      llvm::sys::findProgramByName("ld.lld", {"/usr/lib/llvm-22/bin"});
  if (!lld)
    return makeError("ld.lld not found (install lld-22): needed to link the package");
  std::string linkError;
  // Strided copies call MLIR's memrefCopy: link its C runner utilities, only
  // recorded as a dependency when a kernel uses them.
  llvm::StringRef linkArgs[] = {*lld, "-shared", "-o", libraryPath, objectPath, "--as-needed",
                                "-L" QFORGE_MLIR_LIB_DIR, "-lmlir_c_runner_utils",
                                "-rpath", QFORGE_MLIR_LIB_DIR};
  if (llvm::sys::ExecuteAndWait(*lld, linkArgs, std::nullopt, {}, 0, 0, &linkError) != 0)
    return makeError("linking " + libraryPath + " failed: " + linkError);
  llvm::sys::fs::remove(objectPath);

  manifest.compiler = "qforge " QFORGE_VERSION_STRING;
  manifest.triple = triple.str();
  manifest.cpu = target.cpu();
  manifest.features = target.checkedFeatures();
  manifest.library = "kernels.so";
  std::error_code ec;
  llvm::raw_fd_ostream os(manifestPath, ec, llvm::sys::fs::OF_None);
  if (ec)
    return makeError(manifestPath + ": " + ec.message());
  os << manifest.serialize();
  return llvm::Error::success();
}
