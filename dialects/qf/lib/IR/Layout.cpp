//===- Layout.cpp - The physical storage of a quantized tensor ------------===//
#include "qf/IR/Layout.h"
#include "qf/IR/Presets.h"

using namespace mlir;
using namespace mlir::qf;

int64_t StorageLayout::totalBytes() const {
  int64_t total = 0;
  for (const StorageBuffer &b : buffers)
    total += b.bytes;
  return total;
}

int64_t BlockGrid::numBlocks() const {
  int64_t n = 1;
  for (auto [s, b] : llvm::zip(shape, blockShape))
    n *= s / b;
  return n;
}

int64_t BlockGrid::blockSize() const {
  int64_t n = 1;
  for (int64_t b : blockShape)
    n *= b;
  return n;
}

void BlockGrid::elementsOf(int64_t block, SmallVectorImpl<int64_t> &out) const {
  size_t rank = shape.size();
  SmallVector<int64_t> origin(rank), strides(rank, 1);
  for (size_t d = rank; d-- > 0;) {
    int64_t gridDim = shape[d] / blockShape[d];
    origin[d] = (block % gridDim) * blockShape[d];
    block /= gridDim;
    if (d + 1 < rank)
      strides[d] = strides[d + 1] * shape[d + 1];
  }
  out.clear();
  SmallVector<int64_t> idx(rank, 0);
  for (int64_t i = 0, n = blockSize(); i < n; ++i) {
    int64_t linear = 0;
    for (size_t d = 0; d < rank; ++d)
      linear += (origin[d] + idx[d]) * strides[d];
    out.push_back(linear);
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < blockShape[d])
        break;
      idx[d] = 0;
    }
  }
}

static int64_t normalizeAxis(int64_t axis, size_t rank) {
  return axis < 0 ? static_cast<int64_t>(rank) + axis : axis;
}

BlockGrid mlir::qf::getBlockGrid(SchemeAttr scheme, ArrayRef<int64_t> shape) {
  BlockGrid grid;
  grid.shape.assign(shape.begin(), shape.end());
  size_t rank = shape.size();
  switch (scheme.getGranularity()) {
  case Granularity::tensor:
    grid.blockShape.assign(shape.begin(), shape.end());
    break;
  case Granularity::per_axis:
    grid.blockShape.assign(shape.begin(), shape.end());
    grid.blockShape[scheme.getAxis()] = 1;
    break;
  case Granularity::group:
    grid.blockShape.assign(rank, 1);
    grid.blockShape[normalizeAxis(scheme.getAxis(), rank)] = scheme.getBlockShape()[0];
    break;
  case Granularity::block:
    grid.blockShape.assign(rank, 1);
    grid.blockShape[rank - 2] = scheme.getBlockShape()[0];
    grid.blockShape[rank - 1] = scheme.getBlockShape()[1];
    break;
  }
  return grid;
}

int64_t mlir::qf::getBlocksPerSuperBlock(SchemeAttr scheme) {
  return scheme.getSuperBlock() ? scheme.getSuperBlock() / scheme.getGroupSize() : 0;
}

std::optional<GgmlBlockType> mlir::qf::getGgmlBlockType(SchemeAttr scheme) {
  static const GgmlBlockType kTypes[] = {
      {2, "q4_0", 32, 18},  {3, "q4_1", 32, 20},   {8, "q8_0", 32, 34},
      {12, "q4_k", 256, 144}, {20, "iq4_nl", 32, 18}, {39, "mxfp4_ggml", 32, 17}};
  for (const GgmlBlockType &t : kTypes)
    if (getPreset(scheme.getContext(), t.name) == scheme)
      return t;
  return std::nullopt;
}

static unsigned bitsOf(Attribute typeOrFormat) {
  if (auto t = dyn_cast<TypeAttr>(typeOrFormat))
    return t.getValue().getIntOrFloatBitWidth();
  return cast<QuantFormatAttrInterface>(typeOrFormat).getBitWidth();
}

int64_t mlir::qf::getTileElements(SchemeAttr scheme, int64_t k) {
  int64_t group = scheme.getGroupSize(), superBlock = scheme.getSuperBlock();
  unsigned bits = scheme.getElement().getBitWidth();
  if (!group)
    return 0;
  for (int64_t t : {256, 128, 64, 32})
    if (k % t == 0 && t % group == 0 && (!superBlock || t % superBlock == 0) && t * bits % 8 == 0)
      return t;
  return 0;
}

const TilePart *TileLayout::find(StringRef name) const {
  for (const TilePart &p : parts)
    if (p.name == name)
      return &p;
  return nullptr;
}

TileLayout mlir::qf::getTileLayout(SchemeAttr scheme, int64_t k) {
  TileLayout tile;
  tile.elements = getTileElements(scheme, k);
  assert(tile.elements && "no tile fits these rows");
  auto add = [&](StringRef name, int64_t count, unsigned bits) {
    tile.parts.push_back({name.str(), tile.bytes, count, bits});
    tile.bytes += (count * bits + 7) / 8;
  };
  auto wholeBytes = [](unsigned bits) { return (bits + 7) / 8 * 8; };
  int64_t blocks = tile.elements / scheme.getGroupSize();
  add("data", tile.elements, scheme.getElement().getBitWidth());
  add("scales", blocks, wholeBytes(scheme.getScaleBits()));
  if (scheme.getOffset() != OffsetKind::none)
    add("offsets", blocks, wholeBytes(bitsOf(scheme.getOffsetFormat())));
  if (int64_t per = getBlocksPerSuperBlock(scheme)) {
    unsigned superBits = scheme.getSuperScaleType().getIntOrFloatBitWidth();
    add("super_scales", blocks / per, superBits);
    if (scheme.getOffset() == OffsetKind::min && isa<IntFormatAttr>(scheme.getOffsetFormat()))
      add("super_offsets", blocks / per, superBits);
  }
  return tile;
}

StorageLayout mlir::qf::getStorageLayout(SchemeAttr scheme, ArrayRef<int64_t> shape) {
  StorageLayout layout;
  int64_t numel = 1;
  for (int64_t s : shape)
    numel *= s;
  auto add = [&](StringRef name, int64_t count, unsigned bits) {
    layout.buffers.push_back({name.str(), count, bits, (count * bits + 7) / 8});
  };
  if (scheme.getLayout() == LayoutKind::ggml) {
    std::optional<GgmlBlockType> t = getGgmlBlockType(scheme);
    assert(t && "verified ggml schemes are GGUF block types");
    int64_t blocks = numel / t->blockElements;
    layout.buffers.push_back({"blocks", blocks, unsigned(t->blockBytes * 8), blocks * t->blockBytes});
    return layout;
  }
  if (scheme.getLayout() == LayoutKind::tiled) {
    TileLayout tile = getTileLayout(scheme, shape.back());
    int64_t tiles = numel / tile.elements;
    layout.buffers.push_back({"tiles", tiles, unsigned(tile.bytes * 8), tiles * tile.bytes});
    if (Type t = scheme.getTensorScaleType())
      add("tensor_scale", 1, t.getIntOrFloatBitWidth());
    return layout;
  }
  int64_t blocks = getBlockGrid(scheme, shape).numBlocks();
  add("data", numel, scheme.getElement().getBitWidth());
  add("scales", blocks, scheme.getScaleBits());
  if (scheme.getOffset() != OffsetKind::none)
    add("offsets", blocks, bitsOf(scheme.getOffsetFormat()));
  if (int64_t per = getBlocksPerSuperBlock(scheme)) {
    unsigned superBits = scheme.getSuperScaleType().getIntOrFloatBitWidth();
    add("super_scales", blocks / per, superBits);
    if (scheme.getOffset() == OffsetKind::min && isa<IntFormatAttr>(scheme.getOffsetFormat()))
      add("super_offsets", blocks / per, superBits);
  }
  if (Type t = scheme.getTensorScaleType())
    add("tensor_scale", 1, t.getIntOrFloatBitWidth());
  return layout;
}

double mlir::qf::getBitsPerElement(SchemeAttr scheme, ArrayRef<int64_t> shape) {
  int64_t numel = 1;
  for (int64_t s : shape)
    numel *= s;
  return 8.0 * getStorageLayout(scheme, shape).totalBytes() / double(numel);
}
