//===- DiagnosticCollector.cpp - Diagnostics as error text -----------------===//
#include "codegen/DiagnosticCollector.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"

#include "llvm/Support/raw_ostream.h"

using namespace mlir;

static std::string formatLocation(Location loc) {
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return (file.getFilename().str() + ":" + std::to_string(file.getLine()) + ":" +
            std::to_string(file.getColumn()));
  std::string s;
  llvm::raw_string_ostream os(s);
  os << loc;
  return s;
}

qf::DiagnosticCollector::DiagnosticCollector(MLIRContext *ctx)
    : handler(ctx, [this](Diagnostic &diag) {
        collected += formatLocation(diag.getLocation()) + ": " + diag.str() + "\n";
        return success();
      }) {}

