//===- Unpacked.h - The reference quantizer's unpacked form ----------------===//
//
// Private to the host reference: quantizers produce one integer per stored
// item, and the layouts (planar in Quantizer.cpp, ggml in GgmlBlocks.cpp,
// tiled in Tiles.cpp) pack them into bytes.
//===----------------------------------------------------------------------===//
#ifndef QF_LIB_REFERENCE_UNPACKED_H
#define QF_LIB_REFERENCE_UNPACKED_H

#include "qf/IR/Layout.h"
#include "qf/Reference/HostCodec.h"
#include "qf/Reference/Quantizer.h"

#include <vector>

namespace mlir::qf::detail {

struct Unpacked {
  std::vector<uint64_t> codes, scales, offsets, superScales, superOffsets;
  uint64_t tensorScale = 0;
};

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

/// The scheme-driven quantizer (every planar scheme, q4_k and iq4_nl).
Unpacked quantizeWithScheme(SchemeAttr scheme, llvm::ArrayRef<int64_t> shape,
                            llvm::ArrayRef<float> data);

/// ggml's reference quantizers for q4_0, q4_1, q8_0 and mxfp4, bit for bit.
Unpacked quantizeGgml(llvm::StringRef type, llvm::ArrayRef<float> x, FloatType f16);

std::vector<uint8_t> packGgml(const GgmlBlockType &type, const Unpacked &u);
Unpacked unpackGgml(const GgmlBlockType &type, llvm::ArrayRef<uint8_t> bytes, int64_t numel);

/// The `tiles` buffer of a tiled-layout scheme over `shape` (Tiles.cpp); the
/// tensor scale is not in it.
std::vector<uint8_t> packTiles(SchemeAttr scheme, llvm::ArrayRef<int64_t> shape, const Unpacked &u);
Unpacked unpackTiles(SchemeAttr scheme, llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<uint8_t> tiles);

/// The storage of `u` in the layout of `scheme`.
QuantizedTensor pack(SchemeAttr scheme, llvm::ArrayRef<int64_t> shape, Unpacked u);

/// `bits`-bit items packed LSB first, and back.
std::vector<uint8_t> packBits(llvm::ArrayRef<uint64_t> items, unsigned bits);
std::vector<uint64_t> unpackBits(llvm::ArrayRef<uint8_t> bytes, int64_t count, unsigned bits);

} // namespace mlir::qf::detail

#endif // QF_LIB_REFERENCE_UNPACKED_H
