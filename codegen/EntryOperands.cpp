//===- EntryOperands.cpp - A package entry's operands from its signature ---===//
#include "codegen/EntryOperands.h"
#include "qf/IR/Layout.h"
#include "qf/IR/Qf.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;
namespace rt = qforge::runtime;

std::string qf::manifestDtype(Type t) {
  if (t.isF32())
    return "f32";
  if (t.isF16())
    return "f16";
  if (t.isBF16())
    return "bf16";
  if (t.isF64())
    return "f64";
  if (t.isInteger(8))
    return "i8";
  if (t.isInteger(32))
    return "i32";
  if (t.isInteger(64))
    return "i64";
  return "";
}

LogicalResult qf::appendEntryOperands(Location loc, Type type, const std::string &name,
                                      bool isArgument, std::vector<rt::Operand> &out) {
  if (auto q = dyn_cast<QTensorType>(type)) {
    for (const StorageBuffer &b : getStorageLayout(q.getScheme(), q.getShape()).buffers)
      out.push_back({name + "." + b.name, "buffer", "u8", {b.bytes}});
    return success();
  }
  auto t = dyn_cast<RankedTensorType>(type);
  int64_t dynamicAxes = t ? t.getNumDynamicDims() : 0;
  if (!t || dynamicAxes > (isArgument ? 1 : 0) || manifestDtype(t.getElementType()).empty())
    return emitError(loc) << "package entry points take tensors of f32/f16/bf16/f64/i8/i32/i64 "
                             "(static shapes, but for one dynamic axis of an argument) or "
                             "qtensors, and return statically shaped tensors; got "
                          << type;
  std::vector<int64_t> shape;
  for (int64_t d : t.getShape())
    shape.push_back(ShapedType::isDynamic(d) ? rt::Operand::kDynamic : d);
  out.push_back({name, "tensor", manifestDtype(t.getElementType()), shape});
  return success();
}
