//===- Target.cpp - The CPU that kernels are compiled for ------------------===//
#include "codegen/cpu/Target.h"
#include "runtime/Manifest.h"

#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include <mutex>

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
  return t;
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
