//===- Avx2DotSums.h - How deep qf.dot4 chains sum in i16 without VNNI -----===//
#ifndef QFORGE_PASSES_AVX2DOTSUMS_H
#define QFORGE_PASSES_AVX2DOTSUMS_H

#include <algorithm>
#include <cstdint>

namespace mlir::qf {

/// Without VNNI, qf-lower-simd-ops adds the vpmaddubsw pair sums of a chain of
/// qf.dot4 in i16 lanes, then widens them with one vpmaddwd: the dot products
/// of weight bytes up to `lhsMax` (magnitudes where `lhsSigned`) that one i16
/// sum holds against any activation byte. Unsigned bytes above 127 are taken
/// in halves (each product alone in a pair).
inline int64_t avx2DotsPerI16Sum(int64_t lhsMax, bool lhsSigned) {
  bool halves = !lhsSigned && lhsMax > 127;
  return std::max<int64_t>(1, 32767 / ((halves ? 128 : 256) * std::max<int64_t>(lhsMax, 1)));
}

} // namespace mlir::qf

#endif // QFORGE_PASSES_AVX2DOTSUMS_H
