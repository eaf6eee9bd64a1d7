#ifndef QFORGE_PASSES_TD
#define QFORGE_PASSES_TD

include "mlir/Pass/PassBase.td"

def QfLowerToLinalg : Pass<"qf-lower-to-linalg", "ModuleOp"> {
  let summary = "Lower qf ops to linalg on packed storage, decoding in the loop body";
  let description = [{
    Replaces every `!qf.qtensor` by its storage buffers (one `tensor<Nxi8>`
    per buffer of its layout, qf/IR/Layout.h: a 1:N type conversion of
    function signatures, calls and returns) and lowers

    - `qf.matmul` to a `linalg.generic` whose body decodes the weight element
      it multiplies: nothing is materialised in f32;
    - `qf.dequantize` to a `linalg.generic` that decodes each element.

    Element and scale decodes come from the format interface
    (`buildDecode`), so a new format needs no change here. Ops without a
    lowering yet (quantize, requantize, hadamard, weight, activation schemes)
    are reported as errors at their location.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

#endif // QFORGE_PASSES_TD
