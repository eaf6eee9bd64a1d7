//===- ModelPackage.h - A model's kernels, weights and tokenizer -----------===//
#ifndef QFORGE_CODEGEN_CPU_MODELPACKAGE_H
#define QFORGE_CODEGEN_CPU_MODELPACKAGE_H

#include "codegen/cpu/Target.h"
#include "runtime/ModelDescription.h"
#include "runtime/Tokenizer.h"

#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/Error.h"

namespace mlir::qf {

/// Writes a model package to `outputDir`: `kernels` compiled as by
/// writeCpuPackage, `weights.bin` (each tensor's bytes, the pieces
/// `tensorData[i]` back to back, at the offset `description.tensors[i]` gives), `tokenizer.txt`, and last
/// `model.txt`, so that an interrupted write leaves no loadable model.
llvm::Error writeModelPackage(ModuleOp kernels, const qforge::runtime::ModelDescription &description,
                              llvm::ArrayRef<std::vector<llvm::ArrayRef<uint8_t>>> tensorData,
                              const qforge::runtime::Tokenizer &tokenizer,
                              llvm::StringRef outputDir, const CpuTarget &target,
                              llvm::function_ref<void(llvm::StringRef)> progress = {});

} // namespace mlir::qf

#endif // QFORGE_CODEGEN_CPU_MODELPACKAGE_H
