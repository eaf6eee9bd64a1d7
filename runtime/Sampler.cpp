//===- Sampler.cpp - Choosing the next token from logits -------------------===//
#include "runtime/Sampler.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

using namespace qforge::runtime;

int32_t Sampler::sample(const float *logits, int64_t vocab) {
  if (options_.temperature <= 0)
    return int32_t(std::max_element(logits, logits + vocab) - logits);
  candidates_.clear();
  for (int64_t i = 0; i < vocab; ++i)
    candidates_.push_back({logits[i], int32_t(i)});
  auto byLogit = [](const auto &a, const auto &b) { return a.first > b.first; };
  size_t keep = options_.topK > 0 ? std::min<size_t>(size_t(options_.topK), candidates_.size())
                                  : candidates_.size();
  std::partial_sort(candidates_.begin(), candidates_.begin() + std::ptrdiff_t(keep), candidates_.end(),
                    byLogit);
  candidates_.resize(keep);
  // Probabilities at the temperature, then the smallest prefix reaching top-p.
  float top = candidates_.front().first, sum = 0;
  for (auto &c : candidates_)
    sum += c.first = std::exp((c.first - top) / options_.temperature);
  float mass = 0;
  size_t nucleus = 0;
  while (nucleus < candidates_.size()) {
    mass += candidates_[nucleus++].first / sum;
    if (mass >= options_.topP)
      break;
  }
  candidates_.resize(nucleus);
  float total = 0;
  for (auto &c : candidates_)
    total += c.first;
  float r = std::uniform_real_distribution<float>(0, total)(random_);
  for (auto &c : candidates_)
    if ((r -= c.first) <= 0)
      return c.second;
  return candidates_.back().second;
}
