//===- ManifestTest.cpp - Package manifests: operands and their shapes ----===//
#include "runtime/Manifest.h"

#include <gtest/gtest.h>

using namespace qforge::runtime;

namespace {
const char *kHeader = "qforge-package 1\nlibrary kernels.so\n";

bool parse(const std::string &body, Manifest &out, std::string &error) {
  return Manifest::parse(kHeader + body, out, error);
}
} // namespace

TEST(Manifest, StaticOperandTakesExactlyItsBytes) {
  Operand op{"a", "tensor", "f32", {2, 3}};
  std::vector<int64_t> shape;
  EXPECT_TRUE(op.shapeFor(24, shape));
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 3}));
  EXPECT_FALSE(op.shapeFor(28, shape));
  EXPECT_FALSE(op.shapeFor(48, shape));
}

TEST(Manifest, DynamicAxisIsFilledFromTheByteCount) {
  Operand op{"k", "tensor", "f32", {16, Operand::kDynamic}};
  std::vector<int64_t> shape;
  EXPECT_EQ(op.bytes(), 64);
  EXPECT_TRUE(op.shapeFor(64 * 37, shape));
  EXPECT_EQ(shape, (std::vector<int64_t>{16, 37}));
  EXPECT_TRUE(op.shapeFor(0, shape));
  EXPECT_EQ(shape, (std::vector<int64_t>{16, 0}));
  EXPECT_FALSE(op.shapeFor(64 * 37 + 4, shape)) << "not a whole number of columns";
}

TEST(Manifest, DynamicAxisRoundTrips) {
  Manifest m;
  std::string error;
  ASSERT_TRUE(parse("entry attention_16\narg arg0 tensor f32 16\narg arg1 tensor f32 16x?\n"
                    "result result0 tensor f32 16\nend\n",
                    m, error))
      << error;
  EXPECT_EQ(m.entries[0].args[1].shape, (std::vector<int64_t>{16, Operand::kDynamic}));
  EXPECT_NE(m.serialize().find("arg arg1 tensor f32 16x?\n"), std::string::npos);
}

TEST(Manifest, DynamicAxisOnlyOnceAndOnlyOnTensorArguments) {
  Manifest m;
  std::string error;
  for (const char *bad : {"arg a tensor f32 ?x?\n", "arg a buffer u8 ?\n", "result r tensor f32 ?\n"}) {
    EXPECT_FALSE(parse(std::string("entry f\n") + bad + "end\n", m, error)) << bad;
    EXPECT_NE(error.find("manifest line 4: operand"), std::string::npos) << error;
    EXPECT_NE(error.find("only a tensor argument may have a dynamic axis, and only one"),
              std::string::npos)
        << error;
  }
  EXPECT_FALSE(parse("entry f\narg a tensor f32 4x?\nresult r tensor f32 4\nsplit f__block 2 0 2\nend\n",
                     m, error));
  EXPECT_NE(error.find("has a dynamic axis and cannot split"), std::string::npos) << error;
}
