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

namespace {

class TiledLayoutTest : public QuantizerTest {};

// Every preset grouped along K, in tiles: quantizing to tiles gives the items
// of the preset's own quantization (relayout of its storage, byte for byte),
// and the same values back; relayout to the preset's layout restores its
// bytes (ggml's quantizer never picks mxfp4's -0 code).
TEST_F(TiledLayoutTest, QuantizesAsItsPresetDoes) {
  std::vector<float> x = gaussian(6 * 512, 3), want(x.size()), got(x.size());
  int tested = 0;
  for (StringRef name : getPresetNames()) {
    SchemeAttr base = getPreset(&ctx, name);
    if (base.getGranularity() != Granularity::group)
      continue;
    SchemeAttr tiled = base.withLayout(LayoutKind::tiled);
    auto q = quantize(base, {6, 512}, x);
    auto t = quantize(tiled, {6, 512}, x);
    ASSERT_TRUE(q && t) << name.str();
    auto repacked = relayout(base, tiled, {6, 512}, *q);
    ASSERT_TRUE(bool(repacked)) << name.str() << ": " << llvm::toString(repacked.takeError());
    EXPECT_EQ(repacked->buffers, t->buffers) << name.str();
    ASSERT_FALSE(bool(dequantize(base, {6, 512}, *q, want)));
    ASSERT_FALSE(bool(dequantize(tiled, {6, 512}, *t, got)));
    EXPECT_EQ(want, got) << name.str();
    auto back = relayout(tiled, base, {6, 512}, *t);
    ASSERT_TRUE(bool(back));
    EXPECT_EQ(back->buffers, q->buffers) << name.str();
    ++tested;
  }
  EXPECT_EQ(tested, 38); // all but the per-channel fp8_e4m3 and fp8_e5m2
}

// ggml's mxfp4 stores -0 (code 8), which its value table reads as +0: in
// tiles it is +0 (code 0), the same value.
TEST_F(TiledLayoutTest, GgmlNegativeZeroBecomesPositiveZero) {
  SchemeAttr ggml = getPreset(&ctx, "mxfp4_ggml"), tiled = ggml.withLayout(LayoutKind::tiled);
  QuantizedTensor q{getStorageLayout(ggml, {1, 32}), {std::vector<uint8_t>(17, 0x88)}};
  q.buffers[0][0] = 127; // scale 1
  auto t = relayout(ggml, tiled, {1, 32}, q);
  ASSERT_TRUE(bool(t));
  std::vector<float> y(32, 1.0f);
  ASSERT_FALSE(bool(dequantize(tiled, {1, 32}, *t, y)));
  for (float v : y)
    EXPECT_TRUE(v == 0.0f && !std::signbit(v));
  EXPECT_EQ(t->buffers[0][0], 0); // codes 0 and 0
}

// A whole byte holds a 6-bit q4_k scale: its two top bits are not part of the
// item, and every reader ignores them alike (the kernels' test is
// test_tiled_layout.py).
TEST_F(TiledLayoutTest, BitsAboveAnItemAreIgnored) {
  SchemeAttr tiled = getPreset(&ctx, "q4_k").withLayout(LayoutKind::tiled);
  std::vector<float> x = gaussian(256, 5), y(256), z(256);
  auto q = quantize(tiled, {1, 256}, x);
  ASSERT_TRUE(bool(q));
  ASSERT_FALSE(bool(dequantize(tiled, {1, 256}, *q, y)));
  for (int i = 128; i < 144; ++i) // scales and mins
    q->buffers[0][i] |= 0xC0;
  ASSERT_FALSE(bool(dequantize(tiled, {1, 256}, *q, z)));
  EXPECT_EQ(y, z);
}

TEST_F(TiledLayoutTest, RelayoutChecksItsInput) {
  SchemeAttr q40 = getPreset(&ctx, "q4_0"), tiled = q40.withLayout(LayoutKind::tiled);
  auto q = quantize(q40, {2, 64}, gaussian(128, 9));
  ASSERT_TRUE(bool(q));
  auto other = relayout(q40, getPreset(&ctx, "int4_g32").withLayout(LayoutKind::tiled), {2, 64}, *q);
  ASSERT_FALSE(bool(other));
  EXPECT_NE(llvm::toString(other.takeError()).find("changes the layout only"), std::string::npos);
  q->buffers[0].pop_back();
  auto truncated = relayout(q40, tiled, {2, 64}, *q);
  ASSERT_FALSE(bool(truncated));
  EXPECT_NE(llvm::toString(truncated.takeError()).find("the layout needs 72"), std::string::npos);
  auto noTile = relayout(getPreset(&ctx, "nvfp4"), getPreset(&ctx, "nvfp4").withLayout(LayoutKind::tiled),
                         {2, 48}, QuantizedTensor{});
  ASSERT_FALSE(bool(noTile));
  EXPECT_NE(llvm::toString(noTile.takeError()).find("layout = tiled needs a tile"), std::string::npos);
}

} // namespace
