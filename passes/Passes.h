//===- Passes.h - qforge transformation passes -----------------------------===//
#ifndef QFORGE_PASSES_PASSES_H
#define QFORGE_PASSES_PASSES_H

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir::qf {

/// On an scf.for: iterations ahead whose argument reads qf-insert-prefetch
/// prefetches.
constexpr llvm::StringLiteral kPrefetchDistanceAttr = "qf.prefetch_distance";

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace mlir::qf

#endif // QFORGE_PASSES_PASSES_H
