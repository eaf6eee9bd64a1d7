//===- Search.cpp - Evolutionary search over a knob space ------------------===//
#include "tuning/Search.h"

#include <algorithm>

using namespace qforge::tuning;

EvolutionarySearch::EvolutionarySearch(std::vector<llvm::SmallVector<int64_t>> space, uint64_t seed,
                                       int64_t population)
    : space(std::move(space)), rng(seed), population(population) {
  for (const auto &values : this->space) {
    assert(!values.empty() && "every knob needs a value");
    spaceSize = spaceSize > (uint64_t(1) << 62) / values.size() ? uint64_t(1) << 62 : spaceSize * values.size();
  }
}

Point EvolutionarySearch::randomPoint() {
  Point p;
  for (const auto &values : space)
    p.push_back(values[std::uniform_int_distribution<size_t>(0, values.size() - 1)(rng)]);
  return p;
}

bool EvolutionarySearch::coinFlip(double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }

Point EvolutionarySearch::child() {
  // Tournaments among the measured points, better ranks win: mostly among
  // the best few (exploitation), sometimes among all of them.
  auto parent = [&]() -> const Point & {
    size_t pool = coinFlip(0.8) ? std::min<size_t>(ranked.size(), 4) : ranked.size();
    size_t best = pool;
    for (int i = 0; i < 2; ++i)
      best = std::min(best, std::uniform_int_distribution<size_t>(0, pool - 1)(rng));
    return ranked[best].second;
  };
  std::uniform_real_distribution<double> coin(0, 1);
  Point p = parent();
  if (ranked.size() > 1 && coin(rng) < 0.2) {
    const Point &other = parent();
    for (size_t i = 0; i < p.size(); ++i)
      if (coin(rng) < 0.5)
        p[i] = other[i];
  }
  // One knob moves, sometimes two: to a neighbouring value (knob values are
  // ordered, and costs tend to change smoothly along them) or anywhere.
  int moves = coin(rng) < 0.7 ? 1 : 2;
  for (int m = 0; m < moves; ++m) {
    size_t knob = std::uniform_int_distribution<size_t>(0, p.size() - 1)(rng);
    const auto &values = space[knob];
    if (values.size() < 2)
      continue;
    size_t at = std::find(values.begin(), values.end(), p[knob]) - values.begin();
    if (coin(rng) < 0.85) {
      bool up = at == 0 || (at + 1 < values.size() && coin(rng) < 0.5);
      at = up ? at + 1 : at - 1;
    } else {
      at = std::uniform_int_distribution<size_t>(0, values.size() - 1)(rng);
    }
    p[knob] = values[at];
  }
  return p;
}

std::optional<Point> EvolutionarySearch::next(llvm::function_ref<bool(llvm::ArrayRef<int64_t>)> legal) {
  auto accept = [&](const Point &p) {
    if (seen(p))
      return false;
    if (!legal(p)) {
      rejected[p] = true;
      ++prunedCount;
      return false;
    }
    proposed[p] = true;
    return true;
  };
  bool evolve = int64_t(ranked.size()) >= population;
  for (int attempt = 0; attempt < 200; ++attempt) {
    Point p = evolve && attempt < 150 ? child() : randomPoint();
    if (accept(p))
      return p;
  }
  // Nearly everything seen: walk the whole space in order (it is small by now).
  if (spaceSize > 1'000'000)
    return std::nullopt;
  Point p;
  for (const auto &values : space)
    p.push_back(values.front());
  for (uint64_t i = 0; i < spaceSize; ++i) {
    if (accept(p))
      return p;
    for (size_t knob = 0; knob < p.size(); ++knob) {
      const auto &values = space[knob];
      size_t at = std::find(values.begin(), values.end(), p[knob]) - values.begin();
      if (at + 1 < values.size()) {
        p[knob] = values[at + 1];
        break;
      }
      p[knob] = values.front();
    }
  }
  return std::nullopt;
}

void EvolutionarySearch::tell(llvm::ArrayRef<int64_t> point, double cost) {
  Point p(point.begin(), point.end());
  proposed.erase(p);
  costs[p] = cost;
  auto at = std::lower_bound(ranked.begin(), ranked.end(), cost,
                             [](const std::pair<double, Point> &e, double c) { return e.first < c; });
  ranked.insert(at, {cost, p});
}
