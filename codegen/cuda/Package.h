//===- Package.h - CUDA kernels as a runtime package -----------------------===//
#ifndef QFORGE_CODEGEN_CUDA_PACKAGE_H
#define QFORGE_CODEGEN_CUDA_PACKAGE_H

#include "codegen/cuda/Pipeline.h"

#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/Error.h"

#include <optional>

namespace mlir::qf::cuda {

/// Compiles every public function of `module` (modified in place) for
/// `target` and writes a package to `outputDir`: `kernels.ptx`, and
/// `kernels.cubin` assembled by ptxas when findPtxas() finds one (else the
/// driver compiles the PTX at load), with a manifest whose entries carry
/// their `launch`. `progress` hears each stage begin.
llvm::Error writeCudaPackage(ModuleOp module, llvm::StringRef outputDir, const CudaTarget &target,
                             llvm::function_ref<void(llvm::StringRef)> progress = {});

/// ptxas from the CUDA toolkit: $QFORGE_PTXAS, else on PATH, else under
/// $CUDA_HOME/bin or /usr/local/cuda/bin.
std::optional<std::string> findPtxas();

} // namespace mlir::qf::cuda

#endif // QFORGE_CODEGEN_CUDA_PACKAGE_H
