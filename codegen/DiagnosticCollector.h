//===- DiagnosticCollector.h - Diagnostics as error text -------------------===//
#ifndef QFORGE_CODEGEN_DIAGNOSTICCOLLECTOR_H
#define QFORGE_CODEGEN_DIAGNOSTICCOLLECTOR_H

#include "mlir/IR/Diagnostics.h"

namespace mlir::qf {

/// Collects the diagnostics emitted while it lives as "file:line:col: message"
/// lines, for errors returned to callers that have no source manager.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext *ctx);
  const std::string &text() const { return collected; }

private:
  std::string collected;
  ScopedDiagnosticHandler handler;
};

} // namespace mlir::qf

#endif // QFORGE_CODEGEN_DIAGNOSTICCOLLECTOR_H
