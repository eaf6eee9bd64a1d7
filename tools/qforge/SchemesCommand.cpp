//===- SchemesCommand.cpp - `qforge schemes`: try schemes on a tensor ------===//
#include "CommandLine.h"

#include "frontend/npy/Npy.h"
#include "qf/IR/Layout.h"
#include "qf/IR/Presets.h"
#include "qf/Reference/Quantizer.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace llvm;
using namespace mlir;
using namespace mlir::qf;

namespace qforge {

namespace {
/// splitmix64: a tiny deterministic generator, identical on every platform.
struct Random {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }
  double normal() {
    double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(2.0 * M_PI * u2);
  }
};
} // namespace

static constexpr int64_t kDemoRows = 256, kDemoCols = 1024;
static constexpr const char *kDemoDescription =
    "built-in 256x1024 tensor: N(0, 0.02^2) weights, 8 outlier input channels "
    "scaled x25, 0.05% spikes of +-40 sigma";

/// A weight-like tensor with the outliers real LLM layers have.
static std::vector<float> makeDemoTensor() {
  Random rng{42};
  std::vector<float> x(kDemoRows * kDemoCols);
  for (float &v : x)
    v = float(0.02 * rng.normal());
  static const int64_t kOutlierChannels[] = {7, 100, 233, 384, 511, 640, 901, 1000};
  for (int64_t r = 0; r < kDemoRows; ++r)
    for (int64_t c : kOutlierChannels)
      x[r * kDemoCols + c] *= 25.0f;
  for (int64_t i = 0, n = int64_t(x.size()) / 2000; i < n; ++i) {
    int64_t at = int64_t(rng.next() % x.size());
    x[at] = float((rng.uniform() < 0.5 ? -40 : 40) * 0.02);
  }
  return x;
}

Error schemesMain(MLIRContext *ctx, ArrayRef<const char *> argv) {
  Expected<Args> args = Args::parse("schemes", argv, {}, {"input", "scheme"}, {"demo", "list"});
  if (!args)
    return args.takeError();
  if (args->has("list")) {
    for (StringRef name : getPresetNames())
      outs() << name << "\n";
    return Error::success();
  }
  if (args->has("demo") == args->has("input"))
    return makeError("give exactly one of --demo or --input x.npy");

  std::vector<float> data;
  std::vector<int64_t> shape;
  std::string description;
  if (args->has("demo")) {
    data = makeDemoTensor();
    shape = {kDemoRows, kDemoCols};
    description = kDemoDescription;
  } else {
    std::string path = args->get("input");
    Expected<npy::Array> in = npy::read(path);
    if (!in)
      return in.takeError();
    if (in->shape.empty())
      return makeError(path + ": a 0-d array has no axis to group along");
    std::vector<double> values = in->toDoubles();
    data.assign(values.begin(), values.end());
    shape = in->shape;
    description = path + " (" + npy::shapeString(shape) + ", " + in->dtype + ")";
  }

  SmallVector<std::pair<std::string, SchemeAttr>> schemes;
  std::vector<std::string> requested = args->getAll("scheme");
  if (requested.empty())
    for (StringRef name : getPresetNames())
      schemes.push_back({name.str(), getPreset(ctx, name)});
  for (const std::string &text : requested) {
    Expected<SchemeAttr> s = parseScheme(ctx, text);
    if (!s)
      return s.takeError();
    schemes.push_back({text, *s});
  }

  double signal = 0;
  for (float v : data)
    signal += double(v) * v;
  outs() << "qforge schemes: " << description << "\n\n";
  size_t width = 16;
  for (auto &entry : schemes)
    width = std::max(width, entry.first.size());
  outs() << left_justify("scheme", width)
         << format(" %11s %12s %12s %9s\n", "bits/weight", "rmse", "max |err|", "sqnr dB");
  std::vector<float> back(data.size());
  for (auto &[name, scheme] : schemes) {
    outs() << left_justify(name, width) << " ";
    Expected<QuantizedTensor> q = quantize(scheme, shape, data);
    if (!q) {
      outs() << "skipped: " << toString(q.takeError()) << "\n";
      continue;
    }
    if (Error err = dequantize(scheme, shape, *q, back))
      return err;
    double sq = 0, maxErr = 0;
    for (size_t i = 0; i < data.size(); ++i) {
      double e = double(back[i]) - data[i];
      sq += e * e;
      maxErr = std::max(maxErr, std::fabs(e));
    }
    double bits = 8.0 * q->layout.totalBytes() / double(data.size());
    double sqnr = sq > 0 ? 10 * std::log10(signal / sq) : INFINITY;
    outs() << format("%11.3f %12.4e %12.4e %9.2f\n", bits, std::sqrt(sq / data.size()), maxErr,
                     sqnr);
  }
  return Error::success();
}


} // namespace qforge
