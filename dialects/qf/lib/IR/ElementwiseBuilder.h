//===- ElementwiseBuilder.h - Decode arithmetic on scalars or vectors ------===//
//
// Format decodes are written once and emitted on a scalar code or,
// elementwise, on a vector of codes (the vectorized kernels): types and
// constants take the shape of the code.
//===----------------------------------------------------------------------===//
#ifndef QF_LIB_IR_ELEMENTWISEBUILDER_H
#define QF_LIB_IR_ELEMENTWISEBUILDER_H

#include "qf/IR/Qf.h"

#include "mlir/IR/TypeUtilities.h"

namespace mlir::qf::detail {

class ElementwiseBuilder {
public:
  ElementwiseBuilder(OpBuilder &b, Location loc, Value code)
      : b(b), loc(loc), vectorType(dyn_cast<VectorType>(code.getType())) {}

  /// `scalar`, or a vector of it shaped like the code.
  Type like(Type scalar) const {
    return vectorType ? Type(VectorType::get(vectorType.getShape(), scalar)) : scalar;
  }
  Value i32(int64_t v) const { return constant(b.getIntegerAttr(b.getI32Type(), v)); }
  Value f32(double v) const {
    return constant(b.getFloatAttr(b.getF32Type(), APFloat(static_cast<float>(v))));
  }
  /// The code as (a vector of) i32, zero-extended or truncated.
  Value toI32(Value code) const {
    unsigned width = getElementTypeOrSelf(code.getType()).getIntOrFloatBitWidth();
    if (width == 32)
      return code;
    if (width < 32)
      return arith::ExtUIOp::create(b, loc, like(b.getI32Type()), code);
    return arith::TruncIOp::create(b, loc, like(b.getI32Type()), code);
  }
  /// An f32 result converted to the requested float type.
  Value toResult(Value v, FloatType type) const {
    if (type.getWidth() == 32)
      return v;
    if (type.getWidth() < 32)
      return arith::TruncFOp::create(b, loc, like(type), v);
    return arith::ExtFOp::create(b, loc, like(type), v);
  }

  OpBuilder &b;
  Location loc;

private:
  Value constant(TypedAttr scalar) const {
    if (!vectorType)
      return arith::ConstantOp::create(b, loc, scalar);
    auto type = VectorType::get(vectorType.getShape(), scalar.getType());
    return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, scalar));
  }
  VectorType vectorType;
};

} // namespace mlir::qf::detail

#endif // QF_LIB_IR_ELEMENTWISEBUILDER_H
