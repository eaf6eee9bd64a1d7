//===- EntryOperands.h - A package entry's operands from its signature -----===//
#ifndef QFORGE_CODEGEN_ENTRYOPERANDS_H
#define QFORGE_CODEGEN_ENTRYOPERANDS_H

#include "runtime/Manifest.h"

#include "mlir/IR/Location.h"
#include "mlir/IR/Types.h"
#include "mlir/Support/LogicalResult.h"

namespace mlir::qf {

/// The manifest dtype of an element type (f32, bf16, i8, ...); empty if a
/// package cannot carry it.
std::string manifestDtype(Type type);

/// The manifest operands of one argument or result type of an entry point,
/// named `name` (a qtensor: one `name.buffer` per storage buffer); an
/// argument tensor may have one dynamic axis. Fails with an error at `loc`.
LogicalResult appendEntryOperands(Location loc, Type type, const std::string &name, bool isArgument,
                                  std::vector<qforge::runtime::Operand> &out);

} // namespace mlir::qf

#endif // QFORGE_CODEGEN_ENTRYOPERANDS_H
