//===- LlamaModel.h - Running a compiled llama-architecture model ----------===//
//
// Loads a model package (ModelDescription.h) and evaluates tokens with a KV
// cache: token embedding, per layer RMSNorm, q/k/v projections, RoPE,
// grouped-query causal attention, output projection, RMSNorm and a SwiGLU
// MLP, then a final RMSNorm and the output head. The matrix products (fused
// dequantization, threads), RMSNorm, RoPE, SwiGLU and each head's attention
// over the cache run in the package's compiled kernels; the KV cache lives
// here, and so do the mapping of query heads to KV heads and the threads.
//===----------------------------------------------------------------------===//
#ifndef QFORGE_RUNTIME_LLAMAMODEL_H
#define QFORGE_RUNTIME_LLAMAMODEL_H

#include "runtime/ModelDescription.h"
#include "runtime/Package.h"
#include "runtime/Tokenizer.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace qforge::runtime {

struct LlamaParams {
  int64_t layers = 0, embedding = 0, ffn = 0, heads = 0, kvHeads = 0, headDim = 0, vocab = 0,
          context = 0;
};

class LlamaModel {
public:
  static std::unique_ptr<LlamaModel> load(const std::string &dir, std::string &error);
  ~LlamaModel();

  const LlamaParams &params() const { return params_; }
  const Tokenizer &tokenizer() const { return *tokenizer_; }
  void setThreads(int threads) { package_->setThreads(threads); }

  /// Tokens in the cache (the position of the next token).
  int64_t position() const { return position_; }
  void reset() { position_ = 0; }

  /// Appends `tokens` to the sequence. `logits` receives vocab-sized rows:
  /// one per token if `allLogits`, else the last token's only.
  bool eval(const std::vector<int32_t> &tokens, bool allLogits, std::vector<float> &logits,
            std::string &error);

  /// Hears the activations x[m, k] of every matrix product before it runs
  /// (calibration statistics).
  using MatmulObserver = std::function<void(const WeightTensor &, const float *x, int64_t m)>;
  void setMatmulObserver(MatmulObserver observer) { observer_ = std::move(observer); }

private:
  LlamaModel() = default;
  struct Weight {
    const WeightTensor *tensor = nullptr;
    std::vector<Buffer> buffers; ///< storage buffers in weights.bin
  };
  bool bindWeight(const std::string &name, Weight &out, std::string &error);
  bool matmul(const Weight &w, const float *x, int64_t m, float *y, std::string &error);
  bool embed(int32_t token, float *out, std::string &error);
  bool evalChunk(const int32_t *tokens, int64_t m, bool allLogits, float *logits,
                 std::string &error);
  bool attention(int64_t layer, int64_t m, const float *q, float *out, std::string &error);

  LlamaParams params_;
  MatmulObserver observer_;
  ModelDescription description_;
  std::unique_ptr<Package> package_;
  std::unique_ptr<Tokenizer> tokenizer_;
  void *weights_ = nullptr;
  size_t weightsBytes_ = 0;
  struct Layer {
    Weight attnNorm, q, k, v, o, ffnNorm, gate, up, down;
    /// q, k, v stacked into one matrix, and gate, up: used where bound.
    Weight qkv, gateUp;
    /// Keys transposed, [kvHeads][headDim][capacity], so that a query's
    /// scores against all positions are contiguous multiply-adds; values
    /// [kvHeads][capacity][headDim], so that a head's first n are contiguous.
    std::vector<float> keys, values;
  };
  /// Makes room for `positions` tokens in every layer's cache.
  void reserveCache(int64_t positions);
  int64_t capacity_ = 0;
  std::vector<Layer> layers_;
  Weight embedding_, outputNorm_, output_;
  int64_t position_ = 0;
};

} // namespace qforge::runtime

#endif // QFORGE_RUNTIME_LLAMAMODEL_H
