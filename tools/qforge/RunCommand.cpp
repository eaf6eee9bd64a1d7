//===- RunCommand.cpp - `qforge run`: call a package's entry point ---------===//
#include "CommandLine.h"

#include "frontend/npy/Npy.h"
#include "runtime/Package.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace llvm;
using namespace mlir;
namespace rt = qforge::runtime;

namespace qforge {

/// The .npy descr of a manifest dtype (f32 -> f4, i8 -> i1, ...); bf16 has
/// none and never matches.
static std::string npyDtype(const std::string &dtype) {
  if (dtype == "bf16")
    return dtype;
  return dtype.substr(0, 1) + std::to_string(rt::dtypeBytes(dtype));
}

/// A .npy descr in the manifest's notation (f4 -> f32, i1 -> i8), for messages.
static std::string manifestDtype(const std::string &descr) {
  unsigned bytes;
  if (descr.size() < 2 || StringRef(descr).drop_front().getAsInteger(10, bytes))
    return descr;
  return descr.substr(0, 1) + std::to_string(8 * bytes);
}

Error runMain(MLIRContext *, ArrayRef<const char *> argv) {
  if (argv.empty() || StringRef(argv[0]).starts_with("--"))
    return makeError("usage: qforge run DIR --entry F [--input x.npy | --input-dir Q]... "
                     "--output y.npy... [--threads T] [--device cpu|cuda]\n       qforge run MODEL_DIR --prompt TEXT "
                     "[-n N] [--threads T] [--temp X --top-k K --top-p P --seed S]");
  std::string dir = argv[0];
  // A model package generates text unless an entry point is named.
  bool namesEntry = llvm::any_of(argv, [](const char *a) {
    return StringRef(a) == "--entry" || StringRef(a).starts_with("--entry=");
  });
  if (sys::fs::exists(dir + "/model.txt") && !namesEntry)
    return runModel(dir, argv.drop_front());
  Expected<Args> args = Args::parse("run", argv.drop_front(), {"entry", "output"},
                                    {"input", "input-dir", "threads", "device"});
  if (!args)
    return args.takeError();
  Expected<int64_t> threads = args->getPositive("threads", 1);
  if (!threads)
    return threads.takeError();
  // A package runs where it was compiled for; --device says where the caller
  // expects it to, checked before the kernels (and a GPU driver) load.
  std::string loadError;
  rt::Manifest manifest;
  if (!rt::Package::readManifest(dir, manifest, loadError))
    return makeError(loadError);
  std::string device = args->get("device", manifest.forCuda() ? "cuda" : "cpu");
  if (device != "cpu" && device != "cuda")
    return makeError("unknown device '" + device + "' (cpu or cuda)");
  if ((device == "cuda") != manifest.forCuda())
    return makeError(dir + ": compiled for " + manifest.cpu + ", not for --device " + device +
                     " (compile with --target " + device + ")");
  if (manifest.forCuda() && args->has("threads"))
    return makeError("--threads applies to CPU packages");
  std::unique_ptr<rt::Package> package = rt::Package::load(dir, std::move(manifest), loadError);
  if (!package)
    return makeError(loadError);
  std::string entryName = args->get("entry");
  const rt::EntryPoint *entry = package->manifest().find(entryName);
  if (!entry)
    return makeError(dir + ": no entry point '" + entryName + "'");

  // Tensor arguments take the --input files in order; the buffers of one
  // quantized argument (arg.name) come from one --input-dir.
  std::vector<std::string> inputs = args->getAll("input"), dirs = args->getAll("input-dir");
  size_t nextInput = 0, nextDir = 0;
  std::string currentQuantArg, currentDir;
  std::vector<std::vector<uint8_t>> storage;
  for (const rt::Operand &op : entry->args) {
    if (op.kind == "tensor") {
      if (nextInput >= inputs.size())
        return makeError("argument " + op.name + " needs an --input .npy file (" +
                         std::to_string(inputs.size()) + " given)");
      std::string path = inputs[nextInput++];
      Expected<npy::Array> a = npy::read(path);
      if (!a)
        return a.takeError();
      std::vector<int64_t> shape;
      bool fits = a->shape.size() == op.shape.size() && op.shapeFor(a->bytes.size(), shape) &&
                  a->shape == shape;
      if (a->dtype != npyDtype(op.dtype) || !fits)
        return makeError(path + ": argument " + op.name + " is " + op.dtype + " [" +
                         npy::shapeString(op.shape) + "], the file holds " + manifestDtype(a->dtype) + " [" +
                         npy::shapeString(a->shape) + "]");
      storage.push_back(std::move(a->bytes));
      continue;
    }
    auto [argName, bufferName] = StringRef(op.name).split('.');
    if (argName != currentQuantArg) {
      if (nextDir >= dirs.size())
        return makeError("quantized argument " + argName.str() +
                         " needs an --input-dir (as written by qforge quantize)");
      currentQuantArg = argName.str();
      currentDir = dirs[nextDir++];
    }
    SmallString<256> path(currentDir);
    sys::path::append(path, bufferName + ".bin");
    ErrorOr<std::unique_ptr<MemoryBuffer>> file = MemoryBuffer::getFile(path, false);
    if (!file)
      return makeError(path + ": " + file.getError().message());
    if (int64_t((*file)->getBufferSize()) != op.bytes())
      return makeError(path + ": " + std::to_string((*file)->getBufferSize()) +
                       " bytes, argument " + op.name + " needs " + std::to_string(op.bytes()) +
                       " (another scheme or shape?)");
    storage.emplace_back((*file)->getBufferStart(), (*file)->getBufferEnd());
  }
  if (nextInput != inputs.size() || nextDir != dirs.size())
    return makeError("entry '" + entryName + "' takes " + std::to_string(nextInput) +
                     " --input and " + std::to_string(nextDir) + " --input-dir, got " +
                     std::to_string(inputs.size()) + " and " + std::to_string(dirs.size()));
  std::vector<std::string> outputs = args->getAll("output");
  if (outputs.size() != entry->results.size())
    return makeError("entry '" + entryName + "' has " + std::to_string(entry->results.size()) +
                     " results, got " + std::to_string(outputs.size()) + " --output");

  std::vector<rt::Buffer> argBuffers, resultBuffers;
  for (std::vector<uint8_t> &s : storage)
    argBuffers.push_back({s.data(), s.size()});
  std::vector<std::vector<uint8_t>> results;
  for (const rt::Operand &r : entry->results)
    results.emplace_back(size_t(r.bytes()));
  for (std::vector<uint8_t> &r : results)
    resultBuffers.push_back({r.data(), r.size()});
  std::string runError;
  package->setThreads(int(std::min<int64_t>(*threads, 1024)));
  if (!package->run(entryName, argBuffers, resultBuffers, runError))
    return makeError(runError);
  for (auto [path, r, op] : llvm::zip(outputs, results, entry->results)) {
    if (op.dtype == "bf16")
      return makeError("result " + op.name + " is bf16, which .npy cannot hold");
    if (Error err = npy::write(path, npyDtype(op.dtype), op.shape, r.data()))
      return err;
  }
  return Error::success();
}


} // namespace qforge
