#ifndef QF_TYPES_TD
#define QF_TYPES_TD

include "mlir/IR/AttrTypeBase.td"
include "qf/IR/QfAttrs.td"

def Qf_QTensorType : TypeDef<Qf_Dialect, "QTensor"> {
  let mnemonic = "qtensor";
  let summary = "A quantized tensor: a static shape and a scheme";
  let description = [{
    `!qf.qtensor<4096x4096, mxfp4>` or
    `!qf.qtensor<64x128, #qf.scheme<element = #qf.int<4>, group = 32, scale = f16>>`.
    Its physical storage (see qf/IR/Layout.h and docs/dialect.md) is fixed by
    the shape and the scheme.
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$shape, "SchemeAttr":$scheme);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getRank() const { return getShape().size(); }
  }];
}

#endif // QF_TYPES_TD
