//===- InspectCommand.cpp - `qforge inspect`: what a model file holds ------===//
#include "CommandLine.h"

#include "frontend/gguf/GgufFile.h"
#include "frontend/gguf/GgufImport.h"
#include "frontend/npy/Npy.h"
#include "qf/IR/Layout.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace qforge::gguf;

namespace qforge {

static json::Value toJson(const Value &v) {
  switch (v.type) {
  case ValueType::UInt8: case ValueType::UInt16: case ValueType::UInt32: case ValueType::UInt64:
    return json::Value(v.u);
  case ValueType::Int8: case ValueType::Int16: case ValueType::Int32: case ValueType::Int64:
    return json::Value(v.i);
  case ValueType::Float32: case ValueType::Float64:
    return json::Value(v.f);
  case ValueType::Bool:
    return json::Value(v.u != 0);
  case ValueType::String:
    return json::Value(json::fixUTF8(v.s));
  case ValueType::Array: {
    json::Array a;
    for (const Value &e : v.elements)
      a.push_back(toJson(e));
    return json::Value(std::move(a));
  }
  }
  return json::Value(nullptr);
}

/// A short text form: arrays by their type, length and first elements.
static std::string summary(const Value &v) {
  std::string out;
  raw_string_ostream os(out);
  if (v.type == ValueType::Array) {
    os << "[" << valueTypeName(v.elementType) << " x " << v.elements.size() << "]";
    for (size_t i = 0; i < std::min<size_t>(v.elements.size(), 3); ++i)
      os << (i ? ", " : " ") << summary(v.elements[i]);
    if (v.elements.size() > 3)
      os << ", ...";
    return out;
  }
  json::Value j = toJson(v);
  os << j;
  return out;
}

Error inspectMain(mlir::MLIRContext *, ArrayRef<const char *> argv) {
  if (argv.empty() || StringRef(argv[0]).starts_with("--"))
    return makeError("usage: qforge inspect model.gguf [--json]");
  StringRef path = argv[0];
  Expected<Args> args = Args::parse("inspect", argv.drop_front(), {}, {}, {"json"});
  if (!args)
    return args.takeError();
  Expected<std::unique_ptr<GgufFile>> file = GgufFile::open(path);
  if (!file)
    return file.takeError();
  const GgufFile &f = **file;
  auto typeName = [](uint32_t id) -> std::string {
    if (std::optional<TensorType> t = lookupTensorType(id))
      return t->name.str();
    return "type " + std::to_string(id);
  };
  if (args->has("json")) {
    json::Object metadata;
    for (const auto &[key, value] : f.metadata())
      metadata[key] = json::Object{{"type", valueTypeName(value.type)}, {"value", toJson(value)}};
    json::Array tensors;
    for (const TensorInfo &t : f.tensors()) {
      json::Array dims;
      for (uint64_t d : t.dims)
        dims.push_back(d);
      tensors.push_back(json::Object{{"name", t.name},
                                     {"type", int64_t(t.type)},
                                     {"type_name", typeName(t.type)},
                                     {"dims", std::move(dims)},
                                     {"offset", int64_t(t.offset)},
                                     {"bytes", int64_t(t.bytes)}});
    }
    outs() << formatv("{0:2}", json::Value(json::Object{{"version", int64_t(f.version())},
                                                         {"alignment", int64_t(f.alignment())},
                                                         {"data_offset", int64_t(f.dataOffset())},
                                                         {"metadata", std::move(metadata)},
                                                         {"tensors", std::move(tensors)}}))
           << "\n";
    return Error::success();
  }
  outs() << path << ": GGUF v" << f.version() << ", " << f.metadata().size() << " metadata pairs, "
         << f.tensors().size() << " tensors, data at " << f.dataOffset() << " (alignment " << f.alignment()
         << ")\n";
  for (const auto &[key, value] : f.metadata())
    outs() << "  " << key << " = " << summary(value) << "\n";
  uint64_t total = 0;
  for (const TensorInfo &t : f.tensors()) {
    std::string dims;
    for (uint64_t d : t.dims)
      dims += (dims.empty() ? "" : "x") + std::to_string(d);
    outs() << format("  %-40s %-8s %-16s %12llu bytes\n", t.name.c_str(), typeName(t.type).c_str(), dims.c_str(),
                     (unsigned long long)t.bytes);
    total += t.bytes;
  }
  outs() << format("  %.1f MB of tensor data\n", total / 1e6);
  return Error::success();
}

Error extractMain(mlir::MLIRContext *ctx, ArrayRef<const char *> argv) {
  if (argv.empty() || StringRef(argv[0]).starts_with("--"))
    return makeError("usage: qforge extract model.gguf --tensor NAME --output-dir D");
  StringRef path = argv[0];
  Expected<Args> args = Args::parse("extract", argv.drop_front(), {"tensor", "output-dir"});
  if (!args)
    return args.takeError();
  Expected<std::unique_ptr<GgufFile>> file = GgufFile::open(path);
  if (!file)
    return file.takeError();
  std::string name = args->get("tensor"), dir = args->get("output-dir");
  const TensorInfo *tensor = (*file)->findTensor(name);
  if (!tensor)
    return makeError(path + ": no tensor named '" + name + "'");
  Expected<ImportedTensor> imported = importTensor(*tensor);
  if (!imported)
    return makeError(path + ": " + toString(imported.takeError()));
  if (std::error_code ec = sys::fs::create_directories(dir))
    return createStringError(ec, dir + ": " + ec.message());
  std::string shape = npy::shapeString(imported->shape);
  if (imported->scheme.empty()) {
    SmallString<256> out(dir);
    sys::path::append(out, "tensor.npy");
    if (Error err = npy::write(out, "f4", imported->shape, tensor->data.data()))
      return err;
    outs() << name << ": f32 " << shape << " -> " << out << "\n";
    return Error::success();
  }
  // The file's bytes are the preset's storage: one buffer of the same size.
  Expected<mlir::qf::SchemeAttr> scheme = parseScheme(ctx, imported->scheme);
  if (!scheme)
    return scheme.takeError();
  mlir::qf::StorageLayout layout = mlir::qf::getStorageLayout(*scheme, imported->shape);
  if (layout.buffers.size() != 1 || uint64_t(layout.buffers[0].bytes) != tensor->bytes)
    return makeError(path + ": tensor '" + name + "': " + Twine(tensor->bytes) + " bytes do not match the " +
                     imported->scheme + " storage of " + shape);
  SmallString<256> out(dir);
  sys::path::append(out, layout.buffers[0].name + ".bin");
  std::error_code ec;
  raw_fd_ostream os(out, ec, sys::fs::OF_None);
  if (ec)
    return createStringError(ec, out + ": " + ec.message());
  os.write(reinterpret_cast<const char *>(tensor->data.data()), tensor->data.size());
  outs() << name << ": " << imported->scheme << " " << shape << " -> " << out << "\n";
  return Error::success();
}

} // namespace qforge
