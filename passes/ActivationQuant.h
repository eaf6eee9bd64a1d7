//===- ActivationQuant.h - IR that quantizes activations on the fly --------===//
//
// The IR counterpart of the reference scheme quantizer for activation
// schemes: signed integer elements, float scales, no offsets, grouped along
// K (per group, per token or per tensor). Codes are computed in f64 exactly
// as the reference does (scale = max(max / vmax, min / vmin), rounded to the
// scale type; code = round(x / scale), clamped), so kernels see the same
// codes the reference produces.
//===----------------------------------------------------------------------===//
#ifndef QFORGE_PASSES_ACTIVATIONQUANT_H
#define QFORGE_PASSES_ACTIVATIONQUANT_H

#include "qf/IR/Qf.h"

namespace mlir::qf {

class ActivationQuantizer {
public:
  /// Succeeds where the activation scheme and the rank-2 static activation
  /// type have a lowering; otherwise reports why on `op`.
  static LogicalResult check(Operation *op, SchemeAttr scheme, RankedTensorType actType);

  ActivationQuantizer(SchemeAttr scheme, RankedTensorType actType);

  /// What emitCodes produces besides the codes and their scales.
  struct CodeOptions {
    ArrayRef<int64_t> order;  ///< each run of order.size() (32 or 64) codes in this order
    int64_t sumBlock = 32;    ///< 16 or 32: the run `sums` and `codeSums` cover
    bool scaledSums = false;  ///< emit `sums`
    bool codeSums = false;    ///< emit `codeSums`
  };

  struct Codes {
    Value codes;    ///< tensor<MxKxi8>, each run of the order's size in that order
    Value scales;   ///< tensor<M x K/32 x f32>: what one code of a chunk is worth
    Value sums;     ///< tensor<M x K/sumBlock x f32>: scale * the sum of the codes
    Value codeSums; ///< tensor<M x K/sumBlock x i32>: the sum of the codes
  };

  /// Codes for integer dot products; K must be a multiple of 32, of the
  /// group size and of the order's size.
  Codes emitCodes(OpBuilder &b, Location loc, Value act, const CodeOptions &options) const;

  /// The dequantized activations (f32), for kernels that take floats.
  Value emitDequantized(OpBuilder &b, Location loc, Value act) const;

  /// Elements along K that share one activation scale.
  int64_t getGroupSize() const { return groupCols; }

  /// Whether emitCodes applies (K and the group size are multiples of 32).
  bool supportsCodes() const;

private:
  /// Calls `body(b, loc, row, k0, sa, codes, carried)` for every run of
  /// `width` elements with its codes as vector<width x i32> and the f32 value
  /// of one code, threading `init` tensors through the loops.
  using ChunkBody = function_ref<SmallVector<Value>(OpBuilder &, Location, Value row, Value k0,
                                                    Value sa, Value codes, ValueRange carried)>;
  SmallVector<Value> emitLoops(OpBuilder &b, Location loc, Value act, int64_t width,
                               ValueRange init, ChunkBody body) const;

  SchemeAttr scheme;
  RankedTensorType actType;
  int64_t groupRows, groupCols;
};

} // namespace mlir::qf

#endif // QFORGE_PASSES_ACTIVATIONQUANT_H
