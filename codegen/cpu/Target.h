//===- Target.h - The CPU that kernels are compiled for --------------------===//
#ifndef QFORGE_CODEGEN_CPU_TARGET_H
#define QFORGE_CODEGEN_CPU_TARGET_H

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir::qf {

/// An LLVM CPU name and the features kernels may use on it: the host's, or
/// those a named CPU (x86-64, x86-64-v3, znver4, ...) implies.
class CpuTarget {
public:
  static CpuTarget host();
  /// A CPU LLVM knows for the host's triple; an error names the bad name.
  static llvm::Expected<CpuTarget> named(llvm::StringRef cpu);

  const std::string &cpu() const { return cpuName; }
  bool has(llvm::StringRef feature) const { return features.lookup(feature); }

  /// The features a package records and the runtime checks at load: those of
  /// runtime::checkableCpuFeatures() this target has.
  std::vector<std::string> checkedFeatures() const;

  /// A machine for the host's triple, this CPU and its features, optimizing
  /// at -O3, position-independent.
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> createTargetMachine() const;

private:
  std::string cpuName;
  llvm::StringMap<bool> features;
};

} // namespace mlir::qf

#endif // QFORGE_CODEGEN_CPU_TARGET_H
