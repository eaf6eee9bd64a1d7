//===- EntryOperands.cpp - A package entry's operands from its signature ---===//
#include "codegen/EntryOperands.h"
#include "qf/IR/Layout.h"
#include "qf/IR/Qf.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

#include "llvm/Support/raw_ostream.h"

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

FailureOr<rt::EntryPoint> qf::entryPointOf(func::FuncOp fn) {
  rt::EntryPoint entry{fn.getName().str(), {}, {}, {}, {}};
  for (auto [i, t] : llvm::enumerate(fn.getArgumentTypes()))
    if (failed(appendEntryOperands(fn.getLoc(), t, "arg" + std::to_string(i), true, entry.args)))
      return failure();
  for (auto [i, t] : llvm::enumerate(fn.getResultTypes()))
    if (failed(appendEntryOperands(fn.getLoc(), t, "result" + std::to_string(i), false, entry.results)))
      return failure();
  return entry;
}

llvm::Error qf::writeFile(llvm::StringRef path, llvm::StringRef text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return llvm::createStringError(path + ": " + ec.message());
  os << text;
  return llvm::Error::success();
}
