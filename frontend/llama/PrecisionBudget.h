//===- PrecisionBudget.h - Per-layer schemes under a bits-per-weight budget ===//
//
// `qforge compile model.gguf --bits-budget B`: every matrix group a kernel
// computes (q/k/v stacked, attn_output, gate/up stacked, ffn_down, an untied
// output head) is quantized by each candidate scheme; its sensitivity under
// a scheme is the activation-weighted squared error of its weights,
//   sum over n, k of E[x_k^2] * (W[n, k] - Q(W)[n, k])^2,
// the expected squared error of its outputs for activations whose columns
// are uncorrelated (with calibration statistics; without, E[x_k^2] = 1).
// The schemes minimising the summed error within B bits per weight
// (policy::chooseUnderBudget) are written as a policy file.
//===----------------------------------------------------------------------===//
#ifndef QFORGE_FRONTEND_LLAMA_PRECISIONBUDGET_H
#define QFORGE_FRONTEND_LLAMA_PRECISIONBUDGET_H

#include "frontend/gguf/GgufFile.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace qforge::llama {

/// Mean squares of each input column of a matrix's activations, by the
/// tensor name a package gives the matrix (stacked or not).
using ActivationSquares = std::map<std::string, std::vector<float>>;

struct PrecisionBudget {
  double bitsPerWeight = 0;
  std::string option = "--bits-budget"; ///< what errors call the budget
  std::vector<std::string> candidates;  ///< preset names
  const ActivationSquares *squares = nullptr;
  std::function<void(const std::string &)> progress;
};

/// The policy (TOML text, docs/mixed-precision.md) giving each matrix group
/// of `file`, a llama GGUF, the candidate that minimises the summed
/// sensitivity within the budget; errors for an unknown candidate, a group
/// no candidate fits, and a budget below the smallest choice.
llvm::Expected<std::string> choosePrecisionPolicy(const gguf::GgufFile &file,
                                                  mlir::MLIRContext *ctx,
                                                  const PrecisionBudget &budget);

} // namespace qforge::llama

#endif // QFORGE_FRONTEND_LLAMA_PRECISIONBUDGET_H
