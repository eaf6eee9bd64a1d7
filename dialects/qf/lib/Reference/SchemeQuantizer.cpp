//===- SchemeQuantizer.cpp - The scheme-driven reference quantizer ---------===//
//
// One algorithm for every scheme the dialect can express: per block, the
// real-valued scale (and min) the block wants, then second-level scales, then
// the stored scale, then element codes against the stored (decoded) scale.
// docs/formats.md states it step by step.
//===----------------------------------------------------------------------===//
#include "Unpacked.h"

#include <algorithm>
#include <cmath>

// The reference is plain IEEE arithmetic, rounded step by step as documented.
#pragma STDC FP_CONTRACT OFF

using namespace mlir;
using namespace mlir::qf;
using namespace mlir::qf::detail;

namespace {

struct BlockStats {
  double max = -INFINITY, min = INFINITY;
  double amax() const { return std::max(std::fabs(max), std::fabs(min)); }
};

BlockStats statsOf(ArrayRef<float> data, ArrayRef<int64_t> idx) {
  BlockStats s;
  for (int64_t i : idx) {
    s.max = std::max(s.max, double(data[i]));
    s.min = std::min(s.min, double(data[i]));
  }
  return s;
}

class SchemeQuantizer {
public:
  SchemeQuantizer(SchemeAttr scheme, ArrayRef<int64_t> shape)
      : scheme(scheme), grid(getBlockGrid(scheme, shape)), elem(scheme.getElement()),
        scale(scheme.getScale()), offset(scheme.getOffsetFormat()) {}

  Unpacked run(ArrayRef<float> data) {
    Unpacked u;
    int64_t numBlocks = grid.numBlocks();
    u.codes.resize(data.size());
    u.scales.resize(numBlocks);
    if (scheme.getOffset() != OffsetKind::none)
      u.offsets.resize(numBlocks);

    double tensorScale = 1;
    if (Type t = scheme.getTensorScaleType()) {
      // The largest block scale any block can want, spread over the scale
      // format's range (NVFP4: amax / (6 * 448)); the products are exact.
      BlockStats all;
      for (float v : data) {
        all.max = std::max(all.max, double(v));
        all.min = std::min(all.min, double(v));
      }
      double vmax = elem.maxValue(), vmin = elem.minValue(), top = scale.maxValue(), s = 0;
      if (vmax > 0)
        s = std::max(s, all.max / (vmax * top));
      if (vmin < 0)
        s = std::max(s, all.min / (vmin * top));
      auto ft = cast<FloatType>(t);
      u.tensorScale = encodeFloatBits(ft, s);
      tensorScale = decodeFloatBits(ft, u.tensorScale);
      if (tensorScale == 0 || !std::isfinite(tensorScale)) {
        u.tensorScale = encodeFloatBits(ft, 1.0);
        tensorScale = 1;
      }
    }

    int64_t perSuper = getBlocksPerSuperBlock(scheme);
    int64_t span = perSuper ? perSuper : 1;
    std::vector<SmallVector<int64_t>> idx(span);
    std::vector<BlockStats> stats(span);
    std::vector<double> s(span), m(span);
    for (int64_t first = 0; first < numBlocks; first += span) {
      for (int64_t j = 0; j < span; ++j) {
        grid.elementsOf(first + j, idx[j]);
        stats[j] = statsOf(data, idx[j]);
        idealScale(stats[j], s[j], m[j]);
      }
      double superScale = 1, superOffset = 1;
      if (perSuper) {
        auto st = cast<FloatType>(scheme.getSuperScaleType());
        double maxS = *std::max_element(s.begin(), s.end());
        uint64_t bits = encodeFloatBits(st, maxS / scale.maxValue());
        u.superScales.push_back(bits);
        superScale = decodeFloatBits(st, bits);
        if (hasIntMin()) {
          double minM = *std::min_element(m.begin(), m.end());
          bits = encodeFloatBits(st, minM / offset.maxValue());
          u.superOffsets.push_back(bits);
          superOffset = decodeFloatBits(st, bits);
        }
      }
      for (int64_t j = 0; j < span; ++j)
        quantizeBlock(data, idx[j], first + j, stats[j], s[j], m[j],
                      superScale * tensorScale, superOffset, u);
    }
    return u;
  }

private:
  bool hasIntMin() const {
    return scheme.getOffset() == OffsetKind::min && isa<IntFormatAttr>(scheme.getOffsetFormat());
  }

  /// The real-valued scale (and min) a block wants before any rounding.
  void idealScale(const BlockStats &st, double &s, double &m) const {
    double vmax = elem.maxValue(), vmin = elem.minValue();
    m = 0;
    switch (scheme.getOffset()) {
    case OffsetKind::none:
      s = 0;
      if (vmax > 0)
        s = std::max(s, st.max / vmax);
      if (vmin < 0)
        s = std::max(s, st.min / vmin);
      return;
    case OffsetKind::zero_point:
      s = (std::max(st.max, 0.0) - std::min(st.min, 0.0)) / (vmax - vmin);
      return;
    case OffsetKind::min:
      m = hasIntMin() ? std::min(st.min, 0.0) : st.min;
      s = (st.max - m) / (vmax - vmin);
      return;
    }
  }

  void quantizeBlock(ArrayRef<float> data, ArrayRef<int64_t> idx, int64_t b,
                     const BlockStats &st, double s, double m, double outerScale,
                     double superOffset, Unpacked &u) const {
    double S;
    if (scheme.hasSharedExponentScale()) {
      // OCP MX: X = 2^(floor(log2(amax)) - emax(element)), exponent in [-127, 127].
      double amax = st.amax();
      int e = amax > 0 ? std::ilogb(amax) - getMaxExponent(elem.getFormat()) : -127;
      e = std::clamp(e, -127, 127);
      u.scales[b] = uint64_t(e + 127);
      S = std::ldexp(1.0, e);
    } else {
      u.scales[b] = scale.encode(outerScale > 0 ? s / outerScale : 0);
      S = scale.decode(u.scales[b]) * outerScale;
    }
    double zp = 0, M = 0;
    if (scheme.getOffset() == OffsetKind::zero_point) {
      u.offsets[b] = offset.encode(S > 0 ? -std::min(st.min, 0.0) / S : 0);
      zp = offset.decode(u.offsets[b]);
    } else if (scheme.getOffset() == OffsetKind::min) {
      u.offsets[b] = offset.encode(!hasIntMin() ? m : superOffset != 0 ? m / superOffset : 0);
      M = offset.decode(u.offsets[b]) * (hasIntMin() ? superOffset : 1);
    }
    RoundingMode mode = scheme.getRounding();
    bool sat = scheme.getSaturate();
    // Zero offsets are not applied, so that -0.0 keeps its sign.
    bool hasMin = scheme.getOffset() == OffsetKind::min;
    bool hasZeroPoint = scheme.getOffset() == OffsetKind::zero_point;
    for (int64_t i : idx) {
      double y = double(data[i]);
      if (hasMin)
        y -= M;
      y = S > 0 ? y / S : 0.0;
      if (hasZeroPoint)
        y += zp;
      u.codes[i] = elem.encode(y, mode, sat);
    }
  }

  SchemeAttr scheme;
  BlockGrid grid;
  HostCodec elem;
  ScaleCodec scale, offset;
};

} // namespace

Unpacked mlir::qf::detail::quantizeWithScheme(SchemeAttr scheme, ArrayRef<int64_t> shape,
                                              ArrayRef<float> data) {
  return SchemeQuantizer(scheme, shape).run(data);
}
