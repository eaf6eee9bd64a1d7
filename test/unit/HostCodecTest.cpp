//===- HostCodecTest.cpp - Properties of the table-driven encoder ----------===//
#include "TestFormats.h"

#include "qf/Reference/HostCodec.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mlir;
using namespace mlir::qf;

namespace {

class HostCodecTest : public ::testing::TestWithParam<std::string> {
protected:
  HostCodecTest() { ctx.loadDialect<QfDialect>(); }
  MLIRContext ctx;
};

TEST_P(HostCodecTest, EveryValueEncodesToItself) {
  qf::QuantFormatAttrInterface format = qforge::testing::parseFormat(ctx, GetParam());
  HostCodec codec(format);
  for (uint64_t c = 0, n = uint64_t(1) << format.getBitWidth(); c < n; ++c) {
    double v = format.decodeHost(c);
    if (!std::isfinite(v))
      continue;
    uint64_t back = codec.encode(v, RoundingMode::nearest_even, true);
    EXPECT_EQ(codec.decode(back), v) << GetParam() << " code " << c;
    EXPECT_EQ(std::signbit(codec.decode(back)), std::signbit(v)) << GetParam() << " code " << c;
  }
}

TEST_P(HostCodecTest, EncodeIsMonotoneAndNearest) {
  qf::QuantFormatAttrInterface format = qforge::testing::parseFormat(ctx, GetParam());
  HostCodec codec(format);
  double lo = codec.minValue(), hi = codec.maxValue();
  double prev = -INFINITY;
  for (int i = 0; i <= 4000; ++i) {
    double x = lo + (hi - lo) * i / 4000.0;
    double y = codec.decode(codec.encode(x, RoundingMode::nearest_even, true));
    EXPECT_GE(y, prev) << GetParam() << " at " << x;
    prev = y;
    // No representable value is strictly nearer than the chosen one.
    for (uint64_t c = 0, n = uint64_t(1) << format.getBitWidth(); c < n; ++c) {
      double v = format.decodeHost(c);
      if (std::isfinite(v))
        EXPECT_LE(std::fabs(y - x), std::fabs(v - x)) << GetParam() << " at " << x;
    }
  }
}

TEST_P(HostCodecTest, SaturatesOutOfRange) {
  qf::QuantFormatAttrInterface format = qforge::testing::parseFormat(ctx, GetParam());
  HostCodec codec(format);
  EXPECT_EQ(codec.decode(codec.encode(1e300, RoundingMode::nearest_even, true)), codec.maxValue());
  EXPECT_EQ(codec.decode(codec.encode(-1e300, RoundingMode::nearest_even, true)), codec.minValue());
}

INSTANTIATE_TEST_SUITE_P(AllFormats, HostCodecTest,
                         ::testing::ValuesIn(qforge::testing::allFormatSpellings()));

TEST(HostCodecRounding, TieRulesOnE2M1) {
  MLIRContext ctx;
  ctx.loadDialect<QfDialect>();
  HostCodec codec(qforge::testing::parseFormat(ctx, "#qf.float<e2m1>"));
  auto enc = [&](double x, RoundingMode m) { return codec.decode(codec.encode(x, m, true)); };
  // 1.25 lies between 1.0 (even significand) and 1.5; 1.75 between 1.5 and 2.0.
  EXPECT_EQ(enc(1.25, RoundingMode::nearest_even), 1.0);
  EXPECT_EQ(enc(1.75, RoundingMode::nearest_even), 2.0);
  EXPECT_EQ(enc(1.25, RoundingMode::nearest_away), 1.5);
  EXPECT_EQ(enc(-1.25, RoundingMode::nearest_away), -1.5);
  EXPECT_EQ(enc(-1.25, RoundingMode::nearest_up), -1.0);
  EXPECT_EQ(enc(1.75, RoundingMode::nearest_lowest_code), 1.5);
  EXPECT_EQ(enc(1.9, RoundingMode::toward_zero), 1.5);
  EXPECT_EQ(enc(-1.9, RoundingMode::toward_zero), -1.5);
  // Negative values rounding to zero keep their sign, except under ggml's
  // lowest-code rule.
  EXPECT_TRUE(std::signbit(enc(-0.1, RoundingMode::nearest_even)));
  EXPECT_FALSE(std::signbit(enc(-0.1, RoundingMode::nearest_lowest_code)));
}

TEST(HostCodecRounding, NaNWithoutNaNCodeGivesTheCodeNearestZero) {
  MLIRContext ctx;
  ctx.loadDialect<QfDialect>();
  for (const char *text : {"#qf.lut<nf4>", "#qf.lut<iq4_nl>", "#qf.ternary", "#qf.float<e2m1>"}) {
    HostCodec codec(qforge::testing::parseFormat(ctx, text));
    double v = codec.decode(codec.encode(NAN, RoundingMode::nearest_even, true));
    for (uint64_t c = 0; c < 16; ++c)
      if (double w = codec.decode(c); std::isfinite(w))
        EXPECT_LE(std::fabs(v), std::fabs(w)) << text;
  }
}

TEST(HostCodecRounding, NonSaturatingOverflow) {
  MLIRContext ctx;
  ctx.loadDialect<QfDialect>();
  HostCodec e4m3(qforge::testing::parseFormat(ctx, "#qf.float<e4m3>"));
  HostCodec e5m2(qforge::testing::parseFormat(ctx, "#qf.float<e5m2>"));
  // 464 is the tie between 448 (even) and the first value past e4m3's range.
  EXPECT_EQ(e4m3.decode(e4m3.encode(464, RoundingMode::nearest_even, false)), 448);
  EXPECT_TRUE(std::isnan(e4m3.decode(e4m3.encode(465, RoundingMode::nearest_even, false))));
  EXPECT_TRUE(std::isinf(e5m2.decode(e5m2.encode(70000, RoundingMode::nearest_even, false))));
  EXPECT_EQ(e5m2.decode(e5m2.encode(70000, RoundingMode::nearest_even, true)), 57344);
  // The sign survives overflow (as in ml_dtypes: -NaN is 0xFF).
  EXPECT_EQ(e4m3.encode(-1e6, RoundingMode::nearest_even, false), 0xFFu);
  // Truncation never rounds a finite value up to infinity, but infinity stays.
  EXPECT_EQ(e5m2.decode(e5m2.encode(70000, RoundingMode::toward_zero, false)), 57344);
  EXPECT_TRUE(std::isinf(e5m2.decode(e5m2.encode(INFINITY, RoundingMode::toward_zero, false))));
}

} // namespace
