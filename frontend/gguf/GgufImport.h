//===- GgufImport.h - GGUF tensors as qf types, encodings kept ------------===//
#ifndef QFORGE_FRONTEND_GGUF_GGUFIMPORT_H
#define QFORGE_FRONTEND_GGUF_GGUFIMPORT_H

#include "frontend/gguf/GgufFile.h"

namespace qforge::gguf {

/// How a GGUF tensor enters the IR without re-quantization: a plain float
/// tensor, or a !qf.qtensor of a preset whose storage is the file's bytes.
struct ImportedTensor {
  std::string scheme;         ///< a qf preset; empty for a plain float tensor
  std::string floatType;      ///< "f32" for a plain float tensor
  std::vector<int64_t> shape; ///< row-major: ne reversed ([out, in] for a weight)
};

/// The import of `tensor`; a type qforge cannot import yet is an error naming
/// the tensor and its type.
llvm::Expected<ImportedTensor> importTensor(const TensorInfo &tensor);

} // namespace qforge::gguf

#endif // QFORGE_FRONTEND_GGUF_GGUFIMPORT_H
