//===- PackedDotMatmul.h - Prefill qf.matmul on packed weight panels -------===//
#ifndef QFORGE_PASSES_PACKEDDOTMATMUL_H
#define QFORGE_PASSES_PACKEDDOTMATMUL_H

#include "passes/ActivationQuant.h"
#include "passes/StorageAccess.h"

namespace mlir::qf {

/// The GEMM kernel of the integer-dot path, for many activation rows: weights
/// are decoded once per panel of output columns into a layout where each i32
/// lane of a dot product is one column, then a register tile of activation
/// rows x panel columns accumulates without horizontal reductions.
class PackedDotMatmul {
public:
  /// Lanes of one dot product (one 512-bit vector) = panel columns a vector.
  static constexpr int64_t kLanes = 16;

  /// `rowTile` and `panelCols` override the defaults when non-zero: with
  /// 32 vector registers 4 rows and 32 columns (16 where N is not a multiple
  /// of 32); with 16 (AVX2's 256-bit registers, two for a 16-lane vector)
  /// the tile whose accumulators and weights fit the registers: 2 rows and
  /// 16 columns where eight dot products share one vpmaddwd
  /// (avx2DotsPerI16Sum), else 1 row and 32 columns, 16 where each dot
  /// product takes its own.
  PackedDotMatmul(const StorageAccess &weights, const StorageAccess::ByteCodes &byteCodes,
                  const ActivationQuantizer &quantizer, int64_t m, int64_t n, int64_t k,
                  int64_t rowTile = 0, int64_t panelCols = 0, int64_t vectorRegisters = 32);

  /// Whether the kernel can compute weights `w` [n, k] with activations in
  /// groups of `actGroup`: whole panels of `panelCols` columns, whole chunks
  /// along K, and blocks whose four-element groups of a chunk each lie in
  /// one block.
  static bool fits(QTensorType w, int64_t actGroup, int64_t n, int64_t k, int64_t panelCols = kLanes);

  /// Whether the lowering picks it by itself: it fits, and there are enough
  /// activation rows to repay packing.
  bool applies() const;

  /// The f32 tensor<M x N> result of activations `act` times the weights.
  Value emit(OpBuilder &b, Location loc, Value act) const;

private:
  struct Panel {
    Value bytes;   ///< tensor<K/4 x P x i32>: four codes of one column a lane
    Value scales;  ///< tensor<K/B x P x f32>: scale * factor per block and column
    Value offsets; ///< tensor<K/B x P x f32>: min - scale * zero point (or null)
  };
  Panel emitPanel(OpBuilder &b, Location loc, Value col0) const;
  Value emitTile(OpBuilder &b, Location loc, const Panel &panel, const ActivationQuantizer::Codes &act,
                 Value row0, int64_t rows, Value col0, Value result) const;

  const StorageAccess &weights;
  const StorageAccess::ByteCodes &byteCodes;
  const ActivationQuantizer &quantizer;
  int64_t m, n, k;
  int64_t block;      ///< elements a weight scale covers
  int64_t flush;      ///< elements summed in i32 before scaling (divides block and act group)
  int64_t panelVecs;  ///< vectors of kLanes columns a panel
  int64_t tileRows;   ///< activation rows a register tile
  SmallVector<int64_t> order;
};

} // namespace mlir::qf

#endif // QFORGE_PASSES_PACKEDDOTMATMUL_H
