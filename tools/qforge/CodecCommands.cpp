//===- CodecCommands.cpp - encode, decode, quantize, dequantize ------------===//
//
// Thin command-line access to the host reference numerics, used by people
// trying formats and by the independent-reference tests in test/numerics.
//===----------------------------------------------------------------------===//
#include "CommandLine.h"

#include "frontend/npy/Npy.h"
#include "qf/Reference/HostCodec.h"
#include "qf/Reference/Quantizer.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace mlir;
using namespace mlir::qf;

namespace qforge {

static Expected<qf::RoundingMode> parseRounding(StringRef text) {
  if (std::optional<qf::RoundingMode> r = symbolizeRoundingMode(text))
    return *r;
  return makeError("unknown rounding '" + text +
                   "'; expected nearest_even, nearest_away, nearest_up, "
                   "nearest_lowest_code or toward_zero");
}

Error encodeMain(MLIRContext *ctx, ArrayRef<const char *> argv) {
  Expected<Args> args = Args::parse("encode", argv, {"format", "input", "output"},
                                    {"rounding"}, {"no-saturate"});
  if (!args)
    return args.takeError();
  std::string input = args->get("input"), output = args->get("output");
  Expected<QuantFormatAttrInterface> format = parseFormat(ctx, args->get("format"));
  if (!format)
    return format.takeError();
  Expected<qf::RoundingMode> mode = parseRounding(args->get("rounding", "nearest_even"));
  if (!mode)
    return mode.takeError();
  Expected<npy::Array> in = npy::read(input);
  if (!in)
    return in.takeError();
  if (in->dtype != "f4" && in->dtype != "f8")
    return makeError(input + ": encode takes float32 or float64 input, got " + in->dtype);

  HostCodec codec(*format);
  std::vector<double> values = in->toDoubles();
  std::vector<uint16_t> codes(values.size());
  bool saturate = !args->has("no-saturate");
  for (size_t i = 0; i < values.size(); ++i)
    codes[i] = uint16_t(codec.encode(values[i], *mode, saturate));
  return npy::write(output, "u2", in->shape, codes.data());
}

Error decodeMain(MLIRContext *ctx, ArrayRef<const char *> argv) {
  Expected<Args> args = Args::parse("decode", argv, {"format", "input", "output"});
  if (!args)
    return args.takeError();
  std::string input = args->get("input"), output = args->get("output");
  Expected<QuantFormatAttrInterface> format = parseFormat(ctx, args->get("format"));
  if (!format)
    return format.takeError();
  Expected<npy::Array> in = npy::read(input);
  if (!in)
    return in.takeError();
  if (in->dtype[0] == 'f')
    return makeError(input + ": decode takes integer codes, got " + in->dtype);
  HostCodec codec(*format);
  uint64_t limit = uint64_t(1) << format->getBitWidth();
  std::vector<double> codes = in->toDoubles(), values(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) {
    if (codes[i] < 0 || codes[i] >= double(limit))
      return makeError(input + ": element " + Twine(i) + " is code " + Twine(int64_t(codes[i])) +
                       ", outside the " + Twine(format->getBitWidth()) + "-bit range");
    values[i] = codec.decode(uint64_t(codes[i]));
  }
  return npy::write(output, "f8", in->shape, values.data());
}

Error quantizeMain(MLIRContext *ctx, ArrayRef<const char *> argv) {
  Expected<Args> args = Args::parse("quantize", argv, {"scheme", "input", "output-dir"});
  if (!args)
    return args.takeError();
  std::string input = args->get("input"), dir = args->get("output-dir");
  Expected<SchemeAttr> scheme = parseScheme(ctx, args->get("scheme"));
  if (!scheme)
    return scheme.takeError();
  Expected<npy::Array> in = npy::read(input);
  if (!in)
    return in.takeError();
  if (in->dtype != "f4")
    return makeError(input + ": quantize takes float32 input, got " + in->dtype);
  std::vector<float> data(in->numElements());
  std::memcpy(data.data(), in->bytes.data(), in->bytes.size());
  Expected<QuantizedTensor> q = quantize(*scheme, in->shape, data);
  if (!q)
    return makeError(input + " (shape " + npy::shapeString(in->shape) + "): " +
                     toString(q.takeError()));
  if (std::error_code ec = sys::fs::create_directories(dir))
    return createStringError(ec, dir + ": " + ec.message());
  for (auto [buffer, bytes] : zip(q->layout.buffers, q->buffers)) {
    SmallString<256> path(dir);
    sys::path::append(path, buffer.name + ".bin");
    std::error_code ec;
    raw_fd_ostream os(path, ec, sys::fs::OF_None);
    if (ec)
      return createStringError(ec, path + ": " + ec.message());
    os.write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  }
  return Error::success();
}

Error dequantizeMain(MLIRContext *ctx, ArrayRef<const char *> argv) {
  Expected<Args> args =
      Args::parse("dequantize", argv, {"scheme", "input-dir", "shape", "output"});
  if (!args)
    return args.takeError();
  std::string dir = args->get("input-dir"), output = args->get("output");
  Expected<SchemeAttr> scheme = parseScheme(ctx, args->get("scheme"));
  if (!scheme)
    return scheme.takeError();
  Expected<std::vector<int64_t>> shape = parseShape(args->get("shape"));
  if (!shape)
    return shape.takeError();
  QuantizedTensor q;
  q.layout = getStorageLayout(*scheme, *shape);
  for (const StorageBuffer &buffer : q.layout.buffers) {
    SmallString<256> path(dir);
    sys::path::append(path, buffer.name + ".bin");
    ErrorOr<std::unique_ptr<MemoryBuffer>> file = MemoryBuffer::getFile(path, false);
    if (!file)
      return createStringError(file.getError(), path + ": " + file.getError().message());
    q.buffers.emplace_back((*file)->getBufferStart(), (*file)->getBufferEnd());
  }
  int64_t numel = 1;
  for (int64_t d : *shape)
    numel *= d;
  std::vector<float> out(numel);
  if (Error err = dequantize(*scheme, *shape, q, out))
    return makeError(dir + ": " + toString(std::move(err)));
  return npy::write(output, "f4", *shape, out.data());
}

} // namespace qforge
