//===- LlamaGraph.cpp - A llama-architecture GGUF model as qforge IR -------===//
#include "frontend/llama/LlamaGraph.h"
#include "frontend/gguf/GgufImport.h"
#include "frontend/llama/LayerKernels.h"

#include "qf/IR/Presets.h"
#include "qf/IR/Qf.h"
#include "qf/Reference/Hadamard.h"
#include "qf/Reference/Quantizer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"

#include <set>
#include <tuple>

using namespace mlir;
using namespace qforge;
using namespace qforge::llama;

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

namespace {
/// Reads typed metadata, naming the key in every error.
struct Metadata {
  const gguf::GgufFile &file;

  /// The value of `key` converted by `convert` (empty: the wrong type,
  /// described by `expected`), or `fallback` where the key is absent.
  template <typename T, typename Convert>
  llvm::Expected<T> get(llvm::StringRef key, std::optional<T> fallback, const char *expected,
                        Convert convert) {
    const gguf::Value *v = file.find(key);
    if (!v) {
      if (fallback)
        return *fallback;
      return makeError("metadata key '" + key + "' is missing");
    }
    std::optional<T> converted = convert(*v);
    if (!converted)
      return makeError("metadata key '" + key + "' is " + gguf::valueTypeName(v->type) +
                       ", expected " + expected);
    return *converted;
  }
  llvm::Expected<uint64_t> integer(llvm::StringRef key, std::optional<uint64_t> fallback = {}) {
    return get<uint64_t>(key, fallback, "a non-negative integer",
                         [](const gguf::Value &v) { return v.asUnsigned(); });
  }
  llvm::Expected<double> number(llvm::StringRef key, std::optional<double> fallback = {}) {
    return get<double>(key, fallback, "a number", [](const gguf::Value &v) { return v.asDouble(); });
  }
  llvm::Expected<std::string> string(llvm::StringRef key, std::optional<std::string> fallback = {}) {
    return get<std::string>(key, fallback, "a string", [](const gguf::Value &v) {
      return v.type == gguf::ValueType::String ? std::optional<std::string>(v.s) : std::nullopt;
    });
  }
  llvm::Expected<const std::vector<gguf::Value> *> array(llvm::StringRef key,
                                                         gguf::ValueType elementType,
                                                         bool optional = false) {
    const gguf::Value *v = file.find(key);
    if (!v && optional)
      return nullptr;
    if (!v)
      return makeError("metadata key '" + key + "' is missing");
    if (v->type != gguf::ValueType::Array || v->elementType != elementType)
      return makeError("metadata key '" + key + "' should be an array of " +
                       gguf::valueTypeName(elementType));
    return &v->elements;
  }
};

/// A matmul kernel's weight: its encoding, [N, K], rotation and whether it
/// is in tiles.
using KernelKey = std::tuple<std::string, int64_t, int64_t, int64_t, std::optional<uint64_t>, bool>;

/// How a matrix is stored: its scheme, the rotation folded into it, and
/// whether in the tiled layout of the scheme.
struct Encoding {
  std::string scheme;
  int64_t rotation = 0;
  std::optional<uint64_t> seed;
  bool tiled = false;
  bool operator==(const Encoding &o) const {
    return scheme == o.scheme && rotation == o.rotation && seed == o.seed && tiled == o.tiled;
  }
  qf::SchemeAttr schemeAttr(MLIRContext *ctx) const {
    qf::SchemeAttr preset = qf::getPreset(ctx, scheme);
    return tiled ? preset.withLayout(qf::LayoutKind::tiled) : preset;
  }
};

/// x W^T for `m` tokens; for a rotated W, x is rotated alike first
/// (qf-fuse-hadamard moves that into the activations' quantizer).
void addMatmulKernel(OpBuilder &b, Location loc, const KernelKey &key, int64_t m,
                     qf::SchemeAttr actScheme) {
  auto [scheme, n, k, rotation, seed, tiled] = key;
  MLIRContext *ctx = b.getContext();
  auto weight = qf::QTensorType::get(ctx, {n, k}, Encoding{scheme, rotation, seed, tiled}.schemeAttr(ctx));
  auto act = RankedTensorType::get({m, k}, b.getF32Type());
  auto result = RankedTensorType::get({m, n}, b.getF32Type());
  runtime::WeightTensor w{"", scheme, {n, k}, 0, 0, rotation, seed, tiled};
  auto fn = func::FuncOp::create(b, loc, runtime::matmulEntry(w, m),
                                 b.getFunctionType({act, weight}, {result}));
  OpBuilder::InsertionGuard guard(b);
  Block *body = fn.addEntryBlock();
  b.setInsertionPointToStart(body);
  Value x = body->getArgument(0);
  if (rotation)
    x = qf::HadamardOp::create(b, loc, x, b.getI64IntegerAttr(rotation), b.getI64IntegerAttr(-1),
                               seed ? b.getI64IntegerAttr(int64_t(*seed)) : IntegerAttr());
  auto mm = qf::MatmulOp::create(b, loc, result, x, body->getArgument(1), actScheme, nullptr, nullptr, nullptr);
  func::ReturnOp::create(b, loc, mm.getResult());
}

void addRowKernel(OpBuilder &b, Location loc, const std::string &scheme, int64_t k) {
  MLIRContext *ctx = b.getContext();
  auto row = qf::QTensorType::get(ctx, {1, k}, qf::getPreset(ctx, scheme));
  auto result = RankedTensorType::get({1, k}, b.getF32Type());
  auto fn = func::FuncOp::create(b, loc, runtime::rowEntry(scheme, k),
                                 b.getFunctionType({row}, {result}));
  OpBuilder::InsertionGuard guard(b);
  Block *body = fn.addEntryBlock();
  b.setInsertionPointToStart(body);
  auto decoded = qf::DequantizeOp::create(b, loc, result, body->getArgument(0));
  func::ReturnOp::create(b, loc, decoded.getResult());
}
} // namespace

std::vector<TensorGroup> qforge::llama::llamaTensorGroups(int64_t layers, bool untiedOutput) {
  std::vector<TensorGroup> groups = {{"token_embd.weight", {"token_embd.weight"}},
                                     {"output_norm.weight", {"output_norm.weight"}}};
  if (untiedOutput)
    groups.push_back({"output.weight", {"output.weight"}});
  for (int64_t i = 0; i < layers; ++i) {
    std::string b = "blk." + std::to_string(i) + ".";
    auto w = [&](const char *name) { return b + name + ".weight"; };
    groups.insert(groups.end(),
                  {{w("attn_norm"), {w("attn_norm")}},
                   {w("attn_qkv"), {w("attn_q"), w("attn_k"), w("attn_v")}},
                   {w("attn_output"), {w("attn_output")}},
                   {w("ffn_norm"), {w("ffn_norm")}},
                   {w("ffn_gate_up"), {w("ffn_gate"), w("ffn_up")}},
                   {w("ffn_down"), {w("ffn_down")}}});
  }
  return groups;
}

/// The tensor `name` of `file` as qforge types it.
static llvm::Expected<gguf::ImportedTensor> importNamed(const gguf::GgufFile &file,
                                                       const std::string &name) {
  const gguf::TensorInfo *info = file.findTensor(name);
  if (!info)
    return makeError("tensor '" + name + "' is missing");
  return gguf::importTensor(*info);
}

llvm::Expected<std::vector<float>> qforge::llama::decodeMatrix(const gguf::GgufFile &file,
                                                               MLIRContext *ctx,
                                                               const std::string &name) {
  llvm::Expected<gguf::ImportedTensor> t = importNamed(file, name);
  if (!t)
    return t.takeError();
  if (t->shape.size() != 2 || t->scheme.empty())
    return makeError("tensor '" + name + "' is not a quantized matrix");
  qf::SchemeAttr scheme = qf::getPreset(ctx, t->scheme);
  llvm::ArrayRef<uint8_t> bytes = file.findTensor(name)->data;
  qf::QuantizedTensor q{qf::getStorageLayout(scheme, t->shape), {{bytes.begin(), bytes.end()}}};
  std::vector<float> decoded(size_t(t->shape[0] * t->shape[1]));
  if (llvm::Error err = qf::dequantize(scheme, t->shape, q, decoded))
    return makeError("tensor '" + name + "': " + llvm::toString(std::move(err)));
  return decoded;
}

llvm::Expected<LlamaGraph> qforge::llama::buildLlamaGraph(const gguf::GgufFile &file,
                                                          MLIRContext *ctx,
                                                          const LlamaGraphOptions &options) {
  Metadata meta{file};
  llvm::Expected<std::string> arch = meta.string("general.architecture");
  if (!arch)
    return arch.takeError();
  if (*arch != "llama")
    return makeError("general.architecture is '" + *arch +
                     "'; qforge builds graphs for 'llama' models");
  if (llvm::Expected<std::string> scaling = meta.string("llama.rope.scaling.type", "none");
      !scaling || *scaling != "none")
    return scaling ? makeError("llama.rope.scaling.type '" + *scaling + "' is not supported yet")
                   : scaling.takeError();

  LlamaGraph graph;
  runtime::ModelDescription &d = graph.description;
  d.architecture = "llama";
  d.chunks = options.chunks;
  struct IntParam {
    const char *name, *key;
    std::optional<uint64_t> fallback;
  };
  llvm::Expected<uint64_t> heads = meta.integer("llama.attention.head_count");
  llvm::Expected<uint64_t> embedding = meta.integer("llama.embedding_length");
  if (!heads || !embedding)
    return heads ? embedding.takeError() : heads.takeError();
  if (*heads == 0 || *embedding % *heads)
    return makeError("llama.embedding_length " + llvm::Twine(*embedding) +
                     " is not a multiple of llama.attention.head_count " + llvm::Twine(*heads));
  const IntParam ints[] = {
      {"layers", "llama.block_count", {}},
      {"embedding", "llama.embedding_length", {}},
      {"ffn", "llama.feed_forward_length", {}},
      {"heads", "llama.attention.head_count", {}},
      {"kv_heads", "llama.attention.head_count_kv", *heads},
      {"head_dim", "llama.rope.dimension_count", *embedding / *heads},
      {"context", "llama.context_length", {}}};
  for (const IntParam &p : ints) {
    llvm::Expected<uint64_t> v = meta.integer(p.key, p.fallback);
    if (!v)
      return v.takeError();
    if (*v == 0 || *v > (uint64_t(1) << 31))
      return makeError(llvm::Twine("metadata key '") + p.key + "' is " + llvm::Twine(*v) +
                       ", out of range");
    d.params[p.name] = double(*v);
  }
  if (d.params["head_dim"] * d.params["heads"] != d.params["embedding"])
    return makeError("llama.rope.dimension_count must be embedding_length / head_count "
                     "(partial rotary embeddings are not supported)");
  llvm::Expected<double> ropeBase = meta.number("llama.rope.freq_base", 10000.0);
  llvm::Expected<double> eps = meta.number("llama.attention.layer_norm_rms_epsilon");
  if (!ropeBase || !eps)
    return ropeBase ? eps.takeError() : ropeBase.takeError();
  d.params["rope_base"] = *ropeBase;
  d.params["rms_eps"] = *eps;

  // The tokenizer.
  runtime::TokenizerVocab &vocab = graph.vocab;
  llvm::Expected<std::string> model = meta.string("tokenizer.ggml.model");
  if (!model)
    return model.takeError();
  if (*model != "gpt2")
    return makeError("tokenizer.ggml.model is '" + *model +
                     "'; qforge's tokenizer reads byte-level BPE ('gpt2') vocabularies");
  auto tokens = meta.array("tokenizer.ggml.tokens", gguf::ValueType::String);
  auto merges = meta.array("tokenizer.ggml.merges", gguf::ValueType::String);
  auto types = meta.array("tokenizer.ggml.token_type", gguf::ValueType::Int32, true);
  llvm::Expected<std::string> pre = meta.string("tokenizer.ggml.pre", "default");
  if (!tokens || !merges || !types || !pre)
    return !tokens ? tokens.takeError()
                   : !merges ? merges.takeError() : !types ? types.takeError() : pre.takeError();
  for (const gguf::Value &t : **tokens)
    vocab.tokens.push_back(t.s);
  for (const gguf::Value &m : **merges)
    vocab.merges.push_back(m.s);
  if (*types) {
    if ((*types)->size() != vocab.tokens.size())
      return makeError("tokenizer.ggml.token_type has " + llvm::Twine((*types)->size()) +
                       " entries for " + llvm::Twine(vocab.tokens.size()) + " tokens");
    for (const gguf::Value &t : **types)
      vocab.types.push_back(int32_t(t.i));
  }
  vocab.pre = *pre;
  const uint64_t none = ~uint64_t(0);
  for (auto [key, field] : {std::pair{"tokenizer.ggml.bos_token_id", &vocab.bos},
                            std::pair{"tokenizer.ggml.eos_token_id", &vocab.eos},
                            std::pair{"tokenizer.ggml.unknown_token_id", &vocab.unk}}) {
    llvm::Expected<uint64_t> id = meta.integer(key, none);
    if (!id)
      return id.takeError();
    if (*id != none && *id >= vocab.tokens.size())
      return makeError(llvm::Twine("metadata key '") + key + "' is " + llvm::Twine(*id) +
                       ", past the vocabulary of " + llvm::Twine(vocab.tokens.size()));
    *field = *id == none ? -1 : int32_t(*id);
  }
  if (const gguf::Value *addBos = file.find("tokenizer.ggml.add_bos_token"))
    vocab.addBos = addBos->u != 0;
  d.params["vocab"] = double(vocab.tokens.size());

  // The weights: each as the file has it, or matrices that read the same
  // activations stacked into one (q, k, v; gate, up) so that one kernel call
  // computes them all.
  std::set<KernelKey> kernelKeys;
  int64_t repacked = 0; // file matrices repacked into tiles
  uint64_t offset = 0;
  auto emit = [&](const std::string &name, const Encoding &e, std::vector<int64_t> shape,
                  std::vector<llvm::ArrayRef<uint8_t>> pieces) {
    uint64_t bytes = 0;
    for (llvm::ArrayRef<uint8_t> piece : pieces)
      bytes += piece.size();
    d.tensors.push_back({name, e.scheme, shape, offset, bytes, e.rotation, e.seed, e.tiled});
    graph.tensorData.push_back(std::move(pieces));
    offset = (offset + bytes + 63) / 64 * 64;
    if (shape.size() == 2 && name != "token_embd.weight")
      kernelKeys.insert({e.scheme, shape[0], shape[1], e.rotation, e.seed, e.tiled});
  };
  auto import = [&](const std::string &name) -> llvm::Expected<gguf::ImportedTensor> {
    llvm::Expected<gguf::ImportedTensor> imported = importNamed(file, name);
    if (!imported)
      return imported.takeError();
    bool matrix = imported->shape.size() == 2;
    if (matrix && imported->scheme.empty())
      return makeError("tensor '" + name + "' is an unquantized matrix; qforge runs matrices "
                       "in quantized encodings (re-quantize it)");
    if (!matrix && (imported->shape.size() != 1 || !imported->scheme.empty()))
      return makeError("tensor '" + name + "' should be an F32 vector");
    if (!matrix)
      imported->scheme = "f32";
    return imported;
  };
  // Re-quantization: the parts decoded from the file's encoding, stacked,
  // rotated where the encoding says so, and quantized to the new scheme as
  // one matrix (the reference quantizer).
  auto schemeFits = [&](qf::SchemeAttr scheme, llvm::ArrayRef<int64_t> shape) {
    ScopedDiagnosticHandler quiet(ctx, [](Diagnostic &) { return success(); });
    return bool(qf::QTensorType::getChecked([&] { return emitError(UnknownLoc::get(ctx)); }, ctx,
                                            shape, scheme));
  };
  auto requantize = [&](const std::vector<std::string> &parts, llvm::ArrayRef<int64_t> shape,
                        const Encoding &encoding)
      -> llvm::Expected<std::vector<llvm::ArrayRef<uint8_t>>> {
    std::vector<float> values;
    values.reserve(size_t(shape[0] * shape[1]));
    for (const std::string &name : parts) {
      llvm::Expected<std::vector<float>> decoded = decodeMatrix(file, ctx, name);
      if (!decoded)
        return decoded.takeError();
      values.insert(values.end(), decoded->begin(), decoded->end());
    }
    if (encoding.rotation)
      qf::rotateRows(values, shape[1], encoding.rotation, encoding.seed);
    llvm::Expected<qf::QuantizedTensor> q = qf::quantize(encoding.schemeAttr(ctx), shape, values);
    if (!q)
      return makeError("re-quantizing '" + parts[0] + "': " + llvm::toString(q.takeError()));
    std::vector<llvm::ArrayRef<uint8_t>> pieces;
    for (std::vector<uint8_t> &buffer : q->buffers)
      pieces.push_back(graph.owned.emplace_back(std::move(buffer)));
    return pieces;
  };
  // The encoding a matrix gets: its policy rule's scheme (and rotation) where
  // the scheme fits the shape, else the file's. The embedding (and with it a
  // tied output head) keeps the file's: the row decoder reads rows stored
  // contiguously.
  auto encodingOf = [&](const std::string &name,
                        const gguf::ImportedTensor &t) -> llvm::Expected<Encoding> {
    bool matrix = t.shape.size() == 2 && name != "token_embd.weight";
    // In tiles where asked for and a tile fits the rows; the embedding's rows
    // (which a tied output head reads too) stay as the file has them.
    auto inTiles = [&](Encoding e) {
      Encoding tiled = e;
      tiled.tiled = true;
      return options.tiles && matrix && schemeFits(tiled.schemeAttr(ctx), t.shape) ? tiled : e;
    };
    policy::QuantRule *rule = options.policy && matrix ? options.policy->ruleFor(name) : nullptr;
    Encoding file = inTiles({t.scheme, 0, {}});
    if (!rule)
      return file;
    ++rule->matched;
    if (rule->scheme == policy::kFileScheme || (rule->scheme == t.scheme && !rule->rotation))
      return file;
    bool fits = schemeFits(qf::getPreset(ctx, rule->scheme), t.shape);
    ++(fits ? rule->requantized : rule->kept);
    if (fits && rule->rotation && t.shape[1] % rule->rotation)
      return makeError(rule->location + ": rotation " + llvm::Twine(rule->rotation) +
                       " does not divide the " + llvm::Twine(t.shape[1]) + " columns of '" +
                       name + "'");
    return fits ? inTiles({rule->scheme, rule->rotation, rule->rotationSeed}) : file;
  };
  // The file's bytes of tensor `name`, in tiles where `e` says so.
  auto fileBytes = [&](const std::string &name, const gguf::ImportedTensor &t,
                       const Encoding &e) -> llvm::Expected<llvm::ArrayRef<uint8_t>> {
    llvm::ArrayRef<uint8_t> bytes = file.findTensor(name)->data;
    if (!e.tiled)
      return bytes;
    qf::SchemeAttr from = qf::getPreset(ctx, t.scheme);
    qf::QuantizedTensor q{qf::getStorageLayout(from, t.shape), {{bytes.begin(), bytes.end()}}};
    llvm::Expected<qf::QuantizedTensor> tiles = qf::relayout(from, e.schemeAttr(ctx), t.shape, q);
    if (!tiles)
      return makeError("repacking '" + name + "' into tiles: " + llvm::toString(tiles.takeError()));
    ++repacked;
    return graph.owned.emplace_back(std::move(tiles->buffers.front()));
  };
  // Emits `parts` stacked as `stacked` when they share an input width and an
  // encoding (all re-quantized or all as the file has them), else one by one.
  auto emitGroup = [&](const std::string &stacked,
                       const std::vector<std::string> &parts) -> llvm::Error {
    std::vector<gguf::ImportedTensor> imported;
    std::vector<Encoding> schemes;
    for (const std::string &name : parts) {
      llvm::Expected<gguf::ImportedTensor> t = import(name);
      if (!t)
        return t.takeError();
      llvm::Expected<Encoding> e = encodingOf(name, *t);
      if (!e)
        return e.takeError();
      schemes.push_back(std::move(*e));
      imported.push_back(std::move(*t));
    }
    auto recoded = [&](size_t i) {
      return schemes[i].scheme != imported[i].scheme || schemes[i].rotation;
    };
    bool stack = options.stackMatrices && parts.size() > 1;
    for (size_t i = 0; i < parts.size(); ++i)
      stack = stack && imported[i].shape.size() == 2 &&
              imported[i].shape[1] == imported[0].shape[1] && schemes[i] == schemes[0] &&
              recoded(i) == recoded(0);
    if (!stack) {
      for (size_t i = 0; i < parts.size(); ++i) {
        std::vector<llvm::ArrayRef<uint8_t>> pieces;
        if (recoded(i)) {
          auto q = requantize({parts[i]}, imported[i].shape, schemes[i]);
          if (!q)
            return q.takeError();
          pieces = std::move(*q);
        } else {
          auto bytes = fileBytes(parts[i], imported[i], schemes[i]);
          if (!bytes)
            return bytes.takeError();
          pieces = {*bytes};
        }
        emit(parts[i], schemes[i], imported[i].shape, std::move(pieces));
      }
      return llvm::Error::success();
    }
    std::vector<int64_t> shape = {0, imported[0].shape[1]};
    std::vector<llvm::ArrayRef<uint8_t>> pieces;
    for (auto [name, t] : llvm::zip(parts, imported)) {
      shape[0] += t.shape[0];
      if (!recoded(0)) { // tiles, like GGUF blocks, hold whole rows: stacked back to back
        auto bytes = fileBytes(name, t, schemes[0]);
        if (!bytes)
          return bytes.takeError();
        pieces.push_back(*bytes);
      }
    }
    if (recoded(0)) {
      auto q = requantize(parts, shape, schemes[0]);
      if (!q)
        return q.takeError();
      pieces = std::move(*q);
    }
    emit(stacked, schemes[0], shape, std::move(pieces));
    return llvm::Error::success();
  };
  for (const auto &[stacked, parts] :
       llamaTensorGroups(int64_t(d.params["layers"]), file.findTensor("output.weight"))) {
    if (llvm::Error err = emitGroup(stacked, parts))
      return std::move(err);
    if (options.policy && options.progress && llvm::StringRef(parts[0]).ends_with("ffn_down.weight"))
      options.progress("encoded " + llvm::StringRef(parts[0]).drop_back(16).str());
  }
  if (options.policy) {
    for (const policy::QuantRule &rule : options.policy->rules())
      if (options.progress && rule.matched)
        options.progress(rule.location + " ('" + rule.pattern + "' -> " + rule.scheme + "): " +
                         std::to_string(rule.requantized) + " matrices re-quantized to " +
                         rule.scheme +
                         (rule.rotation ? " rotated by H_" + std::to_string(rule.rotation) +
                                              (rule.rotationSeed ? " (seed " + std::to_string(*rule.rotationSeed) + ")" : "")
                                        : "") +
                         "; " + std::to_string(rule.kept) +
                         " kept in the file's encoding (the scheme does not fit their shape), " +
                         std::to_string(rule.matched - rule.requantized - rule.kept) +
                         " already in it");
    if (llvm::Error err = options.policy->checkEveryRuleMatched())
      return err;
  }
  if (options.tiles && options.progress)
    options.progress(std::to_string(repacked) + " of the file's matrices repacked into tiles (the " +
                     "token embedding, and matrices no tile fits, keep the file's layout)");
  // The output head is tied to the embedding unless the file has its own.
  const runtime::WeightTensor &embd = d.tensors.front();
  if (!file.findTensor("output.weight"))
    kernelKeys.insert({embd.scheme, embd.shape[0], embd.shape[1], 0, std::nullopt, false});

  ctx->loadDialect<func::FuncDialect, qf::QfDialect, linalg::LinalgDialect, math::MathDialect,
                   tensor::TensorDialect, arith::ArithDialect, scf::SCFDialect,
                   vector::VectorDialect>();
  qf::SchemeAttr actScheme;
  if (!options.actScheme.empty() && !(actScheme = qf::getPreset(ctx, options.actScheme)))
    return makeError("unknown activation scheme '" + options.actScheme + "'");
  Location loc = FileLineColLoc::get(ctx, "model.gguf", 0, 0);
  graph.kernels = ModuleOp::create(loc);
  OpBuilder b(graph.kernels->getBodyRegion());
  for (const KernelKey &key : kernelKeys)
    for (int64_t m : options.chunks)
      addMatmulKernel(b, loc, key, m, actScheme);
  // SwiGLU reads gate and up from one stacked matrix or from two.
  std::set<bool> swigluForms;
  for (const runtime::WeightTensor &t : d.tensors)
    if (llvm::StringRef(t.name).ends_with(".ffn_gate_up.weight") ||
        llvm::StringRef(t.name).ends_with(".ffn_gate.weight"))
      swigluForms.insert(llvm::StringRef(t.name).ends_with(".ffn_gate_up.weight"));
  auto param = [&](const char *name) { return int64_t(d.params.at(name)); };
  for (int64_t m : options.chunks) {
    addRmsNormKernel(b, loc, param("embedding"), m, d.params.at("rms_eps"));
    addRopeKernel(b, loc, param("heads"), param("kv_heads"), param("head_dim"), m, *ropeBase);
    for (bool stacked : swigluForms)
      addSwigluKernel(b, loc, param("ffn"), m, stacked);
  }
  addAttentionKernel(b, loc, param("head_dim"));
  addRowKernel(b, loc, embd.scheme, embd.shape[1]);
  return graph;
}
