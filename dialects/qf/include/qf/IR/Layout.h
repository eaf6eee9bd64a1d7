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

/// Storage bits per element, all buffers counted.
double getBitsPerElement(SchemeAttr scheme, llvm::ArrayRef<int64_t> shape);

} // namespace mlir::qf

#endif // QF_IR_LAYOUT_H
