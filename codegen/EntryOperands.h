//===- EntryOperands.h - A package entry's operands from its signature -----===//
#ifndef QFORGE_CODEGEN_ENTRYOPERANDS_H
#define QFORGE_CODEGEN_ENTRYOPERANDS_H

#include "runtime/Manifest.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/Types.h"
#include "mlir/Support/LogicalResult.h"

#include "llvm/Support/Error.h"

namespace mlir::qf {

/// The manifest dtype of an element type (f32, bf16, i8, ...); empty if a
/// package cannot carry it.
std::string manifestDtype(Type type);

/// The manifest operands of one argument or result type of an entry point,
/// named `name` (a qtensor: one `name.buffer` per storage buffer); an
/// argument tensor may have one dynamic axis. Fails with an error at `loc`.
LogicalResult appendEntryOperands(Location loc, Type type, const std::string &name, bool isArgument,
                                  std::vector<qforge::runtime::Operand> &out);

/// The entry point a public function is: its name, arguments `arg<i>` and
/// results `result<i>`; fails with an error at the function.
FailureOr<qforge::runtime::EntryPoint> entryPointOf(func::FuncOp fn);

/// Writes `text` to `path`; the error names the path.
llvm::Error writeFile(llvm::StringRef path, llvm::StringRef text);

} // namespace mlir::qf

#endif // QFORGE_CODEGEN_ENTRYOPERANDS_H
