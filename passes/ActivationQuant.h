//===- ActivationQuant.h - IR that quantizes activations on the fly --------===//
//
// The IR counterpart of the reference scheme quantizer for activation
// schemes: signed integer or minifloat elements, float or OCP MX
// (shared-exponent) scales, no offsets, grouped along K (per group, per
// token or per tensor). Codes are computed in f64 exactly as the reference
// does (float scales: max(max / vmax, min / vmin) rounded to the scale type;
// MX: 2^(floor(log2(amax)) - emax); then the element nearest x / scale, in
// the scheme's rounding, saturated), so kernels see the reference's codes.
// A code here is the element's value in units of its smallest step (ints:
// the integer; minifloats: value / smallest subnormal, e2m1 2x, e2m3 8x).
//
// An optional Hadamard rotation along K (qf.hadamard's arithmetic, op by
// op) is applied to each run of activations as it is read, in registers.
//===----------------------------------------------------------------------===//
#ifndef QFORGE_PASSES_ACTIVATIONQUANT_H
#define QFORGE_PASSES_ACTIVATIONQUANT_H

#include "qf/IR/Qf.h"

namespace mlir::qf {

/// qf.hadamard's transform along K: `size` 0 for none.
struct ActivationRotation {
  int64_t size = 0;
  std::optional<uint64_t> seed;
};

class ActivationQuantizer {
public:
  /// Succeeds where the activation scheme and the rank-2 static activation
  /// type have a lowering; otherwise reports why on `op`.
  static LogicalResult check(Operation *op, SchemeAttr scheme, RankedTensorType actType);

  ActivationQuantizer(SchemeAttr scheme, RankedTensorType actType, ActivationRotation rotation = {});
  /// The quantizer of `op`'s act_scheme, with its act_hadamard rotation.
  explicit ActivationQuantizer(MatmulOp op);

  /// Whether a rotation of `size` along K can run inside the quantizer's
  /// reads: blocks within one scale group, at most 256 (its runs unroll).
  bool canRotate(int64_t size) const;

  /// What emitCodes produces besides the codes and their scales.
  struct CodeOptions {
    ArrayRef<int64_t> order;  ///< each run of order.size() (32 or 64) codes in this order
    int64_t sumBlock = 32;    ///< 16 or 32: the run `sums` and `codeSums` cover
    bool scaledSums = false;  ///< emit `sums`
    double sumsFactor = 1;    ///< a constant `sums` are multiplied by
    Value scaleFactor;        ///< an f32 scalar `scales` and `sums` are multiplied by (null: 1)
    bool codeSums = false;    ///< emit `codeSums`
    unsigned codeBits = 8;    ///< 8, or 16 for codes widened to i16 (qf.dot2)
  };

  struct Codes {
    Value codes;    ///< tensor<MxKxi8> (i16: codeBits), each run of the order's size in that order
    Value scales;   ///< tensor<M x K/32 x f32>: what one code of a chunk is worth, times scaleFactor
    Value sums;     ///< tensor<M x K/sumBlock x f32>: sumsFactor * scales * the sum of the codes
    Value codeSums; ///< tensor<M x K/sumBlock x i32>: the sum of the codes
  };

  /// Codes for integer dot products; K must be a multiple of 32, of the
  /// group size and of the order's size.
  Codes emitCodes(OpBuilder &b, Location loc, Value act, const CodeOptions &options) const;

  /// The dequantized activations (f32), for kernels that take floats.
  Value emitDequantized(OpBuilder &b, Location loc, Value act) const;

  /// Elements along K that share one activation scale.
  int64_t getGroupSize() const { return groupCols; }

  /// Whether emitCodes applies: K and the group size are multiples of 32
  /// and every code fits in an i8.
  bool supportsCodes() const;

private:
  /// Calls `body(b, loc, row, k0, sa, codes, carried)` for every run of
  /// `width` elements with its codes as vector<width x f64> (whole numbers)
  /// and the f32 value of one code, threading `init` tensors through the
  /// loops.
  using ChunkBody = function_ref<SmallVector<Value>(OpBuilder &, Location, Value row, Value k0,
                                                    Value sa, Value codes, ValueRange carried)>;
  SmallVector<Value> emitLoops(OpBuilder &b, Location loc, Value act, int64_t width,
                               ValueRange init, ChunkBody body) const;
  /// The rotation's signs along K as a constant tensor (null if unseeded).
  Value emitSignTable(OpBuilder &b, Location loc) const;
  /// `x`, the run of activations at column `k`, rotated.
  Value emitRotation(OpBuilder &b, Location loc, Value x, Value k, Value signs) const;
  /// Codes of `y` = x / scale (vector<f64>), rounded and saturated.
  Value emitRounding(OpBuilder &b, Location loc, Value y) const;

  SchemeAttr scheme;
  RankedTensorType actType;
  ActivationRotation rotation;
  int64_t groupRows, groupCols;
  /// The element grid: the value of code 1, the largest and smallest codes;
  /// minifloats also have their mantissa bits and smallest normal exponent.
  double unit;
  int64_t cmax, cmin;
  std::optional<int> mantissaBits;
  int minNormalExponent = 0;
};

} // namespace mlir::qf

#endif // QFORGE_PASSES_ACTIVATIONQUANT_H
