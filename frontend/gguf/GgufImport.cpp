//===- GgufImport.cpp - GGUF tensors as qf types, encodings kept ----------===//
#include "frontend/gguf/GgufImport.h"

using namespace qforge::gguf;

namespace {
struct Mapping {
  uint32_t ggmlType;
  const char *scheme, *floatType;
};
// GGUF block types whose bytes are a qf preset's storage as they are.
constexpr Mapping kMappings[] = {{0, "", "f32"},    {2, "q4_0", ""},   {3, "q4_1", ""},
                                 {8, "q8_0", ""},   {12, "q4_k", ""},  {20, "iq4_nl", ""},
                                 {39, "mxfp4_ggml", ""}};
} // namespace

llvm::Expected<ImportedTensor> qforge::gguf::importTensor(const TensorInfo &tensor) {
  for (const Mapping &m : kMappings)
    if (m.ggmlType == tensor.type) {
      ImportedTensor imported{m.scheme, m.floatType, {}};
      for (auto it = tensor.dims.rbegin(); it != tensor.dims.rend(); ++it)
        imported.shape.push_back(int64_t(*it));
      return imported;
    }
  std::string name = "type " + std::to_string(tensor.type);
  if (std::optional<TensorType> t = lookupTensorType(tensor.type))
    name = t->name.str() + " (" + name + ")";
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "tensor '" + tensor.name + "' has " + name +
                                     ", which qforge cannot import yet (it imports F32, Q4_0, Q4_1, Q8_0, "
                                     "Q4_K, IQ4_NL and MXFP4)");
}
