//===- Npy.cpp - NumPy .npy arrays -----------------------------------------===//
#include "frontend/npy/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>

using namespace llvm;
using namespace qforge;

static Error fail(StringRef path, size_t offset, const Twine &msg) {
  return createStringError(inconvertibleErrorCode(),
                           path + ": byte " + Twine(offset) + ": " + msg);
}

static unsigned itemSize(StringRef dtype) {
  if (dtype.size() < 2)
    return 0;
  unsigned n = 0;
  if (dtype.drop_front().getAsInteger(10, n))
    return 0;
  return n;
}

static bool isSupported(StringRef dtype) {
  static const char *const kTypes[] = {"f2", "f4", "f8", "i1", "i2", "i4", "i8",
                                       "u1", "u2", "u4", "u8"};
  return llvm::is_contained(kTypes, dtype);
}

int64_t npy::Array::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

static double halfToDouble(uint16_t h) {
  int exp = (h >> 10) & 0x1F, man = h & 0x3FF;
  double v = exp == 0    ? std::ldexp(double(man), -24)
             : exp == 31 ? (man ? NAN : INFINITY)
                         : std::ldexp(double(man | 0x400), exp - 25);
  return (h & 0x8000) ? -v : v;
}

std::vector<double> npy::Array::toDoubles() const {
  int64_t n = numElements();
  std::vector<double> out(n);
  const uint8_t *p = bytes.data();
  unsigned size = itemSize(dtype);
  for (int64_t i = 0; i < n; ++i, p += size) {
    uint64_t raw = 0;
    std::memcpy(&raw, p, size); // little-endian host
    switch (dtype[0]) {
    case 'f':
      if (size == 2) {
        out[i] = halfToDouble(uint16_t(raw));
      } else if (size == 4) {
        float f;
        std::memcpy(&f, p, 4);
        out[i] = f;
      } else {
        std::memcpy(&out[i], p, 8);
      }
      break;
    case 'u':
      out[i] = double(raw);
      break;
    default: {
      int64_t v = int64_t(raw << (64 - 8 * size)) >> (64 - 8 * size);
      out[i] = double(v);
    }
    }
  }
  return out;
}

/// Finds `'key':` in the header dict and returns the text after it.
static std::optional<StringRef> valueOf(StringRef header, StringRef key) {
  size_t at = header.find(("'" + key + "'").str());
  if (at == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(at + key.size() + 2).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  return rest.ltrim();
}

Expected<npy::Array> npy::parse(StringRef path, ArrayRef<uint8_t> file) {
  static const char kMagic[] = "\x93NUMPY";
  if (file.size() < 10 || std::memcmp(file.data(), kMagic, 6) != 0)
    return fail(path, 0, "not a .npy file (missing \\x93NUMPY magic)");
  unsigned major = file[6];
  if (major < 1 || major > 3)
    return fail(path, 6, "unsupported .npy version " + Twine(major));
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = file[8] | size_t(file[9]) << 8;
    headerStart = 10;
  } else {
    if (file.size() < 12)
      return fail(path, 8, "truncated header length");
    headerLen = file[8] | size_t(file[9]) << 8 | size_t(file[10]) << 16 | size_t(file[11]) << 24;
    headerStart = 12;
  }
  if (headerStart + headerLen > file.size())
    return fail(path, headerStart, "header of " + Twine(headerLen) + " bytes runs past the end");
  StringRef header(reinterpret_cast<const char *>(file.data()) + headerStart, headerLen);

  Array a;
  std::optional<StringRef> descr = valueOf(header, "descr");
  if (!descr || !descr->consume_front("'"))
    return fail(path, headerStart, "header has no 'descr'");
  StringRef d = descr->take_until([](char c) { return c == '\''; });
  char order = d.empty() ? '?' : d[0];
  if (order == '>')
    return fail(path, headerStart, "big-endian arrays are not supported ('" + d + "')");
  if (order == '<' || order == '|' || order == '=')
    d = d.drop_front();
  if (!isSupported(d))
    return fail(path, headerStart, "unsupported dtype '" + d + "'");
  a.dtype = d.str();

  std::optional<StringRef> fortran = valueOf(header, "fortran_order");
  if (!fortran)
    return fail(path, headerStart, "header has no 'fortran_order'");
  if (fortran->starts_with("True"))
    return fail(path, headerStart, "Fortran-order arrays are not supported");

  std::optional<StringRef> shape = valueOf(header, "shape");
  if (!shape || !shape->consume_front("("))
    return fail(path, headerStart, "header has no 'shape' tuple");
  StringRef dims = shape->take_until([](char c) { return c == ')'; });
  SmallVector<StringRef> parts;
  dims.split(parts, ',', -1, /*KeepEmpty=*/false);
  for (StringRef part : parts) {
    int64_t v;
    if (part.trim().getAsInteger(10, v) || v < 0)
      return fail(path, headerStart, "bad dimension '" + part.trim() + "' in shape");
    a.shape.push_back(v);
  }

  size_t dataStart = headerStart + headerLen;
  uint64_t want = uint64_t(a.numElements()) * itemSize(a.dtype);
  if (file.size() - dataStart != want)
    return fail(path, dataStart, "expected " + Twine(want) + " bytes of data for shape (" +
                                     dims + ") and dtype " + a.dtype + ", found " +
                                     Twine(file.size() - dataStart));
  a.bytes.assign(file.begin() + dataStart, file.end());
  return a;
}

Expected<npy::Array> npy::read(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buf = MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buf)
    return createStringError(buf.getError(), path + ": " + buf.getError().message());
  ArrayRef<uint8_t> bytes(reinterpret_cast<const uint8_t *>((*buf)->getBufferStart()),
                          (*buf)->getBufferSize());
  return parse(path, bytes);
}

std::string npy::shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + (shape[i] < 0 ? "?" : std::to_string(shape[i]));
  return s;
}

Error npy::write(StringRef path, StringRef dtype, ArrayRef<int64_t> shape, const void *data) {
  std::string dims;
  for (int64_t d : shape)
    dims += std::to_string(d) + ", ";
  if (shape.size() > 1)
    dims.resize(dims.size() - 2);
  else if (shape.size() == 1)
    dims.resize(dims.size() - 1);
  std::string order = itemSize(dtype) == 1 ? "|" : "<";
  std::string header = "{'descr': '" + order + dtype.str() + "', 'fortran_order': False, 'shape': (" +
                       dims + "), }";
  // Pad with spaces so the data starts 64-byte aligned, ending in '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';

  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_None);
  if (ec)
    return createStringError(ec, path + ": " + ec.message());
  os << "\x93NUMPY" << char(1) << char(0) << char(header.size() & 0xFF)
     << char(header.size() >> 8) << header;
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  os.write(static_cast<const char *>(data), size_t(n) * itemSize(dtype));
  os.close();
  if (os.has_error())
    return createStringError(os.error(), path + ": " + os.error().message());
  return Error::success();
}
