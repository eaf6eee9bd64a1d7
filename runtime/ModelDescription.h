//===- ModelDescription.h - A compiled model: hyperparameters and weights --===//
//
// A model package is a kernel package (Manifest.h) plus `model.txt`, the
// weights in their file encodings (`weights.bin`) and the tokenizer. The
// description is line-based text (docs/package.md):
//
//   qforge-model 1
//   architecture llama
//   param layers 30
//   ...
//   chunks 1 16 64
//   tensor token_embd.weight q8_0 49152x576 0 30081024
//   tensor blk.0.ffn_down.weight mxfp4 576x1536 ... hadamard=32:7
//   end
//
// `chunks` are the token counts the matmul kernels were compiled for;
// `tensor` gives a weight's storage scheme (a qf preset, or f32), shape
// ([out, in] for a matrix), its byte range in weights.bin and, for a matrix
// stored rotated, the Hadamard block size and seed its kernels rotate the
// activations by. Kernel entry names follow from a tensor's scheme, shape
// and rotation (matmulEntry, rowEntry).
//===----------------------------------------------------------------------===//
#ifndef QFORGE_RUNTIME_MODELDESCRIPTION_H
#define QFORGE_RUNTIME_MODELDESCRIPTION_H

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace qforge::runtime {

constexpr int kModelVersion = 1;

struct WeightTensor {
  std::string name;
  std::string scheme; ///< a qf preset, or "f32"
  std::vector<int64_t> shape;
  uint64_t offset = 0, bytes = 0; ///< in weights.bin
  /// The matrix is stored times this Hadamard rotation (block size, 0 for
  /// none; seed) and its activations are rotated alike.
  int64_t rotation = 0;
  std::optional<uint64_t> rotationSeed;
  /// Stored in the tiled layout of its scheme (docs/dialect.md), repacked
  /// for the CPU kernels.
  bool tiled = false;
};

struct ModelDescription {
  std::string architecture;
  std::map<std::string, double> params;
  std::vector<int64_t> chunks;
  std::vector<WeightTensor> tensors;

  const WeightTensor *find(const std::string &name) const;
  std::string serialize() const;
  /// On failure returns false and sets `error` to a message naming the line.
  static bool parse(const std::string &text, ModelDescription &out, std::string &error);
};

/// The entry computing x[m, k] * W[n, k]^T for `m` tokens (x rotated as W
/// is, for a rotated matrix).
std::string matmulEntry(const WeightTensor &w, int64_t m);
/// The entry decoding one row of `k` elements of a `scheme` matrix to f32.
std::string rowEntry(const std::string &scheme, int64_t k);
/// The entry computing RMSNorm(x[m, d]) * gain[d] (the model's epsilon).
std::string rmsNormEntry(int64_t d, int64_t m);
/// The entry computing silu(gate) * up for `m` tokens of `f` values: from
/// one [m, 2f] matrix (gate then up in each row) when stacked, else from two.
std::string swigluEntry(int64_t f, int64_t m, bool stacked);
/// The entry rotating q[m, heads*headDim] and k[m, kvHeads*headDim] by the
/// positions pos[m] (llama's RoPE on consecutive pairs, the model's base).
std::string ropeEntry(int64_t heads, int64_t kvHeads, int64_t headDim, int64_t m);
/// The entry computing one query head's softmax(q k^T / sqrt(headDim)) v
/// over the first n cached positions: q[headDim], the KV head's keys
/// transposed [headDim, capacity] and its values [n, headDim].
std::string attentionEntry(int64_t headDim);

} // namespace qforge::runtime

#endif // QFORGE_RUNTIME_MODELDESCRIPTION_H
