//===- HostCodec.h - Host encode/decode of one format ----------------------===//
//
// The host reference for element and scale conversion. A format is defined by
// its decode table (QuantFormatAttrInterface::decodeHost); encoding picks the
// nearest representable value under a rounding mode, so every format, present
// or future, gets a correct encoder without code of its own.
//===----------------------------------------------------------------------===//
#ifndef QF_REFERENCE_HOSTCODEC_H
#define QF_REFERENCE_HOSTCODEC_H

#include "qf/IR/Qf.h"

#include <vector>

namespace mlir::qf {

class HostCodec {
public:
  explicit HostCodec(QuantFormatAttrInterface format);

  /// The code for `x`: nearest value, ties per `mode`. `saturate` clamps
  /// out-of-range values to the largest finite magnitude; otherwise they
  /// become the format's overflow code (inf or NaN) where it has one.
  uint64_t encode(double x, RoundingMode mode, bool saturate = true) const;
  double decode(uint64_t code) const { return table[code & mask]; }

  double maxValue() const { return entries.back().value; }
  double minValue() const { return entries.front().value; }
  QuantFormatAttrInterface getFormat() const { return format; }

  struct Entry {
    double value;
    uint64_t code;
  };
  /// The finite values ascending, one entry each (the lowest code among
  /// equal values); -0 is not among them.
  llvm::ArrayRef<Entry> getEntries() const { return entries; }
  /// The code of -0, where the format has one.
  std::optional<uint64_t> getNegativeZeroCode() const { return negZeroCode; }

private:
  uint64_t nearest(const Entry &lo, const Entry &hi, double x, RoundingMode mode) const;
  uint64_t pickTie(const Entry &lo, const Entry &hi, double x, RoundingMode mode) const;
  uint64_t resolveZero(uint64_t code, double x, RoundingMode mode) const;

  QuantFormatAttrInterface format;
  std::vector<double> table;  ///< value of every code
  std::vector<Entry> entries; ///< finite values ascending, one entry each
  uint64_t mask;
  std::optional<uint64_t> negZeroCode;
};

/// Rounds a double to an IEEE float type (f16, bf16, f32) and returns its bits.
uint64_t encodeFloatBits(FloatType type, double x);
double decodeFloatBits(FloatType type, uint64_t bits);

} // namespace mlir::qf

#endif // QF_REFERENCE_HOSTCODEC_H
