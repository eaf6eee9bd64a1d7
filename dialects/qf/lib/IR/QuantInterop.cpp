//===- QuantInterop.cpp - !quant.uniform types as qf schemes ---------------===//
//
// A quant type fixes the scales in the type; a qf scheme describes the format
// and leaves scales to the data. The conversion keeps the format: storage
// integer, scale (expressed) type, zero points, and how scales are grouped.
//===----------------------------------------------------------------------===//
#include "qf/IR/Qf.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"

using namespace mlir;
using namespace mlir::qf;

namespace mlir::qf {
SchemeAttr convertQuantType(quant::QuantizedType type,
                            function_ref<InFlightDiagnostic()> emitError);
}

SchemeAttr mlir::qf::convertQuantType(quant::QuantizedType type,
                                      function_ref<InFlightDiagnostic()> emitError) {
  MLIRContext *ctx = type.getContext();
  if (!isa<quant::UniformQuantizedType, quant::UniformQuantizedPerAxisType,
           quant::UniformQuantizedSubChannelType>(type)) {
    emitError() << "only uniform quant types convert to qf schemes";
    return {};
  }
  unsigned width = type.getStorageTypeIntegralWidth();
  if (width < 2 || width > 8) {
    emitError() << "quant storage type of " << width << " bits has no qf integer format (2 to 8 bits)";
    return {};
  }
  Type expressed = type.getExpressedType();
  if (!expressed || !(expressed.isF32() || expressed.isF16() || expressed.isBF16())) {
    emitError() << "quant expressed type must be f32, f16 or bf16";
    return {};
  }

  Granularity granularity = Granularity::tensor;
  int64_t axis = -1;
  SmallVector<int64_t> block;
  bool hasZeroPoint = false;
  if (auto t = dyn_cast<quant::UniformQuantizedType>(type)) {
    hasZeroPoint = t.getZeroPoint() != 0;
  } else if (auto t = dyn_cast<quant::UniformQuantizedPerAxisType>(type)) {
    granularity = Granularity::per_axis;
    axis = t.getQuantizedDimension();
    hasZeroPoint = llvm::any_of(t.getZeroPoints(), [](int64_t z) { return z != 0; });
  } else if (auto t = dyn_cast<quant::UniformQuantizedSubChannelType>(type)) {
    hasZeroPoint = llvm::any_of(t.getZeroPoints().getValues<APInt>(),
                                [](const APInt &z) { return !z.isZero(); });
    // Unlisted dimensions are blocked over their whole extent, which no qf
    // granularity expresses: every dimension must be listed.
    int64_t rank = t.getScales().getType().getRank();
    if (int64_t(t.getQuantizedDimensions().size()) != rank) {
      emitError() << "sub-channel quantization must list a block size for each of the "
                  << rank << " dimensions to convert to a qf scheme";
      return {};
    }
    SmallVector<std::pair<int64_t, int64_t>> blocked;
    for (auto [dim, size] : llvm::zip(t.getQuantizedDimensions(), t.getBlockSizes()))
      if (size != 1)
        blocked.push_back({dim, size});
    llvm::sort(blocked);
    if (blocked.size() == 1) {
      granularity = Granularity::group;
      axis = blocked[0].first == rank - 1 ? -1 : blocked[0].first;
      block = {blocked[0].second};
    } else if (blocked.size() == 2 && blocked[0].first == rank - 2 &&
               blocked[1].first == rank - 1) {
      granularity = Granularity::block;
      block = {blocked[0].second, blocked[1].second};
    } else {
      emitError() << "sub-channel quantization with " << blocked.size()
                  << " blocked dimensions has no qf granularity (one dimension, "
                     "or two adjacent trailing ones)";
      return {};
    }
  } else {
    emitError() << "only uniform quant types convert to qf schemes";
    return {};
  }

  bool isSigned = type.isSigned();
  hasZeroPoint |= !isSigned;
  auto elem = IntFormatAttr::get(ctx, width, isSigned, 0);
  Attribute zp = hasZeroPoint ? IntFormatAttr::get(ctx, width, isSigned, 0) : Attribute();
  return SchemeAttr::getChecked(
      emitError, ctx, cast<QuantFormatAttrInterface>(elem), granularity, axis,
      ArrayRef<int64_t>(block), Attribute(TypeAttr::get(expressed)), hasZeroPoint ? OffsetKind::zero_point : OffsetKind::none,
      zp, int64_t(0), Type(), Type(), RoundingMode::nearest_even, true, LayoutKind::planar);
}
