//===- Presets.h - Named quantization schemes -----------------------------===//
#ifndef QF_IR_PRESETS_H
#define QF_IR_PRESETS_H

#include "qf/IR/Qf.h"

namespace mlir::qf {

/// Every preset name, in the order the demo and docs list them.
llvm::ArrayRef<llvm::StringRef> getPresetNames();

/// The scheme a preset name stands for; null if the name is unknown.
SchemeAttr getPreset(MLIRContext *ctx, llvm::StringRef name);

} // namespace mlir::qf

#endif // QF_IR_PRESETS_H
