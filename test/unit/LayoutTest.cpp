//===- LayoutTest.cpp - Storage sizes and block geometry -------------------===//
#include "qf/IR/Layout.h"
#include "qf/IR/Presets.h"

#include "mlir/AsmParser/AsmParser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::qf;

namespace {

class LayoutTest : public ::testing::Test {
protected:
  LayoutTest() { ctx.loadDialect<QfDialect>(); }
  SchemeAttr preset(StringRef name) { return getPreset(&ctx, name); }
  MLIRContext ctx;
};

TEST_F(LayoutTest, GgufBlockSizes) {
  // ggml's type sizes: bytes per block of 32 (256 for q4_k).
  struct Case {
    const char *name;
    int64_t bytesPer4096x256;
  } cases[] = {{"q4_0", 4096 * 256 / 32 * 18}, {"q4_1", 4096 * 256 / 32 * 20},
               {"q8_0", 4096 * 256 / 32 * 34}, {"q4_k", 4096 * 256 / 256 * 144},
               {"iq4_nl", 4096 * 256 / 32 * 18}, {"mxfp4_ggml", 4096 * 256 / 32 * 17}};
  for (const Case &c : cases) {
    StorageLayout l = getStorageLayout(preset(c.name), {4096, 256});
    ASSERT_EQ(l.buffers.size(), 1u) << c.name;
    EXPECT_EQ(l.buffers[0].name, "blocks");
    EXPECT_EQ(l.totalBytes(), c.bytesPer4096x256) << c.name;
  }
}

TEST_F(LayoutTest, BitsPerWeight) {
  EXPECT_DOUBLE_EQ(getBitsPerElement(preset("mxfp4"), {64, 128}), 4.25);
  EXPECT_DOUBLE_EQ(getBitsPerElement(preset("nvfp4"), {64, 128}), 4.5 + 32.0 / (64 * 128));
  EXPECT_DOUBLE_EQ(getBitsPerElement(preset("mxfp6_e2m3"), {64, 128}), 6.25);
  EXPECT_DOUBLE_EQ(getBitsPerElement(preset("int4_g128"), {64, 128}), 4.125);
  EXPECT_DOUBLE_EQ(getBitsPerElement(preset("int4_g128_asym"), {64, 128}), 4.15625);
  EXPECT_DOUBLE_EQ(getBitsPerElement(preset("q4_k"), {64, 256}), 4.5);
  EXPECT_DOUBLE_EQ(getBitsPerElement(preset("fp8_e4m3"), {64, 128}), 8 + 32.0 / 128);
}

TEST_F(LayoutTest, PlanarBufferOrder) {
  StorageLayout l = getStorageLayout(preset("nvfp4"), {4, 64});
  ASSERT_EQ(l.buffers.size(), 3u);
  EXPECT_EQ(l.buffers[0].name, "data");
  EXPECT_EQ(l.buffers[0].bytes, 128);
  EXPECT_EQ(l.buffers[1].name, "scales");
  EXPECT_EQ(l.buffers[1].count, 16);
  EXPECT_EQ(l.buffers[2].name, "tensor_scale");
  EXPECT_EQ(l.buffers[2].bytes, 4);
}

TEST_F(LayoutTest, BlockGridCoversEveryElementOnce) {
  Attribute parsed = parseAttribute(
      "#qf.scheme<element = #qf.int<8>, block = [2, 4], scale = f32>", &ctx);
  for (SchemeAttr s : {preset("int4_g32"), preset("fp8_e4m3"), cast<SchemeAttr>(parsed)}) {
    BlockGrid grid = getBlockGrid(s, {6, 64});
    std::vector<int> seen(6 * 64, 0);
    SmallVector<int64_t> idx;
    for (int64_t b = 0; b < grid.numBlocks(); ++b) {
      grid.elementsOf(b, idx);
      EXPECT_EQ(int64_t(idx.size()), grid.blockSize());
      for (int64_t i : idx)
        ++seen[i];
    }
    for (int v : seen)
      EXPECT_EQ(v, 1);
  }
}

TEST_F(LayoutTest, GroupAlongFirstAxis) {
  Attribute parsed = parseAttribute(
      "#qf.scheme<element = #qf.int<4>, group = 2, axis = 0, scale = f16>", &ctx);
  BlockGrid grid = getBlockGrid(cast<SchemeAttr>(parsed), {4, 3});
  SmallVector<int64_t> idx;
  grid.elementsOf(1, idx); // rows 0-1, column 1
  EXPECT_EQ(idx, (SmallVector<int64_t>{1, 4}));
  grid.elementsOf(3, idx); // rows 2-3, column 0
  EXPECT_EQ(idx, (SmallVector<int64_t>{6, 9}));
}

TEST_F(LayoutTest, TilesHoldTheirCodesThenTheirBlocksItems) {
  struct Case {
    const char *name;
    int64_t k, elements, bytes;
    std::vector<std::pair<std::string, int64_t>> parts; ///< name, offset
  } cases[] = {
      // 128 bytes of codes, 8 f16 scales.
      {"int4_g32", 4096, 256, 144, {{"data", 0}, {"scales", 128}}},
      // q4_k's 6-bit scales and mins a byte each, then d and dmin.
      {"q4_k", 512, 256, 148, {{"data", 0}, {"scales", 128}, {"offsets", 136}, {"super_scales", 144}, {"super_offsets", 146}}},
      // K = 384 takes tiles of 128: one group, its 4-bit zero point in a byte.
      {"int4_g128_asym", 384, 128, 67, {{"data", 0}, {"scales", 64}, {"offsets", 66}}},
      // K = 576 takes tiles of 64; the tensor scale is not in them.
      {"nvfp4", 576, 64, 36, {{"data", 0}, {"scales", 32}}},
      {"q8_0", 4096, 256, 272, {{"data", 0}, {"scales", 256}}},
  };
  for (const Case &c : cases) {
    SchemeAttr tiled = preset(c.name).withLayout(LayoutKind::tiled);
    TileLayout tile = getTileLayout(tiled, c.k);
    EXPECT_EQ(tile.elements, c.elements) << c.name;
    EXPECT_EQ(tile.bytes, c.bytes) << c.name;
    ASSERT_EQ(tile.parts.size(), c.parts.size()) << c.name;
    for (auto [part, want] : llvm::zip(tile.parts, c.parts)) {
      EXPECT_EQ(part.name, want.first) << c.name;
      EXPECT_EQ(part.offset, want.second) << c.name << " " << want.first;
    }
    StorageLayout l = getStorageLayout(tiled, {8, c.k});
    EXPECT_EQ(l.buffers.front().name, "tiles");
    EXPECT_EQ(l.buffers.front().bytes, 8 * c.k / c.elements * c.bytes) << c.name;
    EXPECT_EQ(l.buffers.size(), std::string(c.name) == "nvfp4" ? 2u : 1u) << c.name;
  }
}

TEST_F(LayoutTest, NoTileWithoutWholeGroupsInIt) {
  SchemeAttr tiled = preset("int4_g128").withLayout(LayoutKind::tiled);
  EXPECT_EQ(getTileElements(tiled, 384), 128);
  EXPECT_EQ(getTileElements(tiled, 128 * 3 + 64), 0);
  EXPECT_EQ(getTileElements(preset("fp8_e4m3").withLayout(LayoutKind::tiled), 256), 0); // per channel
}

} // namespace
