//===- Search.h - Evolutionary search over a knob space --------------------===//
//
// Knobs with a list of values each; a point picks one value a knob. The
// search proposes points not measured before and legal (a predicate prunes
// the combinations the compiler would reject before anything is compiled),
// and learns from the costs it is told: first a random population, then
// children of tournament-picked parents, mostly among the best few (uniform
// crossover, then mutation that moves a knob to a neighbouring value or to
// any value), falling back to a random unseen point. Deterministic for a
// seed.
//===----------------------------------------------------------------------===//
#ifndef QFORGE_TUNING_SEARCH_H
#define QFORGE_TUNING_SEARCH_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <vector>

namespace qforge::tuning {

using Point = llvm::SmallVector<int64_t>;

class EvolutionarySearch {
public:
  /// `space[i]`: the values knob i may take (non-empty).
  EvolutionarySearch(std::vector<llvm::SmallVector<int64_t>> space, uint64_t seed,
                     int64_t population = 8);

  /// The next point to measure, or nothing when no unseen legal point is
  /// left. `legal` is asked before a point is proposed; illegal points are
  /// remembered and never proposed.
  std::optional<Point> next(llvm::function_ref<bool(llvm::ArrayRef<int64_t>)> legal);

  /// The cost of a proposed point (lower is better).
  void tell(llvm::ArrayRef<int64_t> point, double cost);

  /// Points the legality predicate rejected so far.
  int64_t pruned() const { return prunedCount; }

private:
  Point randomPoint();
  Point child();
  bool coinFlip(double p);
  bool seen(const Point &p) const { return costs.count(p) || rejected.count(p) || proposed.count(p); }

  std::vector<llvm::SmallVector<int64_t>> space;
  std::mt19937_64 rng;
  int64_t population;
  std::map<Point, double> costs;
  std::map<Point, bool> rejected, proposed;
  std::vector<std::pair<double, Point>> ranked; ///< measured, best first
  int64_t prunedCount = 0;
  uint64_t spaceSize = 1; ///< saturates at 2^62
};

} // namespace qforge::tuning

#endif // QFORGE_TUNING_SEARCH_H
