//===- Target.cpp - The CPU that kernels are compiled for ------------------===//
#include "codegen/cpu/Target.h"
#include "runtime/Manifest.h"

#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include <mutex>
#include <optional>

using namespace mlir::qf;

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

static llvm::Expected<const llvm::Target *> hostTarget(llvm::Triple &triple) {
  static std::once_flag nativeTarget;
  std::call_once(nativeTarget, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  triple = llvm::Triple(llvm::sys::getDefaultTargetTriple());
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return makeError("no LLVM target for " + triple.str() + ": " + error);
  return target;
}

CpuTarget CpuTarget::host() {
  CpuTarget t;
  t.cpuName = llvm::sys::getHostCPUName().str();
  t.features = llvm::sys::getHostCPUFeatures();
  t.setDefaultVectorBits();
  return t;
}

llvm::Expected<CpuTarget> CpuTarget::named(llvm::StringRef cpu) {
  llvm::Triple triple;
  llvm::Expected<const llvm::Target *> target = hostTarget(triple);
  if (!target)
    return target.takeError();
  std::unique_ptr<llvm::MCSubtargetInfo> info((*target)->createMCSubtargetInfo(triple, cpu, ""));
  if (!info || !info->isCPUStringValid(cpu))
    return makeError("unknown CPU '" + cpu + "' for " + triple.str() +
                     " (LLVM's names: x86-64, x86-64-v2, x86-64-v3, x86-64-v4, znver4, ...)");
  CpuTarget t;
  t.cpuName = cpu.str();
  for (const llvm::SubtargetFeatureKV &kv : info->getAllProcessorFeatures())
    t.features[kv.Key] = info->checkFeatures(std::string("+") + kv.Key);
  t.setDefaultVectorBits();
  return t;
}

unsigned CpuTarget::registerBits() const {
  return has("avx512f") ? 512 : has("avx") ? 256 : 128;
}

void CpuTarget::setDefaultVectorBits() {
  widestVectorBits = cpuName == "znver4" ? std::min(registerBits(), 256u) : registerBits();
}

llvm::Error CpuTarget::setVectorBits(unsigned bits) {
  if (bits != 128 && bits != 256 && bits != 512)
    return makeError("vector width " + llvm::Twine(bits) + " bits: use 128, 256 or 512");
  if (bits > registerBits())
    return makeError("vector width " + llvm::Twine(bits) + " bits: CPU " + cpuName + " has " +
                     llvm::Twine(registerBits()) + "-bit vector registers");
  widestVectorBits = bits;
  return llvm::Error::success();
}

/// The widest vector, in bits, that calls to target intrinsics in `f` take or
/// return; none without such calls.
static std::optional<unsigned> widestIntrinsicVector(const llvm::Function &f) {
  std::optional<unsigned> widest;
  auto note = [&](llvm::Type *t) {
    unsigned bits = 0;
    if (auto *v = llvm::dyn_cast<llvm::FixedVectorType>(t))
      bits = v->getPrimitiveSizeInBits().getFixedValue();
    widest = std::max(widest.value_or(0), bits);
  };
  for (const llvm::Instruction &i : llvm::instructions(f))
    if (const auto *call = llvm::dyn_cast<llvm::CallBase>(&i))
      if (const llvm::Function *callee = call->getCalledFunction(); callee && callee->isTargetIntrinsic()) {
        note(call->getType());
        for (const llvm::Value *arg : call->args())
          note(arg->getType());
      }
  return widest;
}

void CpuTarget::limitVectorWidth(llvm::Module &module) const {
  if (widestVectorBits >= registerBits())
    return;
  std::string bits = std::to_string(widestVectorBits);
  for (llvm::Function &f : module) {
    if (f.isDeclaration())
      continue;
    std::optional<unsigned> widest = widestIntrinsicVector(f);
    if (!widest || *widest > widestVectorBits)
      continue;
    // The first steers the vectorizers; the second makes wider vector types
    // illegal, so that code generation splits them.
    f.addFnAttr("prefer-vector-width", bits);
    f.addFnAttr("min-legal-vector-width", bits);
  }
}

std::vector<std::string> CpuTarget::checkedFeatures() const {
  std::vector<std::string> checked;
  for (const std::string &f : qforge::runtime::checkableCpuFeatures())
    if (has(f))
      checked.push_back(f);
  return checked;
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>> CpuTarget::createTargetMachine() const {
  llvm::Triple triple;
  llvm::Expected<const llvm::Target *> target = hostTarget(triple);
  if (!target)
    return target.takeError();
  llvm::SubtargetFeatures subtarget;
  for (const auto &f : features)
    subtarget.AddFeature(f.first(), f.second);
  return std::unique_ptr<llvm::TargetMachine>((*target)->createTargetMachine(
      triple, cpuName, subtarget.getString(), llvm::TargetOptions(), llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
}
