//===- Qf.h - The qf dialect: formats, schemes, quantized tensors, ops ----===//
#ifndef QF_IR_QF_H
#define QF_IR_QF_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Mutex.h"

#include "qf/IR/QfDialect.h.inc"
#include "qf/IR/QfEnums.h.inc"
#include "qf/IR/QfFormatInterface.h.inc"

#define GET_ATTRDEF_CLASSES
#include "qf/IR/QfAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "qf/IR/QfTypes.h.inc"

#define GET_OP_CLASSES
#include "qf/IR/QfOps.h.inc"

namespace mlir::qf {

/// Largest finite magnitude of a format (e.g. 6 for e2m1, 127 for int8).
double getMaxFiniteValue(QuantFormatAttrInterface format);

/// floor(log2(largest positive value)): the `emax` of the OCP MX spec (0 for
/// MXINT8, whose -2 is not its largest magnitude in the spec's sense).
int getMaxExponent(QuantFormatAttrInterface format);

/// Parses a scheme: a preset name or the body of `#qf.scheme<...>`. Errors go
/// to the emitter with the byte offset of the problem.
SchemeAttr parseSchemeString(MLIRContext *ctx, llvm::StringRef text,
                             llvm::function_ref<InFlightDiagnostic()> emitError);

} // namespace mlir::qf

#endif // QF_IR_QF_H
