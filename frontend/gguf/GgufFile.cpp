//===- GgufFile.cpp - GGUF v2/v3 model files -------------------------------===//
#include "frontend/gguf/GgufFile.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MathExtras.h"

#include <cstring>

using namespace qforge::gguf;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

llvm::StringRef qforge::gguf::valueTypeName(ValueType type) {
  static const char *const names[] = {"uint8", "int8",   "uint16", "int16",  "uint32",
                                      "int32", "float32", "bool",  "string", "array",
                                      "uint64", "int64", "float64"};
  return uint32_t(type) < std::size(names) ? names[uint32_t(type)] : "unknown";
}

std::optional<uint64_t> Value::asUnsigned() const {
  switch (type) {
  case ValueType::UInt8: case ValueType::UInt16: case ValueType::UInt32: case ValueType::UInt64:
    return u;
  case ValueType::Int8: case ValueType::Int16: case ValueType::Int32: case ValueType::Int64:
    if (i >= 0)
      return uint64_t(i);
    return std::nullopt;
  default:
    return std::nullopt;
  }
}

std::optional<double> Value::asDouble() const {
  if (type == ValueType::Float32 || type == ValueType::Float64)
    return f;
  if (std::optional<uint64_t> v = asUnsigned())
    return double(*v);
  if (type == ValueType::Int8 || type == ValueType::Int16 || type == ValueType::Int32 ||
      type == ValueType::Int64)
    return double(i);
  return std::nullopt;
}

std::optional<TensorType> qforge::gguf::lookupTensorType(uint32_t id) {
  // ggml's type numbers and block sizes as the gguf package writes them
  // (Q8_1 with f32 d and s: an activation type no model file holds).
  static const TensorType types[] = {
      {0, "F32", 1, 4},         {1, "F16", 1, 2},          {2, "Q4_0", 32, 18},
      {3, "Q4_1", 32, 20},      {6, "Q5_0", 32, 22},       {7, "Q5_1", 32, 24},
      {8, "Q8_0", 32, 34},      {9, "Q8_1", 32, 40},       {10, "Q2_K", 256, 84},
      {11, "Q3_K", 256, 110},   {12, "Q4_K", 256, 144},    {13, "Q5_K", 256, 176},
      {14, "Q6_K", 256, 210},   {15, "Q8_K", 256, 292},    {16, "IQ2_XXS", 256, 66},
      {17, "IQ2_XS", 256, 74},  {18, "IQ3_XXS", 256, 98},  {19, "IQ1_S", 256, 50},
      {20, "IQ4_NL", 32, 18},   {21, "IQ3_S", 256, 110},   {22, "IQ2_S", 256, 82},
      {23, "IQ4_XS", 256, 136}, {24, "I8", 1, 1},          {25, "I16", 1, 2},
      {26, "I32", 1, 4},        {27, "I64", 1, 8},         {28, "F64", 1, 8},
      {29, "IQ1_M", 256, 56},   {30, "BF16", 1, 2},        {34, "TQ1_0", 256, 54},
      {35, "TQ2_0", 256, 66},   {39, "MXFP4", 32, 17},     {40, "NVFP4", 64, 36},     {41, "Q1_0", 128, 18}};
  for (const TensorType &t : types)
    if (t.id == id)
      return t;
  return std::nullopt;
}

uint64_t TensorInfo::numElements() const {
  uint64_t n = 1;
  for (uint64_t d : dims)
    n *= d;
  return n;
}

namespace {

constexpr uint32_t kMagic = 0x46554747; // "GGUF" little-endian
// Limits far above any real model that keep a corrupt count from running
// the reader out of memory or stack.
constexpr unsigned kMaxArrayDepth = 4;
constexpr uint64_t kMaxDims = 4;

/// Reads little-endian fields from the file, each checked against its end.
class Cursor {
public:
  Cursor(llvm::ArrayRef<uint8_t> bytes, StringRef name) : bytes(bytes), name(name.str()) {}

  uint64_t offset() const { return pos; }
  uint64_t remaining() const { return bytes.size() - pos; }

  Error fail(uint64_t at, const llvm::Twine &field, const llvm::Twine &what) const {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   name + ": offset " + llvm::Twine(at) + ": " + field + ": " + what);
  }

  template <typename T> Expected<T> read(const llvm::Twine &field) {
    if (remaining() < sizeof(T))
      return fail(pos, field,
                  "needs " + llvm::Twine(sizeof(T)) + " bytes, the file ends at " + llvm::Twine(bytes.size()));
    T v;
    std::memcpy(&v, bytes.data() + pos, sizeof(T));
    pos += sizeof(T);
    return v;
  }

  Expected<std::string> readString(const llvm::Twine &field) {
    uint64_t at = pos;
    Expected<uint64_t> length = read<uint64_t>(field + " length");
    if (!length)
      return length.takeError();
    if (*length > remaining())
      return fail(at, field,
                  "length " + llvm::Twine(*length) + " runs past the end of the file (" +
                      llvm::Twine(remaining()) + " bytes left)");
    std::string s(reinterpret_cast<const char *>(bytes.data() + pos), *length);
    pos += *length;
    return s;
  }

private:
  llvm::ArrayRef<uint8_t> bytes;
  std::string name;
  uint64_t pos = 0;
};

/// The smallest number of bytes a value of this type takes in the file.
uint64_t minimumSize(ValueType type) {
  switch (type) {
  case ValueType::UInt8: case ValueType::Int8: case ValueType::Bool: return 1;
  case ValueType::UInt16: case ValueType::Int16: return 2;
  case ValueType::UInt32: case ValueType::Int32: case ValueType::Float32: return 4;
  case ValueType::String: case ValueType::UInt64: case ValueType::Int64: case ValueType::Float64: return 8;
  case ValueType::Array: return 12;
  }
  return 1;
}

Expected<Value> readValue(Cursor &c, ValueType type, const std::string &field, unsigned depth) {
  Value v;
  v.type = type;
  uint64_t at = c.offset();
  // Stores a field read as a number into `slot`.
  auto number = [](auto expected, auto &slot) -> Error {
    if (!expected)
      return expected.takeError();
    slot = *expected;
    return Error::success();
  };
  switch (type) {
  case ValueType::UInt8: if (Error e = number(c.read<uint8_t>(field), v.u)) return std::move(e); break;
  case ValueType::Int8: if (Error e = number(c.read<int8_t>(field), v.i)) return std::move(e); break;
  case ValueType::UInt16: if (Error e = number(c.read<uint16_t>(field), v.u)) return std::move(e); break;
  case ValueType::Int16: if (Error e = number(c.read<int16_t>(field), v.i)) return std::move(e); break;
  case ValueType::UInt32: if (Error e = number(c.read<uint32_t>(field), v.u)) return std::move(e); break;
  case ValueType::Int32: if (Error e = number(c.read<int32_t>(field), v.i)) return std::move(e); break;
  case ValueType::UInt64: if (Error e = number(c.read<uint64_t>(field), v.u)) return std::move(e); break;
  case ValueType::Int64: if (Error e = number(c.read<int64_t>(field), v.i)) return std::move(e); break;
  case ValueType::Float32: if (Error e = number(c.read<float>(field), v.f)) return std::move(e); break;
  case ValueType::Float64: if (Error e = number(c.read<double>(field), v.f)) return std::move(e); break;
  case ValueType::Bool:
    if (Error e = number(c.read<uint8_t>(field), v.u))
      return std::move(e);
    if (v.u > 1)
      return c.fail(at, field, "bool is " + llvm::Twine(v.u) + ", not 0 or 1");
    break;
  case ValueType::String: {
    Expected<std::string> str = c.readString(field);
    if (!str)
      return str.takeError();
    v.s = std::move(*str);
    break;
  }
  case ValueType::Array: {
    if (depth >= kMaxArrayDepth)
      return c.fail(at, field, "arrays nested deeper than " + llvm::Twine(kMaxArrayDepth));
    Expected<uint32_t> elem = c.read<uint32_t>(field + " element type");
    if (!elem)
      return elem.takeError();
    if (*elem > uint32_t(ValueType::Float64))
      return c.fail(at, field, "unknown array element type " + llvm::Twine(*elem));
    v.elementType = ValueType(*elem);
    Expected<uint64_t> count = c.read<uint64_t>(field + " element count");
    if (!count)
      return count.takeError();
    if (*count > c.remaining() / minimumSize(v.elementType))
      return c.fail(at, field,
                    llvm::Twine(*count) + " elements of " + valueTypeName(v.elementType) +
                        " cannot fit in the " + llvm::Twine(c.remaining()) + " bytes left");
    v.elements.reserve(*count);
    for (uint64_t k = 0; k < *count; ++k) {
      Expected<Value> e = readValue(c, v.elementType, field + "[" + std::to_string(k) + "]", depth + 1);
      if (!e)
        return e.takeError();
      v.elements.push_back(std::move(*e));
    }
    break;
  }
  }
  return v;
}

} // namespace

Expected<std::unique_ptr<GgufFile>> GgufFile::open(StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer)
    return llvm::createStringError(buffer.getError(), path + ": " + buffer.getError().message());
  return read(std::move(*buffer), path);
}

Expected<std::unique_ptr<GgufFile>> GgufFile::read(std::unique_ptr<llvm::MemoryBuffer> buffer,
                                                   StringRef name) {
  std::unique_ptr<GgufFile> file(new GgufFile());
  llvm::ArrayRef<uint8_t> bytes(reinterpret_cast<const uint8_t *>(buffer->getBufferStart()),
                                buffer->getBufferSize());
  file->buffer_ = std::move(buffer);
  Cursor c(bytes, name);

  Expected<uint32_t> magic = c.read<uint32_t>("magic");
  if (!magic)
    return magic.takeError();
  if (*magic != kMagic)
    return c.fail(0, "magic", "not a GGUF file (the first 4 bytes are not \"GGUF\")");
  Expected<uint32_t> version = c.read<uint32_t>("version");
  if (!version)
    return version.takeError();
  if (*version != 2 && *version != 3)
    return c.fail(4, "version", "GGUF version " + llvm::Twine(*version) + " (this reader reads 2 and 3)");
  file->version_ = *version;
  Expected<uint64_t> tensorCount = c.read<uint64_t>("tensor count");
  if (!tensorCount)
    return tensorCount.takeError();
  Expected<uint64_t> kvCount = c.read<uint64_t>("metadata count");
  if (!kvCount)
    return kvCount.takeError();
  // A key-value pair takes at least 12 bytes, a tensor info 24.
  if (*kvCount > c.remaining() / 12)
    return c.fail(16, "metadata count", llvm::Twine(*kvCount) + " pairs cannot fit in the file");
  if (*tensorCount > c.remaining() / 24)
    return c.fail(8, "tensor count", llvm::Twine(*tensorCount) + " tensors cannot fit in the file");

  llvm::StringSet<> keys;
  for (uint64_t k = 0; k < *kvCount; ++k) {
    uint64_t at = c.offset();
    std::string field = "metadata pair " + std::to_string(k);
    Expected<std::string> key = c.readString(field + " key");
    if (!key)
      return key.takeError();
    field = "metadata '" + *key + "'";
    if (!keys.insert(*key).second)
      return c.fail(at, field, "duplicate key");
    Expected<uint32_t> type = c.read<uint32_t>(field + " type");
    if (!type)
      return type.takeError();
    if (*type > uint32_t(ValueType::Float64))
      return c.fail(at, field, "unknown value type " + llvm::Twine(*type));
    Expected<Value> value = readValue(c, ValueType(*type), field, 0);
    if (!value)
      return value.takeError();
    if (*key == "general.alignment") {
      std::optional<uint64_t> a = value->asUnsigned();
      if (value->type != ValueType::UInt32 || !a || *a == 0 || !llvm::isPowerOf2_64(*a))
        return c.fail(at, field, "must be a uint32 power of two");
      file->alignment_ = *a;
    }
    file->metadata_.emplace_back(std::move(*key), std::move(*value));
  }

  llvm::StringSet<> names;
  for (uint64_t t = 0; t < *tensorCount; ++t) {
    TensorInfo info;
    info.fileOffset = c.offset();
    std::string field = "tensor info " + std::to_string(t);
    Expected<std::string> tensorName = c.readString(field + " name");
    if (!tensorName)
      return tensorName.takeError();
    info.name = std::move(*tensorName);
    field = "tensor '" + info.name + "'";
    if (!names.insert(info.name).second)
      return c.fail(info.fileOffset, field, "duplicate tensor name");
    Expected<uint32_t> nDims = c.read<uint32_t>(field + " dimension count");
    if (!nDims)
      return nDims.takeError();
    if (*nDims == 0 || *nDims > kMaxDims)
      return c.fail(info.fileOffset, field, llvm::Twine(*nDims) + " dimensions (1 to 4 allowed)");
    uint64_t elements = 1;
    for (uint32_t d = 0; d < *nDims; ++d) {
      Expected<uint64_t> extent = c.read<uint64_t>(field + " ne[" + llvm::Twine(d) + "]");
      if (!extent)
        return extent.takeError();
      if (*extent == 0 || elements > (uint64_t(1) << 62) / *extent)
        return c.fail(info.fileOffset, field, "extent ne[" + llvm::Twine(d) + "] = " + llvm::Twine(*extent) +
                                                   " is zero or overflows the element count");
      elements *= *extent;
      info.dims.push_back(*extent);
    }
    Expected<uint32_t> type = c.read<uint32_t>(field + " type");
    if (!type)
      return type.takeError();
    info.type = *type;
    Expected<uint64_t> offset = c.read<uint64_t>(field + " offset");
    if (!offset)
      return offset.takeError();
    info.offset = *offset;
    file->tensors_.push_back(std::move(info));
  }

  // The data section starts at the next multiple of the alignment.
  uint64_t dataStart = llvm::alignTo(c.offset(), file->alignment_);
  if (dataStart > bytes.size() && !file->tensors_.empty())
    return c.fail(c.offset(), "data section", "starts at " + llvm::Twine(dataStart) + ", past the end of the file");
  file->dataOffset_ = dataStart;
  uint64_t dataBytes = bytes.size() > dataStart ? bytes.size() - dataStart : 0;
  for (TensorInfo &info : file->tensors_) {
    std::string field = "tensor '" + info.name + "'";
    if (info.offset % file->alignment_)
      return c.fail(info.fileOffset, field,
                    "data offset " + llvm::Twine(info.offset) + " is not a multiple of the alignment " +
                        llvm::Twine(file->alignment_));
    std::optional<TensorType> type = lookupTensorType(info.type);
    if (!type) {
      if (info.offset > dataBytes)
        return c.fail(info.fileOffset, field, "data offset " + llvm::Twine(info.offset) + " is past the end of the file");
      continue; // its extent is unknown; users of the tensor report its type
    }
    if (info.dims[0] % type->blockElements)
      return c.fail(info.fileOffset, field,
                    "ne[0] = " + llvm::Twine(info.dims[0]) + " is not a multiple of the " + type->name +
                        " block of " + llvm::Twine(type->blockElements));
    info.bytes = info.numElements() / type->blockElements * type->blockBytes;
    if (info.offset > dataBytes || info.bytes > dataBytes - info.offset)
      return c.fail(info.fileOffset, field,
                    llvm::Twine(info.bytes) + " bytes of data at offset " + llvm::Twine(dataStart + info.offset) +
                        " run past the end of the file (" + llvm::Twine(bytes.size()) + " bytes)");
    info.data = bytes.slice(dataStart + info.offset, info.bytes);
  }
  return file;
}

const Value *GgufFile::find(StringRef key) const {
  for (const auto &[k, v] : metadata_)
    if (k == key)
      return &v;
  return nullptr;
}

const TensorInfo *GgufFile::findTensor(StringRef name) const {
  for (const TensorInfo &t : tensors_)
    if (t.name == name)
      return &t;
  return nullptr;
}
