//===- HlsKernel.cpp - What the HLS kernel kinds share ---------------------===//
#include "codegen/hls/HlsKernel.h"

#include <cstring>

using namespace mlir;

namespace qforge::hls {

RankedTensorType staticF32Matrix(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  return t && t.getRank() == 2 && t.hasStaticShape() && t.getElementType().isF32() ? t : RankedTensorType();
}

std::string errorPrefix(Location loc, llvm::StringRef what) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    os << file.getFilename().getValue() << ":" << file.getLine() << ":" << file.getColumn();
  else
    os << loc;
  os << ": " << what << ": ";
  return s;
}

std::vector<float> testActivations(int64_t rows, int64_t cols, std::mt19937_64 &rng) {
  std::student_t_distribution<float> heavy(4.0f);
  std::vector<float> a(rows * cols);
  for (int64_t r = 0; r < rows; ++r) {
    float magnitude = r % 3 == 1 ? 40.0f : r % 3 == 2 ? 1e-3f : 1.0f;
    for (int64_t i = 0; i < cols; ++i)
      a[r * cols + i] = rows > 1 && r == rows - 1 ? 0.0f : heavy(rng) * magnitude;
  }
  return a;
}

std::vector<uint8_t> bytesOf(llvm::ArrayRef<float> values) {
  std::vector<uint8_t> bytes(values.size() * 4);
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

} // namespace qforge::hls
