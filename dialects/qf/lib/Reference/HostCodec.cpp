//===- HostCodec.cpp - Host encode/decode of one format --------------------===//
#include "qf/Reference/HostCodec.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::qf;

HostCodec::HostCodec(QuantFormatAttrInterface format) : format(format) {
  unsigned bits = format.getBitWidth();
  mask = (uint64_t(1) << bits) - 1;
  table.resize(mask + 1);
  for (uint64_t c = 0; c <= mask; ++c) {
    double v = table[c] = format.decodeHost(c);
    if (!std::isfinite(v))
      continue;
    if (v == 0 && std::signbit(v)) {
      negZeroCode = c;
      continue;
    }
    entries.push_back({v, c});
  }
  // Ascending by value; among equal values the lowest code comes first and is
  // the one kept.
  std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
    return a.value < b.value || (a.value == b.value && a.code < b.code);
  });
  entries.erase(std::unique(entries.begin(), entries.end(),
                            [](const Entry &a, const Entry &b) { return a.value == b.value; }),
                entries.end());
}

uint64_t HostCodec::resolveZero(uint64_t code, double x, RoundingMode mode) const {
  if (table[code] != 0 || !negZeroCode || !std::signbit(x))
    return code;
  return mode == RoundingMode::nearest_lowest_code ? std::min(code, *negZeroCode)
                                                   : *negZeroCode;
}

uint64_t HostCodec::pickTie(const Entry &lo, const Entry &hi, double x,
                            RoundingMode mode) const {
  // lo.value < x < hi.value and x is exactly between them.
  bool hiIsAway = std::fabs(hi.value) > std::fabs(lo.value);
  switch (mode) {
  case RoundingMode::nearest_even: {
    bool loEven = format.isEvenCode(lo.code), hiEven = format.isEvenCode(hi.code);
    if (loEven != hiEven)
      return loEven ? lo.code : hi.code;
    return hiIsAway ? hi.code : lo.code;
  }
  case RoundingMode::nearest_away:
    return hiIsAway ? hi.code : lo.code;
  case RoundingMode::nearest_up:
    return hi.code;
  case RoundingMode::nearest_lowest_code:
    return std::min(lo.code, hi.code);
  case RoundingMode::toward_zero:
    return hiIsAway ? lo.code : hi.code;
  }
  llvm_unreachable("unknown rounding mode");
}

uint64_t HostCodec::encode(double x, RoundingMode mode, bool saturate) const {
  if (std::isnan(x)) {
    if (std::optional<uint64_t> nan = format.getNaNCode())
      return *nan;
    x = 0.0; // no NaN to give: the code nearest zero
  }
  const Entry &first = entries.front(), &last = entries.back();
  // Beyond the range: saturate, or round between the extreme and the value
  // one step past it, which stands for the overflow code.
  if (x > last.value || x < first.value) {
    bool positive = x > last.value;
    const Entry &edge = positive ? last : first;
    std::optional<uint64_t> overflow =
        (positive || format.isSigned()) ? format.getOverflowCode(!positive) : std::nullopt;
    if (saturate || !overflow || entries.size() < 2)
      return edge.code;
    if (std::isinf(x))
      return *overflow;
    const Entry &inner = positive ? entries[entries.size() - 2] : entries[1];
    // One ulp of the top binade; when the top value opens its binade alone
    // (no mantissa bits, e8m0) the next value is twice it.
    double step = std::ilogb(edge.value) == std::ilogb(inner.value) ? edge.value - inner.value
                                                                      : edge.value;
    Entry virt{edge.value + step, edge.code + 1};
    uint64_t pick = positive ? nearest(edge, virt, x, mode) : nearest(virt, edge, x, mode);
    return pick == edge.code ? edge.code : *overflow;
  }
  auto it = std::lower_bound(entries.begin(), entries.end(), x,
                             [](const Entry &e, double v) { return e.value < v; });
  if (it->value == x)
    return resolveZero(it->code, x, mode);
  return resolveZero(nearest(*(it - 1), *it, x, mode), x, mode);
}

uint64_t HostCodec::nearest(const Entry &lo, const Entry &hi, double x, RoundingMode mode) const {
  // lo.value < x < hi.value. Compare with the midpoint, exact for the dyadic
  // values of every format, rather than two distances that may round.
  if (mode == RoundingMode::toward_zero)
    return std::fabs(lo.value) < std::fabs(hi.value) ? lo.code : hi.code;
  double mid = lo.value + (hi.value - lo.value) / 2;
  if (std::isinf(x) || x > mid)
    return x > mid ? hi.code : lo.code;
  if (x < mid)
    return lo.code;
  return pickTie(lo, hi, x, mode);
}

uint64_t mlir::qf::encodeFloatBits(FloatType type, double x) {
  APFloat v(x);
  bool losesInfo;
  v.convert(type.getFloatSemantics(), APFloat::rmNearestTiesToEven, &losesInfo);
  return v.bitcastToAPInt().getZExtValue();
}

double mlir::qf::decodeFloatBits(FloatType type, uint64_t bits) {
  return APFloat(type.getFloatSemantics(), APInt(type.getWidth(), bits)).convertToDouble();
}
