//===- LlamaGraph.h - A llama-architecture GGUF model as qforge IR ---------===//
//
// Reads a llama model's hyperparameters, weights and tokenizer from a GGUF
// file and builds what a model package needs: the matmul kernels for every
// distinct weight shape and encoding at each token-chunk size (qf.matmul on
// the weights' own encodings, activations quantized on the fly), RMSNorm,
// RoPE and SwiGLU at the same sizes (LayerKernels.h), the embedding-row
// decoder, the model description (runtime/ModelDescription.h)
// and the tokenizer vocabulary. Weights keep the file's encoding unless a
// quantization policy re-quantizes them.
//===----------------------------------------------------------------------===//
#ifndef QFORGE_FRONTEND_LLAMA_LLAMAGRAPH_H
#define QFORGE_FRONTEND_LLAMA_LLAMAGRAPH_H

#include "frontend/gguf/GgufFile.h"
#include "frontend/policy/QuantPolicy.h"
#include "runtime/ModelDescription.h"
#include "runtime/Tokenizer.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <functional>
#include <list>

namespace qforge::llama {

struct LlamaGraphOptions {
  /// Token counts the matmul kernels are compiled for (1 first: decode).
  std::vector<int64_t> chunks = {1, 16, 64};
  /// The on-the-fly activation quantization of the matmuls; empty: f32.
  std::string actScheme = "int8_g32";
  /// Stack q, k, v (and gate, up) into one matrix where they share an
  /// encoding, so one kernel call computes them.
  bool stackMatrices = true;
  /// Re-quantizes each matrix a rule matches to the rule's scheme (null:
  /// every matrix keeps the file's encoding). A matrix the scheme cannot
  /// hold (a group that does not divide its width) keeps the file's
  /// encoding; the rules count what they did.
  policy::QuantPolicy *policy = nullptr;
  /// Stores the matrices in the tiled layout of their scheme (repacked for
  /// the CPU kernels: docs/dialect.md) where a tile fits their rows; the
  /// token embedding keeps the file's.
  bool tiles = false;
  /// Hears what is being done on long steps.
  std::function<void(const std::string &)> progress;
};

struct LlamaGraph {
  runtime::ModelDescription description; ///< tensor offsets: in weights.bin
  /// Per description tensor, its bytes: pieces written back to back.
  std::vector<std::vector<llvm::ArrayRef<uint8_t>>> tensorData;
  runtime::TokenizerVocab vocab;
  mlir::OwningOpRef<mlir::ModuleOp> kernels;
  /// Bytes made here (re-quantized weights) that tensorData points into.
  std::list<std::vector<uint8_t>> owned;
};

/// Tensors stored as one: the stacked name and the file's tensors in it.
struct TensorGroup {
  std::string stacked;
  std::vector<std::string> parts;
};

/// A llama file's weights in storage order: the embedding, the final norm,
/// an untied output head, then per layer its norms and matrices (q, k, v
/// stacked; gate, up stacked).
std::vector<TensorGroup> llamaTensorGroups(int64_t layers, bool untiedOutput);

/// The f32 values of a quantized matrix of `file`, decoded by the reference.
llvm::Expected<std::vector<float>> decodeMatrix(const gguf::GgufFile &file, mlir::MLIRContext *ctx,
                                                const std::string &name);

/// The graph of `file`, a llama-architecture GGUF; errors name the missing or
/// inconsistent key or tensor.
llvm::Expected<LlamaGraph> buildLlamaGraph(const gguf::GgufFile &file, mlir::MLIRContext *ctx,
                                           const LlamaGraphOptions &options = {});

} // namespace qforge::llama

#endif // QFORGE_FRONTEND_LLAMA_LLAMAGRAPH_H
