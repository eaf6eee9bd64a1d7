//===- QfDialect.cpp - The qf dialect ---------------------------------------===//
#include "qf/IR/Qf.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::qf;

#include "qf/IR/QfDialect.cpp.inc"
#include "qf/IR/QfEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "qf/IR/QfAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "qf/IR/QfTypes.cpp.inc"

void QfDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "qf/IR/QfAttrs.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "qf/IR/QfTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "qf/IR/QfOps.cpp.inc"
      >();
}

LogicalResult QfDialect::verifyOperationAttribute(Operation *op, NamedAttribute attr) {
  if (attr.getName() == kHlsScheduleAttrName) {
    if (!isa<HlsScheduleAttr>(attr.getValue()))
      return op->emitError() << "'" << kHlsScheduleAttrName << "' must be a #qf.hls_schedule";
    if (!isa<MatmulOp, HadamardOp, QuantizeOp>(op))
      return op->emitError() << "'" << kHlsScheduleAttrName
                             << "' applies to qf.matmul, qf.hadamard and qf.quantize";
  }
  return success();
}
