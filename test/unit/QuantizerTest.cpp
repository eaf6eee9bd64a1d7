//===- QuantizerTest.cpp - Reference quantizer contracts -------------------===//
//
// Bit-exactness against independent implementations lives in test/numerics;
// these check the contracts the Python tests cannot see directly.
//===----------------------------------------------------------------------===//
#include "qf/IR/Presets.h"
#include "qf/Reference/HostCodec.h"
#include "qf/Reference/Quantizer.h"

#include "mlir/AsmParser/AsmParser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace mlir;
using namespace mlir::qf;

namespace {

class QuantizerTest : public ::testing::Test {
protected:
  QuantizerTest() { ctx.loadDialect<QfDialect>(); }
  MLIRContext ctx;
};

std::vector<float> gaussian(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> dist;
  std::vector<float> x(n);
  for (float &v : x)
    v = dist(gen);
  return x;
}

TEST_F(QuantizerTest, RejectsNonFiniteInputNamingTheElement) {
  std::vector<float> x(64, 1.0f);
  x[37] = NAN;
  auto q = quantize(getPreset(&ctx, "mxfp4"), {2, 32}, x);
  ASSERT_FALSE(bool(q));
  std::string msg = llvm::toString(q.takeError());
  EXPECT_NE(msg.find("element 37"), std::string::npos) << msg;
}

TEST_F(QuantizerTest, RejectsShapeTheGroupDoesNotDivide) {
  std::vector<float> x(2 * 100, 1.0f);
  auto q = quantize(getPreset(&ctx, "int4_g128"), {2, 100}, x);
  ASSERT_FALSE(bool(q));
  std::string msg = llvm::toString(q.takeError());
  EXPECT_NE(msg.find("group size 128 does not divide dimension 1"), std::string::npos) << msg;
}

TEST_F(QuantizerTest, RejectsDataItsScaleTypeCannotRepresent) {
  std::vector<float> x(2 * 32, 1e6f);
  for (const char *name : {"int4_g32", "q4_0"}) {
    auto q = quantize(getPreset(&ctx, name), {2, 32}, x);
    ASSERT_FALSE(bool(q)) << name;
    std::string msg = llvm::toString(q.takeError());
    EXPECT_NE(msg.find("block scale 0 overflows 16-bit float"), std::string::npos) << msg;
  }
}

TEST_F(QuantizerTest, DequantizeRejectsTruncatedBuffers) {
  std::vector<float> x = gaussian(4 * 64, 1), y(x.size());
  auto q = quantize(getPreset(&ctx, "q4_0"), {4, 64}, x);
  ASSERT_TRUE(bool(q));
  q->buffers[0].pop_back();
  llvm::Error err = dequantize(getPreset(&ctx, "q4_0"), {4, 64}, *q, y);
  ASSERT_TRUE(bool(err));
  EXPECT_NE(llvm::toString(std::move(err)).find("bytes"), std::string::npos);
}

/// The spacing of a format's two largest values relative to half its range:
/// one step of the format at the top of its range, for data spanning both
/// signs (an unsigned format with an offset covers [min, max] with its range).
double relativeTopStep(QuantFormatAttrInterface format) {
  HostCodec codec(format);
  double top = codec.maxValue(), below = 0;
  for (uint64_t c = 0, n = uint64_t(1) << format.getBitWidth(); c < n; ++c)
    if (double v = format.decodeHost(c); std::isfinite(v) && v < top)
      below = std::max(below, v);
  return (top - below) / ((top - codec.minValue()) / 2);
}

// Every preset: on Gaussian data the relative RMSE stays below one step of the
// element format at the top of its range (two steps with a power-of-two
// scale, which wastes up to one bit of range). Where that step exceeds 1/2
// (2-bit integers) the data's sigma is below one step and the check is only
// that quantization beats rounding everything to zero (relative RMSE 1) by a
// margin: below 0.75.
static void expectRoundTripWithinPrecision(ArrayRef<std::pair<std::string, SchemeAttr>> schemes) {
  std::vector<float> x = gaussian(8 * 256, 7), y(x.size());
  double power = 0;
  for (float v : x)
    power += double(v) * v;
  for (auto &[name, s] : schemes) {
    auto q = quantize(s, {8, 256}, x);
    ASSERT_TRUE(bool(q)) << name << ": " << llvm::toString(q.takeError());
    ASSERT_FALSE(bool(dequantize(s, {8, 256}, *q, y))) << name;
    double err = 0;
    for (size_t i = 0; i < x.size(); ++i)
      err += (double(y[i]) - x[i]) * (double(y[i]) - x[i]);
    double relRmse = std::sqrt(err / power);
    double bound = relativeTopStep(s.getElement()) * (s.hasSharedExponentScale() ? 2 : 1);
    if (bound > 0.5)
      bound = 0.75;
    EXPECT_LT(relRmse, bound) << name;
  }
}

TEST_F(QuantizerTest, EveryPresetRoundTripsWithinItsPrecision) {
  std::vector<std::pair<std::string, SchemeAttr>> schemes;
  for (StringRef name : getPresetNames())
    schemes.push_back({name.str(), getPreset(&ctx, name)});
  expectRoundTripWithinPrecision(schemes);
}

// Custom schemes exercise every path of the scheme quantizer: each
// granularity, zero points and mins, integer scales under a super-block,
// tensor scales, codebooks.
TEST_F(QuantizerTest, CustomSchemesRoundTripWithinTheirPrecision) {
  const char *texts[] = {
      "element = #qf.int<8>, block = [2, 16], scale = f32",
      "element = #qf.int<8>, scale = f32",
      "element = #qf.int<6>, per_axis = 0, scale = bf16",
      "element = #qf.int<4, unsigned>, group = 4, axis = 0, scale = f16, "
      "zero_point = #qf.int<4, unsigned>",
      "element = #qf.int<4, unsigned>, group = 32, scale = f16, min = f16",
      "element = #qf.int<5, unsigned>, group = 16, scale = #qf.int<6, unsigned>, "
      "min = #qf.int<6, unsigned>, super_block = 128, super_scale = f16",
      "element = #qf.int<4>, group = 16, scale = #qf.int<8, unsigned>, super_block = 256, "
      "super_scale = f32",
      "element = #qf.lut<nf4>, group = 32, scale = bf16",
      "element = #qf.float<e4m3>, group = 64, scale = bf16, tensor_scale = f32",
      "element = #qf.float<e3m2>, group = 32, scale = #qf.float<ue4m3>, tensor_scale = f32",
      "element = #qf.fnuz<e4m3>, group = 32, scale = e8m0",
      "element = #qf.float<e2m1>, group = 32, scale = f16, rounding = nearest_away",
      "element = #qf.ternary, group = 64, scale = f16",
  };
  std::vector<std::pair<std::string, SchemeAttr>> schemes;
  for (const char *text : texts) {
    auto s = dyn_cast_or_null<SchemeAttr>(
        parseAttribute(std::string("#qf.scheme<") + text + ">", &ctx));
    ASSERT_TRUE(s) << text;
    schemes.push_back({text, s});
  }
  expectRoundTripWithinPrecision(schemes);
}

} // namespace
