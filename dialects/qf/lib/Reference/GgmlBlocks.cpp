//===- GgmlBlocks.cpp - GGUF block types: ggml's quantizers and packing ----===//
//
// ggml's reference quantizers are reproduced in f32 arithmetic bit for bit:
// no contraction of a*b+c into an FMA.
//===----------------------------------------------------------------------===//
#include "Unpacked.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#pragma STDC FP_CONTRACT OFF

using namespace mlir;
using namespace mlir::qf;
using namespace mlir::qf::detail;


constexpr int64_t kGgmlBlock = 32;

Unpacked mlir::qf::detail::quantizeGgml(StringRef type, ArrayRef<float> x, FloatType f16) {
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
// Block packing
//===----------------------------------------------------------------------===//

namespace {

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

} // namespace

std::vector<uint8_t> mlir::qf::detail::packGgml(const GgmlBlockType &t, const Unpacked &u) {
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

Unpacked mlir::qf::detail::unpackGgml(const GgmlBlockType &t, ArrayRef<uint8_t> bytes,
                                      int64_t numel) {
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