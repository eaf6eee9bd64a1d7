//===- Tiles.cpp - The tiled layout: planar items regrouped tile by tile ----===//
//
// Each part of a tile (qf/IR/Layout.h) holds `count` consecutive items of one
// planar buffer; tile t of the tensor holds items [t * count, (t + 1) * count)
// of each, since every buffer's items run row-major along K.
//===----------------------------------------------------------------------===//
#include "Unpacked.h"

using namespace mlir;
using namespace mlir::qf;
using namespace mlir::qf::detail;

namespace {

/// The unpacked items that `part` holds.
template <typename U>
auto *itemsOf(U &u, const TilePart &part) {
  StringRef n = part.name;
  return n == "data"           ? &u.codes
         : n == "scales"       ? &u.scales
         : n == "offsets"      ? &u.offsets
         : n == "super_scales" ? &u.superScales
                               : &u.superOffsets;
}

/// Bits an item has in the planar layout (a tile may give it more).
unsigned planarBits(const StorageLayout &planar, const TilePart &part) {
  for (const StorageBuffer &b : planar.buffers)
    if (b.name == part.name)
      return b.itemBits;
  llvm_unreachable("a tile part is a planar buffer");
}

} // namespace

std::vector<uint8_t> mlir::qf::detail::packTiles(SchemeAttr scheme, ArrayRef<int64_t> shape,
                                                 const Unpacked &u) {
  TileLayout tile = getTileLayout(scheme, shape[1]);
  int64_t tiles = shape[0] * shape[1] / tile.elements;
  std::vector<uint8_t> out(tiles * tile.bytes, 0);
  for (const TilePart &part : tile.parts) {
    ArrayRef<uint64_t> items = *itemsOf(u, part);
    for (int64_t t = 0; t < tiles; ++t) {
      std::vector<uint8_t> bytes = packBits(items.slice(t * part.count, part.count), part.itemBits);
      std::copy(bytes.begin(), bytes.end(), out.begin() + t * tile.bytes + part.offset);
    }
  }
  return out;
}

Unpacked mlir::qf::detail::unpackTiles(SchemeAttr scheme, ArrayRef<int64_t> shape,
                                       ArrayRef<uint8_t> bytes) {
  TileLayout tile = getTileLayout(scheme, shape[1]);
  StorageLayout planar = getStorageLayout(scheme.withLayout(LayoutKind::planar), shape);
  int64_t tiles = shape[0] * shape[1] / tile.elements;
  Unpacked u;
  for (const TilePart &part : tile.parts) {
    std::vector<uint64_t> &items = *itemsOf(u, part);
    // Bits of a whole-byte item above the item's own width are not part of it.
    uint64_t mask = (uint64_t(1) << planarBits(planar, part)) - 1;
    for (int64_t t = 0; t < tiles; ++t) {
      int64_t at = t * tile.bytes + part.offset;
      for (uint64_t item : unpackBits(bytes.slice(at, (part.count * part.itemBits + 7) / 8), part.count,
                                      part.itemBits))
        items.push_back(item & mask);
    }
  }
  return u;
}
