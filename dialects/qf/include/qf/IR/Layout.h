//===- Layout.h - The physical storage of a quantized tensor --------------===//
//
// The one place that decides how a !qf.qtensor is stored in bytes. Everything
// that reads or writes storage (the host reference, lowering, runtime, the
// GGUF frontend) goes through this description.
//
// planar layout, buffers in this order (absent ones are omitted):
//   data          element codes in row-major order, bit-packed LSB first
//                 (two 4-bit codes per byte, low nibble first; 6-bit codes
//                 four per three bytes; 8-bit one per byte)
//   scales        one per block, row-major over the block grid; float types
//                 little-endian, formats as codes bit-packed like data
//   offsets       zero points / mins, same order and packing as scales
//   super_scales  one per super-block (second level), little-endian float
//   super_offsets one per super-block, for mins with a second level
//   tensor_scale  one little-endian float
//
// ggml layout: a single buffer `blocks` holding GGUF blocks back to back, bit
// for bit the ggml type (q4_0, q4_1, q8_0, q4_k, iq4_nl, mxfp4).
//
// tiled layout (weights repacked for the CPU kernels: one stream to read, as
// GGUF blocks are, with the codes and scales of a kernel step side by side):
// a rank-2 scheme grouped along K; each row's K axis in tiles of T elements
// (getTileElements), and one buffer `tiles` holding tile after tile, row
// after row. A tile holds the items of its T elements that the planar
// buffers hold, in their order: codes packed as `data` is, then block scales,
// offsets, super scales and super offsets, each item in whole bytes (little
// endian). A tensor scale stays a buffer `tensor_scale` of its own.
//===----------------------------------------------------------------------===//
#ifndef QF_IR_LAYOUT_H
#define QF_IR_LAYOUT_H

#include "qf/IR/Qf.h"

namespace mlir::qf {

struct StorageBuffer {
  std::string name;
  int64_t count = 0;     ///< number of items (codes, scales, ...)
  unsigned itemBits = 0; ///< bits per item as stored
  int64_t bytes = 0;
};

/// A GGUF block type id (ggml_type) and its block geometry.
struct GgmlBlockType {
  unsigned ggmlType = 0;
  llvm::StringRef name;
  int64_t blockElements = 0;
  int64_t blockBytes = 0;
};

struct StorageLayout {
  llvm::SmallVector<StorageBuffer> buffers;
  int64_t totalBytes() const;
};

/// Blocks of a scheme over a shape: how many, and the element indices of each.
struct BlockGrid {
  llvm::SmallVector<int64_t> shape;      ///< tensor shape
  llvm::SmallVector<int64_t> blockShape; ///< extent of one block per dim
  int64_t numBlocks() const;
  int64_t blockSize() const;
  /// Row-major element indices of block `b` (row-major over the grid).
  void elementsOf(int64_t block, llvm::SmallVectorImpl<int64_t> &out) const;
};

BlockGrid getBlockGrid(SchemeAttr scheme, llvm::ArrayRef<int64_t> shape);

/// Number of blocks that share one super scale (0 if no super-block level).
int64_t getBlocksPerSuperBlock(SchemeAttr scheme);

/// The GGUF block type a ggml-layout scheme is; none if not a GGUF type.
std::optional<GgmlBlockType> getGgmlBlockType(SchemeAttr scheme);

StorageLayout getStorageLayout(SchemeAttr scheme, llvm::ArrayRef<int64_t> shape);

/// The items of one planar buffer that a tile holds.
struct TilePart {
  std::string name;      ///< the planar buffer: data, scales, offsets, super_scales, super_offsets
  int64_t offset = 0;    ///< bytes from the tile's start
  int64_t count = 0;     ///< items in a tile
  unsigned itemBits = 0; ///< bits an item takes in the tile: the element's for data, whole bytes otherwise
};

/// One tile of a tiled-layout scheme.
struct TileLayout {
  int64_t elements = 0; ///< along K
  int64_t bytes = 0;
  llvm::SmallVector<TilePart> parts;
  /// The part holding planar buffer `name`; null if the scheme has none.
  const TilePart *find(llvm::StringRef name) const;
};

/// Elements a tile takes along K = k: the largest of 256, 128, 64 and 32
/// that divides k and is a multiple of the group and of the super-block, so
/// that a tile holds whole blocks; 0 when none is.
int64_t getTileElements(SchemeAttr scheme, int64_t k);

/// The tile of `scheme` over rows of k elements (getTileElements(k) != 0).
TileLayout getTileLayout(SchemeAttr scheme, int64_t k);

/// Storage bits per element, all buffers counted.
double getBitsPerElement(SchemeAttr scheme, llvm::ArrayRef<int64_t> shape);

} // namespace mlir::qf

#endif // QF_IR_LAYOUT_H
