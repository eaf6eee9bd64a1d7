//===- Sampler.h - Choosing the next token from logits ---------------------===//
#ifndef QFORGE_RUNTIME_SAMPLER_H
#define QFORGE_RUNTIME_SAMPLER_H

#include <cstdint>
#include <random>
#include <vector>

namespace qforge::runtime {

struct SamplingOptions {
  float temperature = 0; ///< <= 0: greedy (the most likely token)
  int topK = 40;         ///< <= 0: all tokens
  float topP = 0.95f;    ///< >= 1: no nucleus cut
  uint64_t seed = 0;
};

/// Greedy, or temperature sampling among the top-k tokens whose probability
/// mass reaches top-p; the same seed gives the same choices.
class Sampler {
public:
  explicit Sampler(SamplingOptions options) : options_(options), random_(options.seed) {}
  int32_t sample(const float *logits, int64_t vocab);

private:
  SamplingOptions options_;
  std::mt19937_64 random_;
  std::vector<std::pair<float, int32_t>> candidates_;
};

} // namespace qforge::runtime

#endif // QFORGE_RUNTIME_SAMPLER_H
