//===- ModelDescriptionTest.cpp - model.txt: tensors, rotations, entries --===//
#include "runtime/ModelDescription.h"

#include <gtest/gtest.h>

using namespace qforge::runtime;

namespace {
std::string describe(const std::string &tensorLine) {
  return "qforge-model 1\narchitecture llama\nchunks 1 16\n" + tensorLine + "\nend\n";
}
} // namespace

TEST(ModelDescription, RotationsRoundTripAndNameTheirKernels) {
  ModelDescription d;
  d.architecture = "llama";
  d.chunks = {1, 16};
  d.tensors = {{"blk.0.ffn_down.weight", "mxfp4", {576, 1536}, 0, 442368, 32, 7},
               {"output.weight", "q4_0", {259, 64}, 442368, 9324, 64, std::nullopt},
               {"blk.0.attn_qkv.weight", "q8_0", {960, 576}, 451712, 587520, 0, std::nullopt}};
  ModelDescription back;
  std::string error;
  ASSERT_TRUE(ModelDescription::parse(d.serialize(), back, error)) << error;
  ASSERT_EQ(back.tensors.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(back.tensors[i].rotation, d.tensors[i].rotation);
    EXPECT_EQ(back.tensors[i].rotationSeed, d.tensors[i].rotationSeed);
  }
  EXPECT_EQ(matmulEntry(back.tensors[0], 16), "mm_mxfp4_576x1536_h32s7_m16");
  EXPECT_EQ(matmulEntry(back.tensors[1], 1), "mm_q4_0_259x64_h64_m1");
  EXPECT_EQ(matmulEntry(back.tensors[2], 1), "mm_q8_0_960x576_m1");
}

TEST(ModelDescription, MalformedRotationsAreErrorsAtTheirLine) {
  for (const char *rotation : {"hadamard=48", "hadamard=128", "hadamard=32:", "hadamard=x",
                               "hadamard=32:7x", "hadamard=0"}) {
    ModelDescription d;
    std::string error;
    EXPECT_FALSE(ModelDescription::parse(
        describe(std::string("tensor w q4_0 8x64 0 288 ") + rotation), d, error))
        << rotation;
    EXPECT_NE(error.find("line 4: malformed rotation '" + std::string(rotation) + "' of tensor w"),
              std::string::npos)
        << error;
  }
  ModelDescription d;
  std::string error;
  EXPECT_FALSE(ModelDescription::parse(describe("tensor v f32 64 0 256 hadamard=32"), d, error));
  EXPECT_NE(error.find("malformed rotation"), std::string::npos) << error;
}

TEST(ModelDescription, TiledMatricesRoundTripAndNameTheirKernels) {
  ModelDescription d;
  d.architecture = "llama";
  d.chunks = {1};
  d.tensors = {{"blk.0.ffn_down.weight", "q4_k", {576, 1536}, 0, 497664, 0, std::nullopt, true},
               {"blk.0.ffn_up.weight", "q4_0", {1536, 576}, 497664, 497664, 64, 3, true}};
  ModelDescription back;
  std::string error;
  ASSERT_TRUE(ModelDescription::parse(d.serialize(), back, error)) << error;
  ASSERT_EQ(back.tensors.size(), 2u);
  EXPECT_TRUE(back.tensors[0].tiled && back.tensors[1].tiled);
  EXPECT_EQ(back.tensors[1].rotation, 64);
  EXPECT_EQ(matmulEntry(back.tensors[0], 1), "mm_q4_k_tiled_576x1536_m1");
  EXPECT_EQ(matmulEntry(back.tensors[1], 1), "mm_q4_0_tiled_1536x576_h64s3_m1");
}

TEST(ModelDescription, UnknownTensorOptionsAreErrorsAtTheirLine) {
  for (const char *line : {"tensor w q4_0 8x64 0 288 h=32", "tensor w q4_0 8x64 0 288 layout=planar",
                           "tensor w q4_0 8x64 0 288 layout=tiled layout=tiled",
                           "tensor w q4_0 8x64 0 288 hadamard=32 hadamard=32", "tensor v f32 64 0 256 layout=tiled"}) {
    ModelDescription d;
    std::string error;
    EXPECT_FALSE(ModelDescription::parse(describe(line), d, error)) << line;
    EXPECT_NE(error.find("line 4: unknown option"), std::string::npos) << error;
  }
}
