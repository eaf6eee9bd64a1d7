//===- Npy.h - NumPy .npy arrays -------------------------------------------===//
//
// Reads and writes version 1-3 .npy files (little-endian, C order). Every
// malformed input is an error naming the file and the byte offset.
//===----------------------------------------------------------------------===//
#ifndef QFORGE_FRONTEND_NPY_H
#define QFORGE_FRONTEND_NPY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qforge::npy {

struct Array {
  std::string dtype; ///< numpy descr without byte order: f4, f8, f2, u1, u2, i4, ...
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;

  int64_t numElements() const;
  /// Element values as doubles (integer and float dtypes).
  std::vector<double> toDoubles() const;
};

llvm::Expected<Array> read(llvm::StringRef path);
llvm::Expected<Array> parse(llvm::StringRef path, llvm::ArrayRef<uint8_t> file);

/// dtype "f4", "f8" or "u2"; `data` holds numElements * itemsize bytes.
llvm::Error write(llvm::StringRef path, llvm::StringRef dtype, llvm::ArrayRef<int64_t> shape,
                  const void *data);

std::string shapeString(llvm::ArrayRef<int64_t> shape);

} // namespace qforge::npy

#endif // QFORGE_FRONTEND_NPY_H
