//===- BitsBudget.h - Per-layer schemes under a bits-per-weight budget -----===//
//
// `qforge compile model --bits-budget B`: each unit (tensors that take one
// scheme together) has candidate schemes with a storage cost and an error;
// the chooser picks one per unit minimising the summed error within B bits
// per weight on average, and writes the picks as a policy file.
//
// The error is a cheap sensitivity proxy (quantizationError): the squared
// weight error weighted by the calibration activations' per-column second
// moments, i.e. the layer's expected squared output error when the
// activations' covariance is taken as diagonal (HAWQ-style, without Hessians).
//===----------------------------------------------------------------------===//
#ifndef QFORGE_FRONTEND_POLICY_BITSBUDGET_H
#define QFORGE_FRONTEND_POLICY_BITSBUDGET_H

#include "qf/IR/Qf.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace qforge::policy {

/// One scheme a unit may take: its storage cost and the error it causes.
struct Candidate {
  std::string scheme;
  double bitsPerWeight;
  double error;
};

/// Tensors that take one scheme together (e.g. q, k, v of one layer, stacked
/// into one kernel).
struct BudgetUnit {
  /// Glob naming the unit's tensors as written into the policy, e.g.
  /// "blk.3.attn_{q,k,v}.weight"; no unit's pattern may match another's tensors.
  std::string pattern;
  int64_t weights; ///< number of weights, > 0
  std::vector<Candidate> candidates; ///< non-empty
};

struct BudgetChoice {
  std::vector<size_t> picked; ///< per unit, an index into its candidates
  double bitsPerWeight;       ///< of all units together
  double error;               ///< summed over the units
};

/// Storage bits per weight of `scheme` on a matrix of `shape`, every buffer
/// of its layout counted (scales included); an error if the scheme cannot
/// hold the shape.
llvm::Expected<double> bitsPerWeight(mlir::qf::SchemeAttr scheme, llvm::ArrayRef<int64_t> shape);

/// The sensitivity proxy: sum over n, k of colWeight[k] * (W[n,k] - Q(W)[n,k])^2,
/// where Q(W) is `values` (row-major [N, K]) quantized by the reference
/// quantizer and dequantized back. `colWeight` holds the per-input-column
/// mean squares E[x_k^2] of the calibration activations, or is empty for
/// all 1 (plain squared error).
llvm::Expected<double> quantizationError(mlir::qf::SchemeAttr scheme,
                                         llvm::ArrayRef<int64_t> shape,
                                         llvm::ArrayRef<float> values,
                                         llvm::ArrayRef<float> colWeight);

/// Picks one candidate per unit minimising the summed error with total bits
/// <= budget * total weights (1e-9 relative tolerance); `option` names where
/// the budget came from (e.g. "--bits-budget") in the error for a budget no
/// choice reaches. A multiple-choice knapsack, solved greedily:
///   - per unit, drop dominated candidates (no cheaper, no lower error) and
///     take the lower convex hull of (bits, error);
///   - start every unit at its cheapest, then take the hull step with the
///     largest error decrease per added bit that still fits (while every
///     step fits, a Lagrangian solution: optimal for its own size);
///   - then, while any fits, the single change to a lower-error candidate
///     that lowers the error most. Ties go to the lowest unit index.
llvm::Expected<BudgetChoice> chooseUnderBudget(llvm::ArrayRef<BudgetUnit> units, double budget,
                                               llvm::StringRef option);

/// The choice as a policy file (docs/mixed-precision.md): the lines of
/// `header` as comments, then one [[rule]] per unit in order, matching its
/// pattern with its picked scheme, under a comment giving its bits per
/// weight and error.
std::string writePolicy(llvm::ArrayRef<BudgetUnit> units, const BudgetChoice &choice,
                        llvm::StringRef header);

} // namespace qforge::policy

#endif // QFORGE_FRONTEND_POLICY_BITSBUDGET_H
