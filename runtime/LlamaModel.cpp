//===- LlamaModel.cpp - Running a compiled llama-architecture model --------===//
#include "runtime/LlamaModel.h"

#include <algorithm>
#include <cmath>
#include <fcntl.h>
#include <mutex>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace qforge::runtime;

std::unique_ptr<LlamaModel> LlamaModel::load(const std::string &dir, std::string &error) {
  std::unique_ptr<LlamaModel> model(new LlamaModel());
  std::string text, path = dir + "/model.txt";
  if (!readTextFile(path, text, error))
    return nullptr;
  if (!ModelDescription::parse(text, model->description_, error)) {
    error = path + ": " + error;
    return nullptr;
  }
  ModelDescription &d = model->description_;
  if (d.architecture != "llama") {
    error = path + ": architecture '" + d.architecture + "'; this runtime runs llama";
    return nullptr;
  }
  LlamaParams &p = model->params_;
  std::pair<const char *, int64_t *> ints[] = {
      {"layers", &p.layers},     {"embedding", &p.embedding}, {"ffn", &p.ffn},
      {"heads", &p.heads},       {"kv_heads", &p.kvHeads},    {"head_dim", &p.headDim},
      {"vocab", &p.vocab},       {"context", &p.context}};
  for (auto [name, field] : ints) {
    auto it = d.params.find(name);
    if (it == d.params.end() || it->second < 1 || it->second != std::floor(it->second)) {
      error = path + ": param '" + std::string(name) + "' missing or not a positive integer";
      return nullptr;
    }
    *field = int64_t(it->second);
  }
  if (p.heads % p.kvHeads || p.heads * p.headDim != p.embedding || p.headDim % 2) {
    error = path + ": heads (" + std::to_string(p.heads) + "), kv_heads (" +
            std::to_string(p.kvHeads) + ") and head_dim (" + std::to_string(p.headDim) +
            ") do not fit embedding " + std::to_string(p.embedding);
    return nullptr;
  }

  model->package_ = Package::load(dir, error);
  if (!model->package_)
    return nullptr;
  model->tokenizer_ = Tokenizer::load(dir + "/tokenizer.txt", error);
  if (!model->tokenizer_)
    return nullptr;

  std::string weightsPath = dir + "/weights.bin";
  int fd = ::open(weightsPath.c_str(), O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    error = weightsPath + ": cannot open";
    if (fd >= 0)
      ::close(fd);
    return nullptr;
  }
  model->weightsBytes_ = size_t(st.st_size);
  model->weights_ = model->weightsBytes_
                        ? mmap(nullptr, model->weightsBytes_, PROT_READ, MAP_PRIVATE, fd, 0)
                        : nullptr;
  ::close(fd);
  if (model->weights_ == MAP_FAILED) {
    model->weights_ = nullptr;
    error = weightsPath + ": cannot map";
    return nullptr;
  }

  auto bind = [&](const std::string &name, Weight &w) { return model->bindWeight(name, w, error); };
  if (!bind("token_embd.weight", model->embedding_) ||
      !bind("output_norm.weight", model->outputNorm_) ||
      !bind(d.find("output.weight") ? "output.weight" : "token_embd.weight", model->output_))
    return nullptr;
  model->layers_.resize(size_t(p.layers));
  for (int64_t i = 0; i < p.layers; ++i) {
    Layer &l = model->layers_[size_t(i)];
    std::string b = "blk." + std::to_string(i) + ".";
    auto bindEither = [&](const char *stacked, std::vector<std::pair<const char *, Weight *>> parts,
                          Weight &whole) {
      if (d.find(b + stacked))
        return bind(b + stacked, whole);
      for (auto [name, w] : parts)
        if (!bind(b + name, *w))
          return false;
      return true;
    };
    if (!bind(b + "attn_norm.weight", l.attnNorm) ||
        !bindEither("attn_qkv.weight",
                    {{"attn_q.weight", &l.q}, {"attn_k.weight", &l.k}, {"attn_v.weight", &l.v}},
                    l.qkv) ||
        !bind(b + "attn_output.weight", l.o) || !bind(b + "ffn_norm.weight", l.ffnNorm) ||
        !bindEither("ffn_gate_up.weight", {{"ffn_gate.weight", &l.gate}, {"ffn_up.weight", &l.up}},
                    l.gateUp) ||
        !bind(b + "ffn_down.weight", l.down))
      return nullptr;
  }
  // Every shape the forward pass relies on.
  auto expect = [&](const Weight &w, std::vector<int64_t> shape) {
    if (!w.tensor || w.tensor->shape == shape)
      return true;
    error = path + ": tensor " + w.tensor->name + " has an unexpected shape for this model";
    return false;
  };
  int64_t kv = p.kvHeads * p.headDim;
  if (!expect(model->embedding_, {p.vocab, p.embedding}) ||
      !expect(model->output_, {p.vocab, p.embedding}) ||
      !expect(model->outputNorm_, {p.embedding}))
    return nullptr;
  for (const Layer &l : model->layers_)
    if (!expect(l.attnNorm, {p.embedding}) || !expect(l.ffnNorm, {p.embedding}) ||
        !expect(l.q, {p.embedding, p.embedding}) || !expect(l.k, {kv, p.embedding}) ||
        !expect(l.v, {kv, p.embedding}) || !expect(l.o, {p.embedding, p.embedding}) ||
        !expect(l.gate, {p.ffn, p.embedding}) || !expect(l.up, {p.ffn, p.embedding}) ||
        !expect(l.qkv, {p.embedding + 2 * kv, p.embedding}) ||
        !expect(l.gateUp, {2 * p.ffn, p.embedding}) ||
        !expect(l.down, {p.embedding, p.ffn}))
      return nullptr;
  // The layer kernels at every chunk size (a package from before they were
  // compiled has none).
  for (int64_t c : d.chunks) {
    std::vector<std::string> entries = {rmsNormEntry(p.embedding, c),
                                        ropeEntry(p.heads, p.kvHeads, p.headDim, c)};
    for (const Layer &l : model->layers_)
      entries.push_back(swigluEntry(p.ffn, c, l.gateUp.tensor != nullptr));
    entries.push_back(attentionEntry(p.headDim));
    for (const std::string &entry : entries)
      if (!model->package_->manifest().find(entry)) {
        error = dir + ": the package has no kernel " + entry + " (compiled by an older qforge?)";
        return nullptr;
      }
  }
  return model;
}

LlamaModel::~LlamaModel() {
  if (weights_)
    munmap(weights_, weightsBytes_);
}

bool LlamaModel::bindWeight(const std::string &name, Weight &out, std::string &error) {
  const WeightTensor *t = description_.find(name);
  if (!t) {
    error = "model.txt: no tensor '" + name + "'";
    return false;
  }
  if (t->offset > weightsBytes_ || t->bytes > weightsBytes_ - t->offset) {
    error = "weights.bin: tensor " + name + " lies past the end of the file (truncated?)";
    return false;
  }
  out.tensor = t;
  char *base = static_cast<char *>(weights_) + t->offset;
  if (t->shape.size() != 2) {
    if (t->scheme != "f32" || int64_t(t->bytes) != t->shape[0] * 4) {
      error = "model.txt: tensor " + name + " should be an f32 vector";
      return false;
    }
    out.buffers = {{base, t->bytes}};
    return true;
  }
  // A matrix is bound to the kernels by the storage buffers of its decode
  // kernel's weight argument; one only decoded by rows (an untied model's
  // embedding) is one buffer.
  const EntryPoint *e =
      package_->manifest().find(matmulEntry(*t, 1));
  if (!e && package_->manifest().find(rowEntry(t->scheme, t->shape[1]))) {
    out.buffers = {{base, t->bytes}};
    return true;
  }
  if (!e) {
    error = "the package has no kernel " + matmulEntry(*t, 1) +
            " for tensor " + name;
    return false;
  }
  uint64_t offset = 0;
  for (size_t i = 1; i < e->args.size(); ++i) {
    out.buffers.push_back({base + offset, size_t(e->args[i].bytes())});
    offset += uint64_t(e->args[i].bytes());
  }
  if (offset != t->bytes) {
    error = "model.txt: tensor " + name + " has " + std::to_string(t->bytes) +
            " bytes; its kernels take " + std::to_string(offset);
    return false;
  }
  return true;
}

bool LlamaModel::matmul(const Weight &w, const float *x, int64_t m, float *y, std::string &error) {
  const WeightTensor &t = *w.tensor;
  if (observer_)
    observer_(t, x, m);
  std::vector<Buffer> args = {{const_cast<float *>(x), size_t(m * t.shape[1] * 4)}};
  args.insert(args.end(), w.buffers.begin(), w.buffers.end());
  return package_->run(matmulEntry(t, m), args,
                       {{y, size_t(m * t.shape[0] * 4)}}, error);
}

bool LlamaModel::embed(int32_t token, float *out, std::string &error) {
  const WeightTensor &t = *embedding_.tensor;
  if (token < 0 || token >= t.shape[0]) {
    error = "token " + std::to_string(token) + " is outside the vocabulary of " +
            std::to_string(t.shape[0]);
    return false;
  }
  size_t rowBytes = t.bytes / size_t(t.shape[0]);
  char *row = static_cast<char *>(embedding_.buffers[0].data) + size_t(token) * rowBytes;
  if (embedding_.buffers.size() != 1) {
    error = "token_embd.weight: scheme " + t.scheme + " does not store rows contiguously";
    return false;
  }
  return package_->run(rowEntry(t.scheme, t.shape[1]), {{row, rowBytes}},
                       {{out, size_t(t.shape[1] * 4)}}, error);
}

bool LlamaModel::eval(const std::vector<int32_t> &tokens, bool allLogits,
                      std::vector<float> &logits, std::string &error) {
  if (tokens.empty()) {
    error = "no tokens to evaluate";
    return false;
  }
  if (position_ + int64_t(tokens.size()) > params_.context) {
    error = "the sequence would exceed the model's context of " + std::to_string(params_.context) +
            " tokens";
    return false;
  }
  logits.assign(size_t((allLogits ? tokens.size() : 1) * params_.vocab), 0.0f);
  // The largest compiled chunk that fits, repeatedly.
  for (size_t done = 0; done < tokens.size();) {
    int64_t left = int64_t(tokens.size() - done), m = 1;
    for (int64_t c : description_.chunks)
      if (c <= left)
        m = c;
    bool last = done + size_t(m) == tokens.size();
    float *out = allLogits ? logits.data() + done * size_t(params_.vocab)
                           : (last ? logits.data() : nullptr);
    if (!evalChunk(tokens.data() + done, m, allLogits, out, error))
      return false;
    done += size_t(m);
  }
  return true;
}

bool LlamaModel::evalChunk(const int32_t *tokens, int64_t m, bool allLogits, float *logits,
                           std::string &error) {
  const LlamaParams &p = params_;
  int64_t d = p.embedding, kv = p.kvHeads * p.headDim;
  std::vector<float> x(size_t(m * d)), h(x.size()), q(x.size()), attn(x.size()), o(x.size()),
      k(size_t(m * kv)), v(k.size()), kr(k.size()), gate(size_t(m * p.ffn)), up(gate.size()),
      act(gate.size()),
      stacked(size_t(m * std::max(d + 2 * kv, 2 * p.ffn)));
  for (int64_t t = 0; t < m; ++t)
    if (!embed(tokens[t], &x[size_t(t * d)], error))
      return false;
  reserveCache(position_ + m);

  std::vector<float> positions(static_cast<size_t>(m));
  for (int64_t t = 0; t < m; ++t)
    positions[size_t(t)] = float(position_ + t);
  auto bytes = [](const std::vector<float> &v) { return v.size() * sizeof(float); };
  auto run = [&](const std::string &entry, std::vector<Buffer> args, std::vector<Buffer> results) {
    return package_->run(entry, args, results, error);
  };
  const std::string norm = rmsNormEntry(d, m), rope = ropeEntry(p.heads, p.kvHeads, p.headDim, m),
                    swigluStacked = swigluEntry(p.ffn, m, true), swiglu = swigluEntry(p.ffn, m, false);

  for (size_t li = 0; li < layers_.size(); ++li) {
    Layer &l = layers_[li];
    if (!run(norm, {{x.data(), bytes(x)}, l.attnNorm.buffers[0]}, {{h.data(), bytes(h)}}))
      return false;
    if (l.qkv.tensor) {
      if (!matmul(l.qkv, h.data(), m, stacked.data(), error))
        return false;
      for (int64_t t = 0; t < m; ++t) {
        const float *row = &stacked[size_t(t * (d + 2 * kv))];
        std::copy_n(row, d, &q[size_t(t * d)]);
        std::copy_n(row + d, kv, &k[size_t(t * kv)]);
        std::copy_n(row + d + kv, kv, &v[size_t(t * kv)]);
      }
    } else if (!matmul(l.q, h.data(), m, q.data(), error) ||
               !matmul(l.k, h.data(), m, k.data(), error) ||
               !matmul(l.v, h.data(), m, v.data(), error)) {
      return false;
    }
    // Rotated q in h (free until the next norm), rotated k in kr.
    if (!run(rope,
             {{q.data(), bytes(q)}, {k.data(), bytes(k)}, {positions.data(), bytes(positions)}},
             {{h.data(), bytes(h)}, {kr.data(), bytes(kr)}}))
      return false;
    for (int64_t t = 0; t < m; ++t)
      for (int64_t c = 0; c < kv; ++c) {
        int64_t g = c / p.headDim, i = c % p.headDim;
        l.keys[size_t(c * capacity_ + position_ + t)] = kr[size_t(t * kv + c)];
        l.values[size_t((g * capacity_ + position_ + t) * p.headDim + i)] = v[size_t(t * kv + c)];
      }
    if (!attention(int64_t(li), m, h.data(), attn.data(), error))
      return false;
    if (!matmul(l.o, attn.data(), m, o.data(), error))
      return false;
    for (size_t i = 0; i < x.size(); ++i)
      x[i] += o[i];

    if (!run(norm, {{x.data(), bytes(x)}, l.ffnNorm.buffers[0]}, {{h.data(), bytes(h)}}))
      return false;
    if (l.gateUp.tensor) {
      if (!matmul(l.gateUp, h.data(), m, stacked.data(), error) ||
          !run(swigluStacked, {{stacked.data(), size_t(m * 2 * p.ffn) * 4}},
               {{act.data(), bytes(act)}}))
        return false;
    } else if (!matmul(l.gate, h.data(), m, gate.data(), error) ||
               !matmul(l.up, h.data(), m, up.data(), error) ||
               !run(swiglu, {{gate.data(), bytes(gate)}, {up.data(), bytes(up)}},
                    {{act.data(), bytes(act)}})) {
      return false;
    }
    if (!matmul(l.down, act.data(), m, o.data(), error))
      return false;
    for (size_t i = 0; i < x.size(); ++i)
      x[i] += o[i];
  }
  position_ += m;
  if (!logits)
    return true;

  int64_t rows = allLogits ? m : 1;
  if (!run(rmsNormEntry(d, rows), {{&x[size_t((m - rows) * d)], size_t(rows * d) * 4}, outputNorm_.buffers[0]},
           {{h.data(), size_t(rows * d) * 4}}))
    return false;
  // The output head runs at the chunk sizes compiled: whole chunks, then rows.
  int64_t done = 0;
  while (done < rows) {
    int64_t step = 1;
    for (int64_t c : description_.chunks)
      if (c <= rows - done)
        step = c;
    if (!matmul(output_, &h[size_t(done * d)], step, logits + done * p.vocab, error))
      return false;
    done += step;
  }
  return true;
}

void LlamaModel::reserveCache(int64_t positions) {
  if (positions <= capacity_)
    return;
  // Rows of keys an odd number of cache lines apart: at a power-of-two
  // stride the 64 rows of a head would share one L1 set.
  int64_t capacity =
      (std::min(std::max({positions, 2 * capacity_, int64_t(256)}), params_.context) + 15) / 32 *
          32 +
      16;
  int64_t kv = params_.kvHeads * params_.headDim, hd = params_.headDim;
  for (Layer &l : layers_) {
    std::vector<float> keys(size_t(kv * capacity)), values(keys.size());
    for (int64_t c = 0; c < kv; ++c)
      std::copy_n(l.keys.begin() + c * capacity_, position_, keys.begin() + c * capacity);
    for (int64_t g = 0; g < params_.kvHeads; ++g)
      std::copy_n(l.values.begin() + g * capacity_ * hd, position_ * hd,
                  values.begin() + g * capacity * hd);
    l.keys = std::move(keys);
    l.values = std::move(values);
  }
  capacity_ = capacity;
}

bool LlamaModel::attention(int64_t layer, int64_t m, const float *q, float *out,
                           std::string &error) {
  const LlamaParams &p = params_;
  Layer &l = layers_[size_t(layer)];
  int64_t d = p.embedding, hd = p.headDim, group = p.heads / p.kvHeads;
  size_t headBytes = size_t(hd) * 4;
  const std::string entry = attentionEntry(hd);
  std::mutex failure;
  bool ok = true;
  package_->parallelFor(m * p.heads, [&](int64_t begin, int64_t end) {
    std::string itemError;
    for (int64_t item = begin; item < end; ++item) {
      int64_t t = item / p.heads, head = item % p.heads, kvHead = head / group;
      // Causal: each token attends to the positions up to its own.
      int64_t keys = position_ + t + 1;
      float *keysT = &l.keys[size_t(kvHead * hd * capacity_)];
      float *values = &l.values[size_t(kvHead * capacity_ * hd)];
      if (!package_->run(entry,
                         {{const_cast<float *>(q + t * d + head * hd), headBytes},
                          {keysT, size_t(hd * capacity_) * 4},
                          {values, size_t(keys) * headBytes}},
                         {{out + t * d + head * hd, headBytes}}, itemError)) {
        std::lock_guard<std::mutex> lock(failure);
        ok = false;
        error = itemError;
        return;
      }
    }
  });
  return ok;
}
