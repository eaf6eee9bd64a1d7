//===- StorageAccess.h - IR that reads a qtensor's packed storage ----------===//
//
// The IR counterpart of the host dequantizer: given the storage tensors of a
// !qf.qtensor (one tensor<Nxi8> per buffer of its layout), emit the decoded
// value of the element at given indices. Element and scale decodes come from
// the format interface; where bytes live comes from qf/IR/Layout.h.
//===----------------------------------------------------------------------===//
#ifndef QFORGE_PASSES_STORAGEACCESS_H
#define QFORGE_PASSES_STORAGEACCESS_H

#include "qf/IR/Layout.h"

namespace mlir::qf {

class StorageAccess {
public:
  StorageAccess(QTensorType type, ValueRange buffers);

  /// The f32 value of the element at `indices` (one index value per dim).
  Value emitDequantized(OpBuilder &b, Location loc, ValueRange indices) const;

  /// Whether emitChunk handles this rank-2 qtensor: 4- or 8-bit elements,
  /// one scale per run of a multiple of 16 elements along the last axis
  /// (groups or rows), no super-blocks; and the GGUF block types.
  static bool supportsChunks(QTensorType type);

  /// Elements per vector chunk: 32, or 16 where scale blocks are 16 long.
  int64_t getChunkSize() const;

  /// What multiplies and offsets the decoded elements of a block.
  struct BlockTerms {
    Value scale;
    Value zeroPoint; ///< subtracted before scaling (null if none)
    Value min;       ///< added after scaling (null if none)
  };

  /// Elements along K that share one scale (a multiple of kChunk).
  int64_t getChunkBlockSize() const;

  /// The terms of the block holding element (row, k), splat to a chunk.
  BlockTerms emitChunkTerms(OpBuilder &b, Location loc, Value row, Value k) const;

  /// The f32 values of elements [k0, k0 + chunk) of row `row` as a vector,
  /// with the terms of their block applied; `k0` is a multiple of the chunk.
  Value emitChunk(OpBuilder &b, Location loc, Value row, Value k0,
                  const BlockTerms &terms) const;

private:
  BlockTerms emitPlanarTerms(OpBuilder &b, Location loc, ValueRange indices) const;
  Value buffer(llvm::StringRef name) const;
  Value emitPlanar(OpBuilder &b, Location loc, ValueRange indices) const;
  Value emitGgml(OpBuilder &b, Location loc, ValueRange indices) const;

  QTensorType type;
  SchemeAttr scheme;
  StorageLayout layout;
  SmallVector<Value> buffers;
};

} // namespace mlir::qf

#endif // QFORGE_PASSES_STORAGEACCESS_H
