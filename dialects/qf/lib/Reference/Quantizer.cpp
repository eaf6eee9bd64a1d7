//===- Quantizer.cpp - Host reference quantize / dequantize ----------------===//
//
// Quantization goes through an unpacked form (one integer per element code,
// per scale, per offset) that the layout then packs into bytes:
//   planar: bit-packed buffers (see qf/IR/Layout.h);
//   ggml:   GGUF blocks, bit for bit.
//===----------------------------------------------------------------------===//
#include "qf/Reference/Quantizer.h"
#include "qf/Reference/HostCodec.h"

#include "mlir/IR/Diagnostics.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::qf;

// ggml's reference quantizers are reproduced in f32 arithmetic bit for bit:
// no contraction of a*b+c into an FMA.
#pragma STDC FP_CONTRACT OFF

namespace {

/// Every stored item as an integer: element codes, scale codes (or the raw
/// bits of float scales), offsets, second-level scales.
struct Unpacked {
  std::vector<uint64_t> codes, scales, offsets, superScales, superOffsets;
  uint64_t tensorScale = 0;
};

llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// A scale or offset slot: a float type or a format.
struct ScaleCodec {
  FloatType floatType;
  std::optional<HostCodec> codec;

  explicit ScaleCodec(Attribute typeOrFormat) {
    if (auto t = dyn_cast_or_null<TypeAttr>(typeOrFormat))
      floatType = cast<FloatType>(t.getValue());
    else if (typeOrFormat)
      codec.emplace(cast<QuantFormatAttrInterface>(typeOrFormat));
  }
  uint64_t encode(double v) const {
    return floatType ? encodeFloatBits(floatType, v)
                     : codec->encode(v, RoundingMode::nearest_even, /*saturate=*/true);
  }
  double decode(uint64_t bits) const {
    return floatType ? decodeFloatBits(floatType, bits) : codec->decode(bits);
  }
  double maxValue() const {
    return floatType ? APFloat::getLargest(floatType.getFloatSemantics()).convertToDouble()
                     : codec->maxValue();
  }
};

int64_t product(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

//===----------------------------------------------------------------------===//
// The scheme-driven quantizer (every planar scheme, q4_k and iq4_nl)
//===----------------------------------------------------------------------===//

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
      double amax = 0;
      for (float v : data)
        amax = std::max(amax, double(std::fabs(v)));
      auto ft = cast<FloatType>(t);
      u.tensorScale = encodeFloatBits(ft, amax / (elementMagnitude() * scale.maxValue()));
      tensorScale = decodeFloatBits(ft, u.tensorScale);
      if (tensorScale == 0 || !std::isfinite(tensorScale)) {
        u.tensorScale = encodeFloatBits(ft, 1.0);
        tensorScale = 1;
      }
    }

    int64_t perSuper = getBlocksPerSuperBlock(scheme);
    int64_t span = perSuper ? perSuper : 1;
    std::vector<std::vector<int64_t>> idx(span);
    std::vector<BlockStats> stats(span);
    std::vector<double> s(span), m(span);
    for (int64_t first = 0; first < numBlocks; first += span) {
      for (int64_t j = 0; j < span; ++j) {
        SmallVector<int64_t> e;
        grid.elementsOf(first + j, e);
        idx[j].assign(e.begin(), e.end());
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
  double elementMagnitude() const { return std::max(elem.maxValue(), -elem.minValue()); }

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

//===----------------------------------------------------------------------===//
// ggml's reference quantizers (q4_0, q4_1, q8_0, mxfp4), in f32 like ggml
//===----------------------------------------------------------------------===//

constexpr int64_t kGgmlBlock = 32;

Unpacked quantizeGgml(StringRef type, ArrayRef<float> x, FloatType f16) {
  Unpacked u;
  u.codes.resize(x.size());
  for (size_t base = 0; base < x.size(); base += kGgmlBlock) {
    ArrayRef<float> blk = x.slice(base, kGgmlBlock);
    uint64_t *codes = &u.codes[base];
    float amax = 0, signedMax = 0, max = -INFINITY, min = INFINITY;
    for (float v : blk) {
      if (std::fabs(v) > amax) {
        amax = std::fabs(v);
        signedMax = v;
      }
      max = std::max(max, v);
      min = std::min(min, v);
    }
    if (type == "q4_0") {
      float d = signedMax / -8.0f;
      float id = d != 0 ? 1.0f / d : 0.0f;
      u.scales.push_back(encodeFloatBits(f16, d));
      for (int64_t j = 0; j < kGgmlBlock; ++j) {
        float t = blk[j] * id;
        t = t + 8.5f;
        int q = std::clamp(int(std::trunc(t)), 0, 15);
        codes[j] = uint64_t(q - 8) & 0xF;
      }
    } else if (type == "q4_1") {
      float d = (max - min) / 15.0f;
      float id = d != 0 ? 1.0f / d : 0.0f;
      u.scales.push_back(encodeFloatBits(f16, d));
      u.offsets.push_back(encodeFloatBits(f16, min));
      for (int64_t j = 0; j < kGgmlBlock; ++j) {
        float t = (blk[j] - min) * id;
        t = t + 0.5f;
        codes[j] = uint64_t(std::clamp(int(std::trunc(t)), 0, 15));
      }
    } else if (type == "q8_0") {
      float d = amax / 127.0f;
      float id = d != 0 ? 1.0f / d : 0.0f;
      u.scales.push_back(encodeFloatBits(f16, d));
      for (int64_t j = 0; j < kGgmlBlock; ++j)
        codes[j] = uint64_t(int(std::round(blk[j] * id))) & 0xFF;
    } else {
      assert(type == "mxfp4_ggml");
      // ggml: e = floor(log2(amax)) - 2 + 127 in f32; clamped here where ggml's
      // uint8 cast would wrap (amax < 2^-125).
      int e = amax > 0 ? std::clamp(int(std::floor(std::log2(amax))) - 2 + 127, 0, 254) : 0;
      u.scales.push_back(uint64_t(e));
      // ggml's half-scale: its value table holds doubled E2M1 values.
      uint32_t bits = e < 2 ? 0x00200000u << e : uint32_t(e - 1) << 23;
      float d;
      std::memcpy(&d, &bits, sizeof(d));
      static const int8_t kValues[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};
      for (int64_t j = 0; j < kGgmlBlock; ++j) {
        int best = 0;
        float bestErr = INFINITY;
        for (int k = 0; k < 16; ++k) {
          float err = std::fabs(d * float(kValues[k]) - blk[j]);
          if (err < bestErr) {
            bestErr = err;
            best = k;
          }
        }
        codes[j] = uint64_t(best);
      }
    }
  }
  return u;
}

//===----------------------------------------------------------------------===//
// Packing
//===----------------------------------------------------------------------===//

std::vector<uint8_t> packBits(ArrayRef<uint64_t> items, unsigned bits) {
  std::vector<uint8_t> out((items.size() * bits + 7) / 8, 0);
  uint64_t pos = 0;
  for (uint64_t item : items) {
    for (unsigned k = 0; k < bits; ++k, ++pos)
      if ((item >> k) & 1)
        out[pos / 8] |= uint8_t(1u << (pos % 8));
  }
  return out;
}

std::vector<uint64_t> unpackBits(ArrayRef<uint8_t> bytes, int64_t count, unsigned bits) {
  std::vector<uint64_t> out(count, 0);
  uint64_t pos = 0;
  for (int64_t i = 0; i < count; ++i)
    for (unsigned k = 0; k < bits; ++k, ++pos)
      out[i] |= uint64_t((bytes[pos / 8] >> (pos % 8)) & 1) << k;
  return out;
}

void putLE16(uint8_t *p, uint64_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
}
uint64_t getLE16(const uint8_t *p) { return uint64_t(p[0]) | uint64_t(p[1]) << 8; }

/// GGUF's split-nibble order: in each run of 2n elements, element j sits in
/// the low nibble of byte j and element j + n in the high nibble.
void packSplitNibbles(const uint64_t *codes, int64_t n2, uint8_t *out) {
  int64_t n = n2 / 2;
  for (int64_t j = 0; j < n; ++j)
    out[j] = uint8_t((codes[j] & 0xF) | (codes[j + n] & 0xF) << 4);
}
void unpackSplitNibbles(const uint8_t *in, int64_t n2, uint64_t *codes) {
  int64_t n = n2 / 2;
  for (int64_t j = 0; j < n; ++j) {
    codes[j] = in[j] & 0xF;
    codes[j + n] = in[j] >> 4;
  }
}

constexpr uint64_t kF16SignBit = 0x8000;

/// Q4_K packs eight 6-bit scales and eight 6-bit mins into 12 bytes.
void packQ4KScales(const uint64_t *sc, const uint64_t *mn, uint8_t *out) {
  for (int s = 0; s < 4; ++s) {
    out[s] = uint8_t(sc[s] | (sc[s + 4] >> 4) << 6);
    out[s + 4] = uint8_t(mn[s] | (mn[s + 4] >> 4) << 6);
    out[s + 8] = uint8_t((sc[s + 4] & 0xF) | (mn[s + 4] & 0xF) << 4);
  }
}
void unpackQ4KScales(const uint8_t *in, uint64_t *sc, uint64_t *mn) {
  for (int s = 0; s < 8; ++s) {
    if (s < 4) {
      sc[s] = in[s] & 63;
      mn[s] = in[s + 4] & 63;
    } else {
      sc[s] = (in[s + 4] & 0xF) | ((in[s - 4] >> 6) << 4);
      mn[s] = (in[s + 4] >> 4) | ((in[s] >> 6) << 4);
    }
  }
}

std::vector<uint8_t> packGgml(const GgmlBlockType &t, const Unpacked &u) {
  int64_t blocks = int64_t(u.codes.size()) / t.blockElements;
  std::vector<uint8_t> out(blocks * t.blockBytes, 0);
  for (int64_t b = 0; b < blocks; ++b) {
    uint8_t *p = &out[b * t.blockBytes];
    const uint64_t *codes = &u.codes[b * t.blockElements];
    if (t.name == "q4_0" || t.name == "iq4_nl") {
      putLE16(p, u.scales[b]);
      if (t.name == "q4_0") {
        // Signed 4-bit codes are stored offset by 8.
        uint64_t biased[32];
        for (int j = 0; j < 32; ++j)
          biased[j] = codes[j] ^ 0x8;
        packSplitNibbles(biased, 32, p + 2);
      } else {
        packSplitNibbles(codes, 32, p + 2);
      }
    } else if (t.name == "q4_1") {
      putLE16(p, u.scales[b]);
      putLE16(p + 2, u.offsets[b]);
      packSplitNibbles(codes, 32, p + 4);
    } else if (t.name == "q8_0") {
      putLE16(p, u.scales[b]);
      for (int j = 0; j < 32; ++j)
        p[2 + j] = uint8_t(codes[j]);
    } else if (t.name == "mxfp4_ggml") {
      p[0] = uint8_t(u.scales[b]);
      packSplitNibbles(codes, 32, p + 1);
    } else {
      assert(t.name == "q4_k");
      // d, dmin (ggml subtracts dmin * min: our negative super offset), scales, qs.
      putLE16(p, u.superScales[b]);
      uint64_t dmin = u.superOffsets[b] ^ kF16SignBit;
      putLE16(p + 2, (dmin & ~kF16SignBit) ? dmin : 0);
      packQ4KScales(&u.scales[b * 8], &u.offsets[b * 8], p + 4);
      for (int c = 0; c < 4; ++c)
        packSplitNibbles(codes + 64 * c, 64, p + 16 + 32 * c);
    }
  }
  return out;
}

Unpacked unpackGgml(const GgmlBlockType &t, ArrayRef<uint8_t> bytes, int64_t numel) {
  Unpacked u;
  int64_t blocks = numel / t.blockElements;
  u.codes.resize(numel);
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t *p = &bytes[b * t.blockBytes];
    uint64_t *codes = &u.codes[b * t.blockElements];
    if (t.name == "q4_0" || t.name == "iq4_nl") {
      u.scales.push_back(getLE16(p));
      unpackSplitNibbles(p + 2, 32, codes);
      if (t.name == "q4_0")
        for (int j = 0; j < 32; ++j)
          codes[j] ^= 0x8;
    } else if (t.name == "q4_1") {
      u.scales.push_back(getLE16(p));
      u.offsets.push_back(getLE16(p + 2));
      unpackSplitNibbles(p + 4, 32, codes);
    } else if (t.name == "q8_0") {
      u.scales.push_back(getLE16(p));
      for (int j = 0; j < 32; ++j)
        codes[j] = p[2 + j];
    } else if (t.name == "mxfp4_ggml") {
      u.scales.push_back(p[0]);
      unpackSplitNibbles(p + 1, 32, codes);
      // ggml's value table has no negative zero: code 8 reads as +0.
      for (int j = 0; j < 32; ++j)
        if (codes[j] == 8)
          codes[j] = 0;
    } else {
      u.superScales.push_back(getLE16(p));
      u.superOffsets.push_back(getLE16(p + 2) ^ kF16SignBit);
      uint64_t sc[8], mn[8];
      unpackQ4KScales(p + 4, sc, mn);
      u.scales.insert(u.scales.end(), sc, sc + 8);
      u.offsets.insert(u.offsets.end(), mn, mn + 8);
      for (int c = 0; c < 4; ++c)
        unpackSplitNibbles(p + 16 + 32 * c, 64, codes + 64 * c);
    }
  }
  return u;
}

/// The unpacked items of each planar buffer, in layout order.
SmallVector<std::vector<uint64_t> *> planarItems(const StorageLayout &layout, Unpacked &u,
                                                 std::vector<uint64_t> &tensorScale) {
  SmallVector<std::vector<uint64_t> *> items;
  for (const StorageBuffer &b : layout.buffers) {
    StringRef n = b.name;
    items.push_back(n == "data"            ? &u.codes
                    : n == "scales"        ? &u.scales
                    : n == "offsets"       ? &u.offsets
                    : n == "super_scales"  ? &u.superScales
                    : n == "super_offsets" ? &u.superOffsets
                                           : &tensorScale);
  }
  return items;
}

llvm::Error checkShape(SchemeAttr scheme, ArrayRef<int64_t> shape) {
  std::string message;
  MLIRContext *ctx = scheme.getContext();
  ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  if (!QTensorType::getChecked([&] { return emitError(UnknownLoc::get(ctx)); }, ctx, shape,
                               scheme))
    return makeError(message);
  return llvm::Error::success();
}

/// A float scale that rounded to infinity cannot represent its block.
llvm::Error checkScalesFinite(SchemeAttr scheme, const Unpacked &u) {
  auto check = [&](Type type, ArrayRef<uint64_t> bits, const char *what) -> llvm::Error {
    auto ft = dyn_cast_or_null<FloatType>(type);
    if (!ft)
      return llvm::Error::success();
    for (size_t i = 0; i < bits.size(); ++i)
      if (!std::isfinite(decodeFloatBits(ft, bits[i])))
        return makeError(llvm::Twine(what) + " " + llvm::Twine(i) + " overflows " +
                         llvm::Twine(ft.getWidth()) + "-bit float: the data is too large for "
                         "this scheme's scale type");
    return llvm::Error::success();
  };
  auto scaleType = dyn_cast<TypeAttr>(scheme.getScale());
  if (llvm::Error err = check(scaleType ? scaleType.getValue() : Type(), u.scales, "block scale"))
    return err;
  auto offsetType = dyn_cast_or_null<TypeAttr>(scheme.getOffsetFormat());
  if (llvm::Error err = check(offsetType ? offsetType.getValue() : Type(), u.offsets, "block min"))
    return err;
  if (llvm::Error err = check(scheme.getSuperScaleType(), u.superScales, "super-block scale"))
    return err;
  return check(scheme.getTensorScaleType(), {u.tensorScale}, "tensor scale");
}

} // namespace

llvm::Expected<QuantizedTensor> mlir::qf::quantize(SchemeAttr scheme, ArrayRef<int64_t> shape,
                                                   ArrayRef<float> data) {
  if (llvm::Error err = checkShape(scheme, shape))
    return std::move(err);
  if (int64_t(data.size()) != product(shape))
    return makeError("data has " + llvm::Twine(data.size()) + " elements, shape needs " +
                     llvm::Twine(product(shape)));
  for (size_t i = 0; i < data.size(); ++i)
    if (!std::isfinite(data[i]))
      return makeError("element " + llvm::Twine(i) + " is not finite (" +
                       (std::isnan(data[i]) ? "nan" : data[i] > 0 ? "inf" : "-inf") +
                       "); quantization needs finite input");

  QuantizedTensor q;
  q.layout = getStorageLayout(scheme, shape);
  std::optional<GgmlBlockType> ggml = getGgmlBlockType(scheme);
  Unpacked u;
  StringRef name = ggml ? ggml->name : StringRef();
  if (name == "q4_0" || name == "q4_1" || name == "q8_0" || name == "mxfp4_ggml")
    u = quantizeGgml(name, data, Float16Type::get(scheme.getContext()));
  else
    u = SchemeQuantizer(scheme, shape).run(data);

  if (llvm::Error err = checkScalesFinite(scheme, u))
    return std::move(err);
  if (ggml) {
    q.buffers.push_back(packGgml(*ggml, u));
    return q;
  }
  std::vector<uint64_t> tensorScale{u.tensorScale};
  for (auto [buffer, items] : llvm::zip(q.layout.buffers, planarItems(q.layout, u, tensorScale)))
    q.buffers.push_back(packBits(*items, buffer.itemBits));
  return q;
}

llvm::Error mlir::qf::dequantize(SchemeAttr scheme, ArrayRef<int64_t> shape,
                                 const QuantizedTensor &q, MutableArrayRef<float> out) {
  if (llvm::Error err = checkShape(scheme, shape))
    return err;
  StorageLayout layout = getStorageLayout(scheme, shape);
  if (q.buffers.size() != layout.buffers.size())
    return makeError("expected " + llvm::Twine(layout.buffers.size()) + " buffers, got " +
                     llvm::Twine(q.buffers.size()));
  for (auto [want, have] : llvm::zip(layout.buffers, q.buffers))
    if (int64_t(have.size()) != want.bytes)
      return makeError("buffer '" + want.name + "' has " + llvm::Twine(have.size()) +
                       " bytes, the layout needs " + llvm::Twine(want.bytes));
  int64_t numel = product(shape);
  if (int64_t(out.size()) != numel)
    return makeError("output has " + llvm::Twine(out.size()) + " elements, shape needs " +
                     llvm::Twine(numel));

  Unpacked u;
  if (std::optional<GgmlBlockType> ggml = getGgmlBlockType(scheme)) {
    u = unpackGgml(*ggml, q.buffers[0], numel);
  } else {
    std::vector<uint64_t> tensorScale;
    for (auto [buffer, items, bytes] :
         llvm::zip(layout.buffers, planarItems(layout, u, tensorScale), q.buffers))
      *items = unpackBits(bytes, buffer.count, buffer.itemBits);
    if (!tensorScale.empty())
      u.tensorScale = tensorScale[0];
  }

  HostCodec elem(scheme.getElement());
  ScaleCodec offset(scheme.getOffsetFormat());
  FloatType superType = cast_or_null<FloatType>(scheme.getSuperScaleType());
  double tensorScale = 1;
  if (Type t = scheme.getTensorScaleType())
    tensorScale = decodeFloatBits(cast<FloatType>(t), u.tensorScale);
  int64_t perSuper = getBlocksPerSuperBlock(scheme);
  bool zeroPoint = scheme.getOffset() == OffsetKind::zero_point;
  bool minOffset = scheme.getOffset() == OffsetKind::min;
  BlockGrid grid = getBlockGrid(scheme, shape);
  SmallVector<int64_t> idx;
  for (int64_t b = 0, n = grid.numBlocks(); b < n; ++b) {
    double S = scheme.decodeScale(u.scales[b]) * tensorScale;
    double superOffset = 1;
    if (perSuper) {
      S *= decodeFloatBits(superType, u.superScales[b / perSuper]);
      if (!u.superOffsets.empty())
        superOffset = decodeFloatBits(superType, u.superOffsets[b / perSuper]);
    }
    double zp = zeroPoint ? offset.decode(u.offsets[b]) : 0;
    double M = minOffset ? offset.decode(u.offsets[b]) * superOffset : 0;
    grid.elementsOf(b, idx);
    for (int64_t i : idx) {
      // Offsets apply only where the scheme has them: -0.0 stays -0.0 as in
      // ggml and the OCP formulas.
      double v = elem.decode(u.codes[i]);
      if (zeroPoint)
        v -= zp;
      v *= S;
      if (minOffset)
        v += M;
      out[i] = float(v);
    }
  }
  return llvm::Error::success();
}
