//===- BitsBudget.cpp - Per-layer schemes under a bits-per-weight budget ---===//
#include "frontend/policy/BitsBudget.h"

#include "qf/IR/Layout.h"
#include "qf/Reference/Quantizer.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <numeric>
#include <optional>
#include <tuple>

using namespace llvm;
using namespace qforge::policy;
namespace qf = mlir::qf;

namespace {

/// "int4_g128 on a 32x64 matrix", for errors.
std::string describe(qf::SchemeAttr scheme, ArrayRef<int64_t> shape) {
  StringRef name = scheme.getPresetName();
  std::string s;
  raw_string_ostream os(s);
  if (name.empty())
    os << scheme;
  else
    os << name;
  os << " on a ";
  interleave(shape, os, "x");
  os << " matrix";
  return s;
}

/// Whether `scheme` can hold `shape`, with the verifier's reason if not.
Error checkFits(qf::SchemeAttr scheme, ArrayRef<int64_t> shape) {
  mlir::MLIRContext *ctx = scheme.getContext();
  std::string reason;
  mlir::ScopedDiagnosticHandler handler(ctx, [&](mlir::Diagnostic &diag) {
    reason = diag.str();
    return mlir::success();
  });
  if (qf::QTensorType::getChecked([&] { return mlir::emitError(mlir::UnknownLoc::get(ctx)); },
                                  ctx, shape, scheme))
    return Error::success();
  return llvm::createStringError(describe(scheme, shape) + ": " + reason);
}

/// `x` with `digits` decimals.
std::string fixed(double x, int digits) {
  std::string s;
  raw_string_ostream(s) << format("%.*f", digits, x);
  return s;
}

/// A TOML basic string holding `s`.
std::string quote(StringRef s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    default: out += c;
    }
  }
  return out + "\"";
}

} // namespace

Expected<double> qforge::policy::bitsPerWeight(qf::SchemeAttr scheme, ArrayRef<int64_t> shape) {
  if (Error err = checkFits(scheme, shape))
    return std::move(err);
  return qf::getBitsPerElement(scheme, shape);
}

Expected<double> qforge::policy::quantizationError(qf::SchemeAttr scheme, ArrayRef<int64_t> shape,
                                                   ArrayRef<float> values,
                                                   ArrayRef<float> colWeight) {
  if (shape.size() != 2)
    return llvm::createStringError("the error proxy takes a matrix, not a rank-" + Twine(shape.size()) +
                     " tensor");
  int64_t cols = shape[1];
  if (int64_t(values.size()) != shape[0] * cols)
    return llvm::createStringError(describe(scheme, shape) + ": " + Twine(values.size()) + " values given");
  if (!colWeight.empty() && int64_t(colWeight.size()) != cols)
    return llvm::createStringError(describe(scheme, shape) + ": " + Twine(colWeight.size()) +
                     " column weights given");
  if (Error err = checkFits(scheme, shape))
    return std::move(err);
  Expected<qf::QuantizedTensor> q = qf::quantize(scheme, shape, values);
  if (!q)
    return llvm::createStringError(describe(scheme, shape) + ": " + toString(q.takeError()));
  std::vector<float> back(values.size());
  if (Error err = qf::dequantize(scheme, shape, *q, back))
    return std::move(err);
  double sum = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    double d = double(values[i]) - double(back[i]);
    sum += (colWeight.empty() ? 1.0 : double(colWeight[i % cols])) * d * d;
  }
  return sum;
}

Expected<BudgetChoice> qforge::policy::chooseUnderBudget(ArrayRef<BudgetUnit> units,
                                                         double budget, StringRef option) {
  auto cost = [&](size_t u, size_t c) {
    return units[u].candidates[c].bitsPerWeight * double(units[u].weights);
  };
  auto error = [&](size_t u, size_t c) { return units[u].candidates[c].error; };

  // Per unit: the undominated candidates by increasing cost (so decreasing
  // error), and the lower convex hull of those, collinear points kept.
  std::vector<std::vector<size_t>> front(units.size()), hull(units.size());
  double totalWeights = 0;
  for (size_t u = 0; u < units.size(); ++u) {
    const BudgetUnit &unit = units[u];
    assert(unit.weights > 0 && !unit.candidates.empty() && "a unit has weights and candidates");
    totalWeights += double(unit.weights);
    std::vector<size_t> order(unit.candidates.size());
    std::iota(order.begin(), order.end(), 0);
    llvm::sort(order, [&](size_t a, size_t b) {
      return std::tuple(cost(u, a), error(u, a), a) < std::tuple(cost(u, b), error(u, b), b);
    });
    for (size_t c : order)
      if (front[u].empty() || error(u, c) < error(u, front[u].back()))
        front[u].push_back(c);
    std::vector<size_t> &h = hull[u];
    for (size_t c : front[u]) {
      // Drop the last point while it lies above the segment from the one before it to c.
      while (h.size() >= 2) {
        size_t a = h[h.size() - 2], b = h.back();
        if ((error(u, b) - error(u, a)) * (cost(u, c) - cost(u, b)) <=
            (error(u, c) - error(u, b)) * (cost(u, b) - cost(u, a)))
          break;
        h.pop_back();
      }
      h.push_back(c);
    }
  }

  BudgetChoice choice;
  double used = 0;
  for (size_t u = 0; u < units.size(); ++u) {
    choice.picked.push_back(hull[u].front());
    used += cost(u, hull[u].front());
  }
  double limit = budget * totalWeights * (1 + 1e-9);
  if (!(used <= limit)) {
    // Enough decimals that the budget and the minimum print differently.
    int digits = 2;
    double least = used / totalWeights;
    while (digits < 9 && fixed(budget, digits) == fixed(least, digits))
      ++digits;
    StringMap<int> count;
    std::vector<std::string> schemes;
    for (auto [u, c] : enumerate(choice.picked))
      if (count[units[u].candidates[c].scheme]++ == 0)
        schemes.push_back(units[u].candidates[c].scheme);
    std::string given;
    for (const std::string &s : schemes)
      given += (given.empty() ? "" : ", ") + s + " on " + std::to_string(count[s]) +
               (count[s] == 1 ? " unit" : " units");
    return llvm::createStringError(option + " " + fixed(budget, digits) +
                     " is below the smallest size these schemes reach, " + fixed(least, digits) +
                     " bits per weight (each unit at its smallest scheme: " + given + ")");
  }

  auto fits = [&](size_t u, size_t c) {
    return used - cost(u, choice.picked[u]) + cost(u, c) <= limit;
  };
  auto take = [&](size_t u, size_t c) {
    used += cost(u, c) - cost(u, choice.picked[u]);
    choice.picked[u] = c;
  };
  std::vector<size_t> onHull(units.size(), 0);
  while (true) {
    std::optional<size_t> best;
    double bestRatio = 0;
    for (size_t u = 0; u < units.size(); ++u) {
      if (onHull[u] + 1 == hull[u].size())
        continue;
      size_t from = hull[u][onHull[u]], to = hull[u][onHull[u] + 1];
      double ratio = (error(u, from) - error(u, to)) / (cost(u, to) - cost(u, from));
      if (fits(u, to) && (!best || ratio > bestRatio)) {
        best = u;
        bestRatio = ratio;
      }
    }
    if (!best)
      break;
    take(*best, hull[*best][++onHull[*best]]);
  }
  while (true) {
    std::optional<std::pair<size_t, size_t>> best;
    double bestGain = 0;
    for (size_t u = 0; u < units.size(); ++u)
      for (size_t c : front[u]) {
        double gain = error(u, choice.picked[u]) - error(u, c);
        if (gain > bestGain && fits(u, c)) {
          best = {u, c};
          bestGain = gain;
        }
      }
    if (!best)
      break;
    take(best->first, best->second);
  }

  double bits = 0;
  choice.error = 0;
  for (auto [u, c] : enumerate(choice.picked)) {
    bits += cost(u, c);
    choice.error += error(u, c);
  }
  choice.bitsPerWeight = bits / totalWeights;
  return choice;
}

std::string qforge::policy::writePolicy(ArrayRef<BudgetUnit> units, const BudgetChoice &choice,
                                        StringRef header) {
  std::string out;
  raw_string_ostream os(out);
  if (!header.empty()) {
    SmallVector<StringRef> lines;
    header.rtrim('\n').split(lines, '\n');
    for (StringRef line : lines)
      os << (line.empty() ? "#" : "# ") << line << "\n";
  }
  for (auto [unit, c] : zip_equal(units, choice.picked)) {
    const Candidate &pick = unit.candidates[c];
    os << "\n# " << format("%.4g", pick.bitsPerWeight) << " bits per weight, error "
       << format("%.4g", pick.error) << "\n[[rule]]\nmatch = " << quote(unit.pattern)
       << "\nscheme = " << quote(pick.scheme) << "\n";
  }
  return out;
}
