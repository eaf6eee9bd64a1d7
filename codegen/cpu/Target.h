//===- Target.h - The CPU that kernels are compiled for --------------------===//
#ifndef QFORGE_CODEGEN_CPU_TARGET_H
#define QFORGE_CODEGEN_CPU_TARGET_H

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class Module;
} // namespace llvm

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

  /// The widest vectors of kernels built on narrower SIMD intrinsics, in
  /// bits: 512 where the CPU has AVX-512, except on Zen 4, where the int8
  /// kernels (256-bit byte dot products) read a stream of weights 20-30 %
  /// faster without 512-bit loads, while f32 kernels ran slower with 256-bit
  /// vectors (docs/performance.md); 256 with AVX, else 128.
  unsigned vectorBits() const { return widestVectorBits; }
  /// Caps vectorBits(); an error for a width other than 128, 256 or 512 or one
  /// wider than the CPU's registers.
  llvm::Error setVectorBits(unsigned bits);
  /// Where the CPU has registers wider than vectorBits(): makes LLVM keep the
  /// functions of `module` that call target intrinsics, none wider than
  /// vectorBits(), within vectorBits(). Functions without such calls (f32
  /// kernels) or with wider ones (512-bit table lookups) keep the registers'
  /// width.
  void limitVectorWidth(llvm::Module &module) const;

  /// Bytes of its weight streams ahead that the rows kernel prefetches in
  /// software where its schedule leaves `prefetch` to the target: 2560 on
  /// Zen 3, where one core's compute-bound decode kernels read their weights
  /// from DRAM 10-60 % faster so (docs/performance.md); elsewhere 0, the
  /// hardware prefetcher alone (on Zen 4 prefetching did not help).
  int64_t prefetchAheadBytes() const { return cpuName == "znver3" ? 2560 : 0; }

  /// A machine for the host's triple, this CPU and its features, optimizing
  /// at -O3, position-independent.
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> createTargetMachine() const;

private:
  std::string cpuName;
  llvm::StringMap<bool> features;
  unsigned widestVectorBits = 128;

  unsigned registerBits() const;
  void setDefaultVectorBits();
};

} // namespace mlir::qf

#endif // QFORGE_CODEGEN_CPU_TARGET_H
