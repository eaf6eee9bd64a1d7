//===- Hadamard.cpp - Host reference of qf.hadamard ------------------------===//
#include "qf/Reference/Hadamard.h"

#include <cassert>
#include <cmath>
#include <vector>

using namespace mlir;

int qf::hadamardSign(uint64_t seed, uint64_t i) {
  uint64_t z = seed + (i + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return (z >> 63) ? -1 : 1;
}

void qf::rotateRows(llvm::MutableArrayRef<float> values, int64_t cols, int64_t size,
                    std::optional<uint64_t> seed) {
  assert(size > 0 && (size & (size - 1)) == 0 && cols % size == 0 && "a block size dividing cols");
  std::vector<double> sign(size_t(cols), 1.0), row(static_cast<size_t>(cols));
  if (seed)
    for (int64_t i = 0; i < cols; ++i)
      sign[size_t(i)] = hadamardSign(*seed, uint64_t(i));
  double norm = 1.0 / std::sqrt(double(size));
  for (size_t first = 0; first < values.size(); first += size_t(cols)) {
    for (int64_t i = 0; i < cols; ++i)
      row[size_t(i)] = values[first + size_t(i)] * sign[size_t(i)];
    for (int64_t h = 1; h < size; h *= 2)
      for (int64_t i = 0; i < cols; ++i)
        if (!(i & h)) {
          double a = row[size_t(i)], b = row[size_t(i + h)];
          row[size_t(i)] = a + b, row[size_t(i + h)] = a - b;
        }
    for (int64_t i = 0; i < cols; ++i)
      values[first + size_t(i)] = float(row[size_t(i)] * norm);
  }
}
