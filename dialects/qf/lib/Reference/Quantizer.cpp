//===- Quantizer.cpp - Host reference quantize / dequantize ----------------===//
//
// Quantization goes through an unpacked form (one integer per element code,
// per scale, per offset) that the layout then packs into bytes:
//   planar: bit-packed buffers (see qf/IR/Layout.h);
//   ggml:   GGUF blocks, bit for bit;
//   tiled:  the planar items of each tile of a row together (Tiles.cpp).
//===----------------------------------------------------------------------===//
#include "qf/Reference/Quantizer.h"
#include "Unpacked.h"

#include "mlir/IR/Diagnostics.h"

#include <algorithm>
#include <cmath>
#include <cstring>

// The reference is plain IEEE arithmetic, rounded step by step as documented.
#pragma STDC FP_CONTRACT OFF

using namespace mlir;
using namespace mlir::qf;
using namespace mlir::qf::detail;

namespace {

llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

int64_t product(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

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

std::vector<uint8_t> mlir::qf::detail::packBits(ArrayRef<uint64_t> items, unsigned bits) {
  std::vector<uint8_t> out((items.size() * bits + 7) / 8, 0);
  uint64_t pos = 0;
  for (uint64_t item : items) {
    for (unsigned k = 0; k < bits; ++k, ++pos)
      if ((item >> k) & 1)
        out[pos / 8] |= uint8_t(1u << (pos % 8));
  }
  return out;
}

std::vector<uint64_t> mlir::qf::detail::unpackBits(ArrayRef<uint8_t> bytes, int64_t count, unsigned bits) {
  std::vector<uint64_t> out(count, 0);
  uint64_t pos = 0;
  for (int64_t i = 0; i < count; ++i)
    for (unsigned k = 0; k < bits; ++k, ++pos)
      out[i] |= uint64_t((bytes[pos / 8] >> (pos % 8)) & 1) << k;
  return out;
}

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

  // A GGUF block type in tiles quantizes as the GGUF type does.
  std::optional<GgmlBlockType> ggml = getGgmlBlockType(
      scheme.getLayout() == LayoutKind::tiled ? scheme.withLayout(LayoutKind::ggml) : scheme);
  Unpacked u;
  StringRef name = ggml ? ggml->name : StringRef();
  if (name == "q4_0" || name == "q4_1" || name == "q8_0" || name == "mxfp4_ggml")
    u = quantizeGgml(name, data, Float16Type::get(scheme.getContext()));
  else
    u = quantizeWithScheme(scheme, shape, data);

  if (llvm::Error err = checkScalesFinite(scheme, u))
    return std::move(err);
  return pack(scheme, shape, std::move(u));
}

QuantizedTensor mlir::qf::detail::pack(SchemeAttr scheme, ArrayRef<int64_t> shape, Unpacked u) {
  QuantizedTensor q;
  q.layout = getStorageLayout(scheme, shape);
  if (scheme.getLayout() == LayoutKind::ggml) {
    q.buffers.push_back(packGgml(*getGgmlBlockType(scheme), u));
    return q;
  }
  std::vector<uint64_t> tensorScale{u.tensorScale};
  if (scheme.getLayout() == LayoutKind::tiled) {
    q.buffers.push_back(packTiles(scheme, shape, u));
    if (Type t = scheme.getTensorScaleType())
      q.buffers.push_back(packBits(tensorScale, t.getIntOrFloatBitWidth()));
    return q;
  }
  for (auto [buffer, items] : llvm::zip(q.layout.buffers, planarItems(q.layout, u, tensorScale)))
    q.buffers.push_back(packBits(*items, buffer.itemBits));
  return q;
}

/// The items of `q`, after checking that its buffers fit the layout.
static llvm::Expected<Unpacked> unpack(SchemeAttr scheme, ArrayRef<int64_t> shape, const QuantizedTensor &q) {
  if (llvm::Error err = checkShape(scheme, shape))
    return std::move(err);
  StorageLayout layout = getStorageLayout(scheme, shape);
  if (q.buffers.size() != layout.buffers.size())
    return makeError("expected " + llvm::Twine(layout.buffers.size()) + " buffers, got " +
                     llvm::Twine(q.buffers.size()));
  for (auto [want, have] : llvm::zip(layout.buffers, q.buffers))
    if (int64_t(have.size()) != want.bytes)
      return makeError("buffer '" + want.name + "' has " + llvm::Twine(have.size()) +
                       " bytes, the layout needs " + llvm::Twine(want.bytes));
  Unpacked u;
  switch (scheme.getLayout()) {
  case LayoutKind::ggml:
    return unpackGgml(*getGgmlBlockType(scheme), q.buffers[0], product(shape));
  case LayoutKind::tiled:
    u = unpackTiles(scheme, shape, q.buffers[0]);
    if (Type t = scheme.getTensorScaleType())
      u.tensorScale = unpackBits(q.buffers[1], 1, t.getIntOrFloatBitWidth())[0];
    return u;
  case LayoutKind::planar:
    break;
  }
  std::vector<uint64_t> tensorScale;
  for (auto [buffer, items, bytes] : llvm::zip(layout.buffers, planarItems(layout, u, tensorScale), q.buffers))
    *items = unpackBits(bytes, buffer.count, buffer.itemBits);
  if (!tensorScale.empty())
    u.tensorScale = tensorScale[0];
  return u;
}

llvm::Expected<QuantizedTensor> mlir::qf::relayout(SchemeAttr from, SchemeAttr to, ArrayRef<int64_t> shape,
                                                   const QuantizedTensor &q) {
  if (from.withLayout(to.getLayout()) != to)
    return makeError("relayout changes the layout only; the schemes differ otherwise");
  if (llvm::Error err = checkShape(to, shape))
    return std::move(err);
  llvm::Expected<Unpacked> u = unpack(from, shape, q);
  if (!u)
    return u.takeError();
  return pack(to, shape, std::move(*u));
}

llvm::Error mlir::qf::dequantize(SchemeAttr scheme, ArrayRef<int64_t> shape,
                                 const QuantizedTensor &q, MutableArrayRef<float> out) {
  llvm::Expected<Unpacked> unpacked = unpack(scheme, shape, q);
  if (!unpacked)
    return unpacked.takeError();
  const Unpacked &u = *unpacked;
  int64_t numel = product(shape);
  if (int64_t(out.size()) != numel)
    return makeError("output has " + llvm::Twine(out.size()) + " elements, shape needs " +
                     llvm::Twine(numel));

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
