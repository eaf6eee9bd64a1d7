//===- Quantizer.h - Host reference quantize / dequantize ------------------===//
//
// quantize(f32 data, scheme) -> the bytes of the scheme's storage layout, and
// back. This is the numerics every generated kernel is checked against; it is
// itself checked against ml_dtypes, the gguf package and independent numpy
// implementations (test/numerics). docs/formats.md states each algorithm.
//===----------------------------------------------------------------------===//
#ifndef QF_REFERENCE_QUANTIZER_H
#define QF_REFERENCE_QUANTIZER_H

#include "qf/IR/Layout.h"

#include "llvm/Support/Error.h"

#include <vector>

namespace mlir::qf {

/// Storage bytes, one vector per buffer of getStorageLayout() in its order.
struct QuantizedTensor {
  StorageLayout layout;
  std::vector<std::vector<uint8_t>> buffers;
};

llvm::Expected<QuantizedTensor> quantize(SchemeAttr scheme, llvm::ArrayRef<int64_t> shape,
                                         llvm::ArrayRef<float> data);

/// Fails if the buffers do not have the sizes the layout needs.
llvm::Error dequantize(SchemeAttr scheme, llvm::ArrayRef<int64_t> shape,
                       const QuantizedTensor &q, llvm::MutableArrayRef<float> out);

/// `q`, stored in the layout of `from`, stored in the layout of `to`, a
/// scheme that differs from `from` only in its layout: every code and scale
/// carries over (GGUF mxfp4's -0 codes read as +0, as ggml's table has it).
/// Fails if the buffers do not fit `from`, or `to` cannot hold the shape.
llvm::Expected<QuantizedTensor> relayout(SchemeAttr from, SchemeAttr to, llvm::ArrayRef<int64_t> shape,
                                         const QuantizedTensor &q);

} // namespace mlir::qf

#endif // QF_REFERENCE_QUANTIZER_H
