//===- ModelDescription.cpp - A compiled model: hyperparameters and weights ===//
#include "runtime/ModelDescription.h"
#include "runtime/Manifest.h"

#include <cstdio>
#include <sstream>

using namespace qforge::runtime;

/// "SIZE" or "SIZE:SEED".
static std::string rotationText(const WeightTensor &w) {
  return std::to_string(w.rotation) +
         (w.rotationSeed ? ":" + std::to_string(*w.rotationSeed) : std::string());
}

std::string qforge::runtime::matmulEntry(const WeightTensor &w, int64_t m) {
  std::string rotation;
  if (w.rotation)
    rotation = "_h" + std::to_string(w.rotation) +
               (w.rotationSeed ? "s" + std::to_string(*w.rotationSeed) : std::string());
  return "mm_" + w.scheme + (w.tiled ? "_tiled_" : "_") + std::to_string(w.shape[0]) + "x" +
         std::to_string(w.shape[1]) + rotation + "_m" + std::to_string(m);
}

std::string qforge::runtime::rowEntry(const std::string &scheme, int64_t k) {
  return "row_" + scheme + "_" + std::to_string(k);
}

std::string qforge::runtime::rmsNormEntry(int64_t d, int64_t m) {
  return "rms_norm_" + std::to_string(d) + "_m" + std::to_string(m);
}

std::string qforge::runtime::swigluEntry(int64_t f, int64_t m, bool stacked) {
  return std::string(stacked ? "swiglu_stacked_" : "swiglu_") + std::to_string(f) + "_m" +
         std::to_string(m);
}

std::string qforge::runtime::ropeEntry(int64_t heads, int64_t kvHeads, int64_t headDim,
                                       int64_t m) {
  return "rope_" + std::to_string(heads) + "_" + std::to_string(kvHeads) + "x" +
         std::to_string(headDim) + "_m" + std::to_string(m);
}

std::string qforge::runtime::attentionEntry(int64_t headDim) {
  return "attention_" + std::to_string(headDim);
}

const WeightTensor *ModelDescription::find(const std::string &name) const {
  for (const WeightTensor &t : tensors)
    if (t.name == name)
      return &t;
  return nullptr;
}

std::string ModelDescription::serialize() const {
  std::ostringstream os;
  os << "qforge-model " << kModelVersion << "\narchitecture " << architecture << "\n";
  for (const auto &[key, value] : params) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);
    os << "param " << key << " " << text << "\n";
  }
  os << "chunks";
  for (int64_t c : chunks)
    os << " " << c;
  os << "\n";
  for (const WeightTensor &t : tensors) {
    os << "tensor " << t.name << " " << t.scheme << " ";
    for (size_t i = 0; i < t.shape.size(); ++i)
      os << (i ? "x" : "") << t.shape[i];
    os << " " << t.offset << " " << t.bytes;
    if (t.rotation)
      os << " hadamard=" << rotationText(t);
    if (t.tiled)
      os << " layout=tiled";
    os << "\n";
  }
  os << "end\n";
  return os.str();
}

bool ModelDescription::parse(const std::string &text, ModelDescription &out, std::string &error) {
  out = ModelDescription();
  KeyedLines lines(text, "line ", error);
  if (!lines.readHeader("qforge-model", kModelVersion, "qforge model description", "model"))
    return false;
  bool sawEnd = false;
  for (std::string key; lines.next(key);) {
    std::istringstream &words = lines.words();
    if (sawEnd)
      return lines.fail("text after 'end'");
    if (key == "architecture") {
      if (!(words >> out.architecture))
        return lines.fail("'architecture' without a name");
    } else if (key == "param") {
      std::string name;
      double value;
      if (!(words >> name >> value))
        return lines.fail("malformed 'param' (expected: param NAME NUMBER)");
      out.params[name] = value;
    } else if (key == "chunks") {
      for (int64_t c; words >> c;) {
        if (c < 1 || (!out.chunks.empty() && c <= out.chunks.back()))
          return lines.fail("chunks must be positive and increasing");
        out.chunks.push_back(c);
      }
      if (out.chunks.empty() || out.chunks.front() != 1)
        return lines.fail("chunks must start with 1");
    } else if (key == "tensor") {
      WeightTensor t;
      std::string shape;
      if (!(words >> t.name >> t.scheme >> shape >> t.offset >> t.bytes))
        return lines.fail("malformed 'tensor' (expected: tensor NAME SCHEME SHAPE OFFSET BYTES)");
      if (!parseShapeText(shape, t.shape) || t.shape.empty())
        return lines.fail("malformed shape '" + shape + "' of tensor " + t.name);
      for (std::string option; words >> option;) {
        if (option == "layout=tiled" && !t.tiled && t.shape.size() == 2) {
          t.tiled = true;
          continue;
        }
        if (option.rfind("hadamard=", 0) != 0 || t.rotation)
          return lines.fail("unknown option '" + option + "' of tensor " + t.name +
                            " (expected hadamard=SIZE[:SEED] and layout=tiled, each at most once, on matrices)");
        const std::string &rotation = option;
        unsigned long long size = 0, seed = 0;
        int used = 0;
        bool seeded = rotation.find(':') != std::string::npos;
        bool ok = seeded ? std::sscanf(rotation.c_str(), "hadamard=%llu:%llu%n", &size, &seed, &used) == 2
                         : std::sscanf(rotation.c_str(), "hadamard=%llu%n", &size, &used) == 1;
        if (!ok || used != int(rotation.size()) || size < 2 || (size & (size - 1)) ||
            t.shape.size() != 2 || int64_t(size) > t.shape[1] || t.shape[1] % int64_t(size))
          return lines.fail("malformed rotation '" + rotation + "' of tensor " + t.name +
                            " (expected hadamard=SIZE or hadamard=SIZE:SEED, SIZE a power of two "
                            "dividing its columns)");
        t.rotation = int64_t(size);
        if (seeded)
          t.rotationSeed = seed;
      }
      out.tensors.push_back(std::move(t));
    } else if (key == "end") {
      sawEnd = true;
    } else {
      return lines.fail("unknown key '" + key + "'");
    }
  }
  if (!sawEnd)
    return lines.fail("missing 'end' (truncated?)");
  return true;
}
