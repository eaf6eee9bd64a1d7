//===- QfOps.cpp - qf operations --------------------------------------------===//
#include "qf/IR/Layout.h"
#include "qf/IR/Qf.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::qf;

static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(
      shape, os, [&](int64_t d) { ShapedType::isDynamic(d) ? os << "?" : os << d; }, "x");
  return s;
}

/// Shapes agree where both are static (a dynamic dimension is checked at run time).
static LogicalResult verifySameShape(Operation *op, ArrayRef<int64_t> a,
                                     ArrayRef<int64_t> b, StringRef what) {
  if (succeeded(verifyCompatibleShape(a, b)))
    return success();
  return op->emitOpError() << what << " shape " << shapeString(a)
                           << " does not match " << shapeString(b);
}

LogicalResult QuantizeOp::verify() {
  return verifySameShape(*this, getInput().getType().getShape(),
                         getResult().getType().getShape(), "input");
}

LogicalResult DequantizeOp::verify() {
  return verifySameShape(*this, getResult().getType().getShape(),
                         getInput().getType().getShape(), "result");
}

LogicalResult RequantizeOp::verify() {
  return verifySameShape(*this, getResult().getType().getShape(),
                         getInput().getType().getShape(), "result");
}

OpFoldResult RequantizeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getResult().getType())
    return getInput();
  return {};
}

LogicalResult HadamardOp::verify() {
  int64_t size = static_cast<int64_t>(getSize());
  if (size < 2 || size > 4096 || (size & (size - 1)))
    return emitOpError() << "size must be a power of two from 2 to 4096, got " << size;
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  int64_t rank = shape.size();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << static_cast<int64_t>(getAxis())
                         << " is out of range for rank " << rank;
  if (!ShapedType::isDynamic(shape[axis]) && shape[axis] % size)
    return emitOpError() << "size " << size << " does not divide dimension " << axis
                         << " (size " << shape[axis] << ")";
  return success();
}

/// Whether a scheme's blocks run along the reduction axis K (the last one).
static bool blocksAlongLastAxis(SchemeAttr s, int64_t rank) {
  switch (s.getGranularity()) {
  case Granularity::tensor:
  case Granularity::block:
    return true;
  case Granularity::per_axis:
    return s.getAxis() != rank - 1;
  case Granularity::group:
    return s.getAxis() == -1 || s.getAxis() == rank - 1;
  }
  return false;
}

LogicalResult MatmulOp::verify() {
  ArrayRef<int64_t> a = getLhs().getType().getShape();
  QTensorType w = getRhs().getType();
  ArrayRef<int64_t> c = getResult().getType().getShape();
  if (a.size() < 2)
    return emitOpError() << "lhs must have rank >= 2 ([..., M, K]), got rank " << a.size();
  if (w.getRank() != 2)
    return emitOpError() << "weights must be a rank-2 [N, K] qtensor, got rank " << w.getRank();
  int64_t k = a.back(), n = w.getShape()[0];
  if (!ShapedType::isDynamic(k) && k != w.getShape()[1])
    return emitOpError() << "reduction size mismatch: lhs K = " << k << ", weight K = "
                         << w.getShape()[1];
  SmallVector<int64_t> expected(a.drop_back());
  expected.push_back(n);
  if (c.size() != expected.size())
    return emitOpError() << "result must have rank " << expected.size();
  for (auto [got, want] : llvm::zip(c, expected))
    if (got != want && !ShapedType::isDynamic(got) && !ShapedType::isDynamic(want))
      return emitOpError() << "result shape " << shapeString(c) << " does not match "
                           << shapeString(expected);
  if (!blocksAlongLastAxis(w.getScheme(), 2))
    return emitOpError() << "weight scales must be grouped along K (the last axis)";
  if (std::optional<SchemeAttr> act = getActScheme()) {
    if (act->getLayout() != LayoutKind::planar)
      return emitOpError() << "activation schemes use the planar layout";
    if (act->getGranularity() == Granularity::block || act->getSuperBlock())
      return emitOpError() << "activation schemes are per-tensor, per-token (per_axis) or "
                              "grouped along K";
    if (act->getGranularity() == Granularity::per_axis &&
        act->getAxis() >= int64_t(a.size()))
      return emitOpError() << "activation per_axis " << act->getAxis()
                           << " is out of range for rank " << a.size();
    if (!blocksAlongLastAxis(*act, a.size()))
      return emitOpError() << "activation scales must be grouped along K (the last axis)";
    if (int64_t g = act->getGroupSize(); g && !ShapedType::isDynamic(k) && k % g)
      return emitOpError() << "activation group size " << g << " does not divide K = " << k;
  }
  if (std::optional<uint64_t> size = getActHadamard()) {
    if (!getActScheme())
      return emitOpError() << "act_hadamard rotates activations for their quantizer: it needs "
                              "act_scheme";
    int64_t s = int64_t(*size);
    if (s < 2 || s > 4096 || (s & (s - 1)))
      return emitOpError() << "act_hadamard must be a power of two from 2 to 4096, got " << s;
    if (!ShapedType::isDynamic(k) && k % s)
      return emitOpError() << "act_hadamard " << s << " does not divide K = " << k;
  } else if (getActHadamardSeed()) {
    return emitOpError() << "act_hadamard_seed needs act_hadamard";
  }
  return success();
}

LogicalResult WeightOp::verify() {
  QTensorType type = getResult().getType();
  int64_t need = getStorageLayout(type.getScheme(), type.getShape()).totalBytes();
  int64_t have = 0;
  if (auto blob = dyn_cast<ExternalBlobAttr>(getData())) {
    have = blob.getSize();
  } else {
    auto res = cast<DenseResourceElementsAttr>(getData());
    auto elem = dyn_cast<IntegerType>(res.getType().getElementType());
    if (!elem || elem.getWidth() != 8 || res.getType().getRank() != 1)
      return emitOpError() << "dense_resource data must be a 1-D tensor of 8-bit integers";
    have = res.getType().getNumElements();
  }
  if (have != need)
    return emitOpError() << "data has " << have << " bytes but the storage of " << type
                         << " needs " << need;
  return success();
}

OpFoldResult WeightOp::fold(FoldAdaptor) { return getData(); }

LogicalResult LookupOp::verify() {
  size_t n = getTable().size();
  if (n < 2 || n > 16 || (n & (n - 1)))
    return emitOpError() << "table must have 2, 4, 8 or 16 entries, got " << n;
  Type codes = getCodes().getType().getElementType(), result = getResult().getType().getElementType();
  if (result.isF32() != codes.isInteger(32))
    return emitOpError() << "f32 tables take i32 codes, byte and i16 tables i8 codes";
  if (auto intType = dyn_cast<IntegerType>(result)) {
    int64_t lo = intType.getWidth() == 8 ? -128 : -32768, hi = intType.getWidth() == 8 ? 255 : 32767;
    for (float v : getTable())
      if (v != std::trunc(v) || v < lo || v > hi)
        return emitOpError() << (intType.getWidth() == 8 ? "byte" : "i16") << " table entries must be integers in ["
                             << lo << ", " << hi << "], got " << v;
  }
  return success();
}

LogicalResult Dot4Op::verify() {
  int64_t lanes = getAcc().getType().getDimSize(0), bytes = getLhs().getType().getDimSize(0);
  if (bytes != 4 * lanes)
    return emitOpError() << "needs four bytes per i32 lane: " << bytes << " bytes for " << lanes
                         << " lanes";
  if (getLhsSigned() && getLhsMax() && *getLhsMax() > 127)
    return emitOpError() << "signed lhs bytes lie within [-127, 127], but lhs_max is " << *getLhsMax();
  return success();
}

LogicalResult Dot2Op::verify() {
  int64_t lanes = getAcc().getType().getDimSize(0), words = getLhs().getType().getDimSize(0);
  if (words != 2 * lanes)
    return emitOpError() << "needs two i16 values per i32 lane: " << words << " values for " << lanes << " lanes";
  return success();
}

#define GET_OP_CLASSES
#include "qf/IR/QfOps.cpp.inc"
