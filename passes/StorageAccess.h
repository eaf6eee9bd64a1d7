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

  QTensorType getType() const { return type; }

  /// The f32 value of the element at `indices` (one index value per dim).
  Value emitDequantized(OpBuilder &b, Location loc, ValueRange indices) const;

  /// Whether emitChunk handles this rank-2 qtensor: 4- or 8-bit elements,
  /// one scale per run of a multiple of 16 elements along the last axis
  /// (groups or rows), no super-blocks; and the GGUF block types.
  static bool supportsChunks(QTensorType type);

  /// Elements per vector chunk: 32, or 16 where scale blocks are 16 long.
  int64_t getChunkSize() const { return getChunkSize(type); }
  static int64_t getChunkSize(QTensorType type);

  /// What multiplies and offsets the decoded elements of a block.
  struct BlockTerms {
    Value scale;
    Value zeroPoint; ///< subtracted before scaling (null if none)
    Value min;       ///< added after scaling (null if none)
  };

  /// Elements along K that share one scale (a multiple of 16).
  int64_t getChunkBlockSize() const { return getChunkBlockSize(type); }
  static int64_t getChunkBlockSize(QTensorType type);

  /// Whether blocks have a min or zero point besides their scale.
  bool hasBlockOffsets() const;

  /// emitByteChunk, emitBytePair, and emitBlockTerms given an offset,
  /// address element (row, k + offset) with k a multiple of this (a GGUF
  /// block, q4_k's 256-element super-block, or a byte chunk) and a static
  /// offset, so that positions inside blocks fold to constants.
  static int64_t getKAlignment(QTensorType type);

  /// The terms of the block holding element (row, k + offset), as scalars;
  /// without an offset, k need only lie in the block. Without
  /// `withTensorScale` the scale leaves out the tensor scale.
  BlockTerms emitBlockTerms(OpBuilder &b, Location loc, Value row, Value k,
                            std::optional<int64_t> offset = std::nullopt, bool withTensorScale = true) const;

  /// The terms of `count` consecutive blocks along K from the one holding
  /// element (row, k), as vector<count x f32>; k as for emitBlockTerms with an
  /// offset; `withTensorScale` as for emitBlockTerms.
  BlockTerms emitBlockTermVectors(OpBuilder &b, Location loc, Value row, Value k, int64_t count,
                                  bool withTensorScale = true) const;

  /// The scheme's tensor scale as an f32 scalar; null if it has none.
  Value emitTensorScale(OpBuilder &b, Location loc) const;

  /// The terms of the block holding element (row, k), splat to a chunk.
  BlockTerms emitChunkTerms(OpBuilder &b, Location loc, Value row, Value k) const;

  /// The f32 values of elements [k0, k0 + chunk) of row `row` as a vector in
  /// the order getChunkOrder() gives, with the terms of their block applied;
  /// `k0` is a multiple of the chunk.
  Value emitChunk(OpBuilder &b, Location loc, Value row, Value k0,
                  const BlockTerms &terms) const;

  /// Position p of emitChunk holds element order[p] of its chunk: the order
  /// the packed codes come in, so that unpacking needs no interleave.
  SmallVector<int64_t> getChunkOrder() const;

  /// With `on`, emitChunk gives 32 codes of 16 bytes that decode by a table
  /// in the order AVX2's f32 table lookup reads them (qf-lower-simd-ops):
  /// four codes from low nibbles, then four from the high nibbles of the same
  /// bytes, and so on; the lookup's reorder of the codes' dwords then leaves
  /// the 16 low nibbles in one 128-bit lane and the high ones in the other.
  void setAvx2LookupOrder(bool on) { avx2LookupOrder = on; }

  /// Weights as bytes for integer dot products: the element whose stored
  /// code is c has the value factor * (table[c] - bias), with table[c] in
  /// [0, 255], or in [-127, 127] where `isSigned` (bias 0). An empty table
  /// means the code itself, taken from the stored bytes xor `flip` (0x88
  /// turns two's complement nibbles into offset ones with one xor for both
  /// nibbles of a byte).
  struct ByteCodes {
    SmallVector<int64_t> table;
    int64_t flip = 0;
    int64_t bias = 0;
    double factor = 1;
    int64_t maxByte = 255; ///< the largest byte (signed: magnitude) an element takes
    bool isSigned = false;
  };

  /// ByteCodes for a chunked rank-2 qtensor with K a multiple of 32 whose
  /// 4-bit values are integer multiples of one power of two (integer and
  /// GGUF formats, E2M1, IQ4_NL) or whose 8-bit values are an integer code
  /// times a power of two; none otherwise (NF4, FP8). With `signedBytes`,
  /// 4-bit values that would need unsigned bytes above 127 and fit in
  /// [-127, 127] (IQ4_NL) are signed bytes instead.
  static std::optional<ByteCodes> getByteCodes(QTensorType type, bool signedBytes = false);

  /// A 4-bit codebook without ByteCodes (NF4) in fixed point: the element
  /// whose stored code is c has exactly the value sum_p factors[p] *
  /// tables[p][c], each table entry an integer of magnitude at most 2^14 (one
  /// or two planes), for qf.dot2 on activation codes widened to i16.
  struct WordPlanes {
    SmallVector<SmallVector<int64_t>> tables;
    SmallVector<double> factors;
  };

  /// WordPlanes for a chunked rank-2 qtensor with K a multiple of 32, no
  /// block offsets and 4-bit codes whose values have no ByteCodes and are
  /// integer multiples of 2^-40 within two planes (not GGUF blocks); none
  /// otherwise.
  static std::optional<WordPlanes> getWordPlanes(QTensorType type);

  /// The word planes of the 64 elements from (row, k + offset), `offset` a
  /// multiple of 64: for each plane four 16-word qf.dot2 operands, in the
  /// order getWordPairOrder() gives; two-word lane j of each holds elements
  /// of the same chunk (the chunk of emitBytePair's lanes 0-3 for j < 4, of
  /// its lanes 4-7 otherwise).
  SmallVector<std::array<Value, 4>> emitWordPair(OpBuilder &b, Location loc, Value row, Value k, int64_t offset,
                                                 const WordPlanes &planes) const;

  /// Position p of emitWordPair's four operands in turn holds element
  /// order[p] of the 64.
  static SmallVector<int64_t> getWordPairOrder(QTensorType type);

  /// Elements per byte chunk.
  static constexpr int64_t kByteChunk = 32;

  /// The unsigned bytes (table applied) of the kByteChunk elements from
  /// (row, k + offset), in the order getByteChunkOrder() gives; `offset` a
  /// multiple of kByteChunk.
  Value emitByteChunk(OpBuilder &b, Location loc, Value row, Value k, int64_t offset,
                      const ByteCodes &codes) const;

  /// The unsigned bytes of the 64 elements from (row, k + offset) as two
  /// 32-byte dot product operands X and Y, in the order getBytePairOrder()
  /// gives (X its first 32 positions); four-byte lane j of X and of Y hold
  /// elements of the same chunk, and of the same 16 where blocks are 16 long,
  /// so that one i32 lane can sum both. `offset` a multiple of 64.
  std::pair<Value, Value> emitBytePair(OpBuilder &b, Location loc, Value row, Value k, int64_t offset,
                                       const ByteCodes &codes) const;

  /// Position p of emitBytePair's X then Y holds element order[p] of the 64.
  SmallVector<int64_t> getBytePairOrder() const;

  /// Position p of emitByteChunk holds element order[p] of its chunk.
  SmallVector<int64_t> getByteChunkOrder() const { return getByteChunkOrder(type); }
  static SmallVector<int64_t> getByteChunkOrder(QTensorType type);

private:
  BlockTerms emitPlanarTerms(OpBuilder &b, Location loc, ValueRange indices, bool withTensorScale = true) const;
  Value buffer(llvm::StringRef name) const;
  /// Item `index` of planar buffer `name` (`bits` bits, as i32), wherever
  /// the layout keeps it.
  Value loadStoredItem(OpBuilder &b, Location loc, llvm::StringRef name, Value index, unsigned bits) const;
  /// Tiled layout: the byte in `tiles` where planar buffer `name` keeps the
  /// item of element (row, k + offset) (its code, or its block's scale,
  /// ...), which must lie in the tile of (row, k); codes start a byte.
  Value tileItemByte(OpBuilder &b, Location loc, llvm::StringRef name, Value row, Value k, int64_t offset) const;
  /// Planar and tiled layouts, 4- or 8-bit codes: the storage and byte
  /// holding the code of element (row, k + offset), a code that starts a
  /// byte.
  std::pair<Value, Value> codeBytes(OpBuilder &b, Location loc, Value row, Value k, int64_t offset) const;
  Value emitPlanar(OpBuilder &b, Location loc, ValueRange indices) const;
  Value emitGgml(OpBuilder &b, Location loc, ValueRange indices) const;
  /// Whether emitChunk decodes its codes by a qf.lookup.
  bool decodesByLookup() const;
  /// Whether emitChunk interleaves its codes for the AVX2 lookup.
  bool interleavesLookupCodes() const;

  QTensorType type;
  SchemeAttr scheme;
  StorageLayout layout;
  std::optional<TileLayout> tile; ///< tiled layout only
  SmallVector<Value> buffers;
  bool avx2LookupOrder = false;
};

} // namespace mlir::qf

#endif // QFORGE_PASSES_STORAGEACCESS_H
