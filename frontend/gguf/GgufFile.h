//===- GgufFile.h - GGUF v2/v3 model files ---------------------------------===//
//
// Reads a GGUF file (mapped, not copied): header, typed metadata, tensor
// infos, and where each tensor's data lies. Every length, count, offset and
// type is checked against the file; a truncated or corrupt file is an error
// naming the byte offset and the field, never a crash.
//===----------------------------------------------------------------------===//
#ifndef QFORGE_FRONTEND_GGUF_GGUFFILE_H
#define QFORGE_FRONTEND_GGUF_GGUFFILE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace qforge::gguf {

/// GGUF metadata value types, by their numbers in the file.
enum class ValueType : uint32_t {
  UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5, Float32 = 6, Bool = 7,
  String = 8, Array = 9, UInt64 = 10, Int64 = 11, Float64 = 12,
};

llvm::StringRef valueTypeName(ValueType type);

/// One metadata value: a number, a string or an array of values of one type.
struct Value {
  ValueType type = ValueType::UInt8;
  uint64_t u = 0;   ///< unsigned integers and bools
  int64_t i = 0;    ///< signed integers
  double f = 0;     ///< floats
  std::string s;    ///< strings
  ValueType elementType = ValueType::UInt8; ///< arrays
  std::vector<Value> elements;              ///< arrays

  std::optional<uint64_t> asUnsigned() const; ///< any integer type that is >= 0
  std::optional<double> asDouble() const;     ///< any number
};

/// ggml tensor types: the number in the file, a name, and the bytes of a
/// block of elements along ne[0].
struct TensorType {
  uint32_t id;
  llvm::StringRef name;
  uint64_t blockElements, blockBytes;
};

/// The type with this number, if this reader knows its block size.
std::optional<TensorType> lookupTensorType(uint32_t id);

struct TensorInfo {
  std::string name;
  std::vector<uint64_t> dims; ///< ne[0] first: the fastest-varying extent
  uint32_t type;              ///< a ggml type number
  uint64_t offset;            ///< from the start of the data section
  uint64_t fileOffset;        ///< where the tensor info begins (for messages)
  uint64_t bytes = 0;         ///< 0 where the type's block size is unknown
  llvm::ArrayRef<uint8_t> data; ///< empty where the type's block size is unknown

  uint64_t numElements() const;
};

class GgufFile {
public:
  /// Maps and reads `path`.
  static llvm::Expected<std::unique_ptr<GgufFile>> open(llvm::StringRef path);
  /// Reads a file already in memory; `name` prefixes error messages.
  static llvm::Expected<std::unique_ptr<GgufFile>> read(std::unique_ptr<llvm::MemoryBuffer> buffer,
                                                        llvm::StringRef name);

  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t dataOffset() const { return dataOffset_; }
  const std::vector<std::pair<std::string, Value>> &metadata() const { return metadata_; }
  const std::vector<TensorInfo> &tensors() const { return tensors_; }

  const Value *find(llvm::StringRef key) const;
  const TensorInfo *findTensor(llvm::StringRef name) const;

private:
  GgufFile() = default;
  std::unique_ptr<llvm::MemoryBuffer> buffer_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32, dataOffset_ = 0;
  std::vector<std::pair<std::string, Value>> metadata_;
  std::vector<TensorInfo> tensors_;
};

} // namespace qforge::gguf

#endif // QFORGE_FRONTEND_GGUF_GGUFFILE_H
