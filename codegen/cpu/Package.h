//===- Package.h - Ahead-of-time compilation into a runtime package --------===//
#ifndef QFORGE_CODEGEN_CPU_PACKAGE_H
#define QFORGE_CODEGEN_CPU_PACKAGE_H

#include "codegen/cpu/Target.h"

#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/Error.h"

namespace mlir::qf {

/// Compiles every public function of `module` (modified in place) for
/// `target` and writes a package to `outputDir`: the kernels as a shared
/// object with a C ABI and `manifest.txt` (runtime/Manifest.h) recording the
/// CPU features they need. Needs ld.lld. `progress` hears each stage begin.
llvm::Error writeCpuPackage(ModuleOp module, llvm::StringRef outputDir,
                            const CpuTarget &target = CpuTarget::host(),
                            llvm::function_ref<void(llvm::StringRef)> progress = {});

} // namespace mlir::qf

#endif // QFORGE_CODEGEN_CPU_PACKAGE_H
